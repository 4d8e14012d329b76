/**
 * The layer on top: it composes http/, preview/ and netlify/ into the
 * wrapper every function's default export is built with. It owns what all
 * endpoints share: methods (405 + Allow, OPTIONS preflight, HEAD as GET),
 * CORS, the IP policy, `nosniff`, the default `private, no-store`, the log
 * context of the invocation, and mapping thrown errors to problems.
 * Handlers only parse, call `src/`, and return their status, body and own
 * headers.
 *
 * May import every other folder of src/; nothing in src/ imports it but
 * the endpoint/ folder itself (docs/architecture.md).
 */
import { type Config, getConfig } from "../core/config.ts";
import { methodNotAllowed, notFound } from "../core/errors.ts";
import { withLogContext } from "../core/log-context.ts";
import { PRIVATE_NO_STORE } from "../http/cache-headers.ts";
import { type CorsMode, corsHeaders, PUBLIC_CORS, preflightHeaders } from "../http/cors.ts";
import { problemResponse } from "../http/problem.ts";
import type { MethodHandler, RequestScope } from "../http/request-scope.ts";
import { clientIp, deployContext, type FunctionContext, type NetlifyHandler } from "../netlify/context.ts";
import { undoDevRetry } from "../netlify/dev-retry.ts";
import { routeMatches } from "../netlify/route-pattern.ts";
import { enforceIpPolicy, isGuarded } from "../preview/ip-policy.ts";

type Method = "GET" | "POST" | "DELETE";

/** The part of a function's `export const config` the endpoint reads (the object itself is passed). */
export interface RouteConfig {
  path?: string | readonly string[] | undefined;
}

interface EndpointDefinition {
  /** The function's name (its file in functions/): every log line of its invocations carries it. */
  name: string;
  /** The function's own `config`: Netlify may hand it paths its `path` does not match (`/api/posts//`). */
  config: RouteConfig;
  methods: Partial<Record<Method, MethodHandler>>;
  /**
   * Whether the request uses the caller's preview session: CORS then echoes
   * only listed origins, with credentials. Default: never.
   */
  usesSession?: (req: Request, url: URL) => boolean;
  /**
   * Whether the request can reveal unpublished content or open a session:
   * the IP allowlist's `preview` scope guards exactly these. Default:
   * `usesSession` (auth differs: only login is guarded).
   */
  revealsDrafts?: (req: Request, url: URL) => boolean;
  /** `reported`: the endpoint reports on the IP policy itself instead of being guarded by it. */
  ipPolicy?: "enforced" | "reported";
  /** Answers any method not in `methods` (default: 405 with `Allow`). */
  otherMethods?: MethodHandler;
  /**
   * A warm hit of GET: an answer the instance already holds, built
   * synchronously, with no I/O and no log line; undefined when it takes
   * more (then `methods.GET` answers). It answers only a request that
   * `methods.GET` answered before with a public answer (so a path the
   * endpoint owns, no session, no drafts), and its response already carries
   * the common headers. A request the IP policy does not guard tries it
   * first, before its URL is parsed or the invocation's log context entered
   * (both cost more than the rest of a hit); a guarded one, once the policy
   * let it through.
   */
  hit?: (scope: HitScope) => Response | undefined;
}

/** What a warm hit gets of its request: the URL as received, not parsed. */
export interface HitScope extends Omit<RequestScope, "url"> {
  /** The request's URL (under `netlify dev`, with the dev proxy's retry suffix undone). */
  href: string;
}

const NOSNIFF = "X-Content-Type-Options";
/** What every response of a public endpoint carries when ALLOWED_ORIGINS is unset: built once. */
const PUBLIC_COMMON: Readonly<Record<string, string>> = Object.freeze({
  ...PUBLIC_CORS,
  [NOSNIFF]: "nosniff",
});

/** The headers every response to this request carries: CORS for its origin and mode, and `nosniff`. */
function commonHeaders(origin: string | null, mode: CorsMode, allowed: readonly string[] | null) {
  const cors = corsHeaders(origin, mode, allowed);
  return cors === PUBLIC_CORS ? PUBLIC_COMMON : { ...cors, [NOSNIFF]: "nosniff" };
}

/** Adds the common headers to a response built without them (see `RequestScope.headers`). */
function withCommonHeaders(response: Response, common: Readonly<Record<string, string>>): Response {
  const headers = response.headers;
  if (headers.has(NOSNIFF)) return response;
  for (const name in common) {
    if (!headers.has(name)) headers.set(name, common[name] as string);
  }
  if (!headers.has("Cache-Control")) headers.set("Cache-Control", PRIVATE_NO_STORE);
  return response;
}

export function defineEndpoint(definition: EndpointDefinition): NetlifyHandler {
  const allowed = Object.keys(definition.methods) as Method[];
  const allowHeader = allowed.includes("GET") ? [...allowed, "HEAD"] : allowed;
  const patterns: readonly string[] = [definition.config.path ?? []].flat();
  // Whether the function owns this path: Netlify may hand it paths its pattern does not match.
  const ownsPath = (pathname: string): boolean =>
    patterns.length === 0 || patterns.some((pattern) => routeMatches(pattern, pathname));
  const enforced = (definition.ipPolicy ?? "enforced") === "enforced";

  const revealsDrafts = (req: Request, url: URL, usesSession: boolean): boolean =>
    definition.revealsDrafts?.(req, url) ?? usesSession;
  const guarded = (scope: RequestScope, usesSession: boolean): boolean =>
    enforced &&
    isGuarded(
      scope.config.ipPolicy.scope,
      deployContext(scope.context),
      revealsDrafts(scope.req, scope.url, usesSession),
    );
  const headAsGet = (method: string, response: Response): Response =>
    method === "HEAD" ? new Response(null, { status: response.status, headers: response.headers }) : response;

  const respond = async (scope: RequestScope, usesSession: boolean): Promise<Response> => {
    const { req, url, config, context, headers: common } = scope;
    if (req.method === "OPTIONS") {
      return new Response(null, {
        status: 204,
        headers: { ...common, ...preflightHeaders(allowHeader), "Cache-Control": PRIVATE_NO_STORE },
      });
    }

    const method = (req.method === "HEAD" ? "GET" : req.method) as Method;
    const handler = definition.methods[method] ?? definition.otherMethods;
    try {
      if (!ownsPath(url.pathname)) throw notFound("No endpoint has this path.");
      if (!handler) throw methodNotAllowed(req.method, [...allowHeader, "OPTIONS"]);
      const policyGuards = guarded(scope, usesSession);
      if (policyGuards) await enforceIpPolicy(config.ipPolicy, clientIp(context));
      // Tried here when `publicHit` could not: a guarded request, or one under `netlify dev`.
      if (policyGuards || config.netlifyDev) {
        const hit = tryHit({ ...scope, href: url.href });
        if (hit) return hit;
      }
      return headAsGet(req.method, withCommonHeaders(await handler(scope), common));
    } catch (error) {
      return problemResponse(error, common);
    }
  };

  /** The warm hit of a GET or HEAD, when the function has one; undefined otherwise. */
  const tryHit = (scope: HitScope): Response | undefined => {
    const { req } = scope;
    const method = req.method;
    if (!definition.hit || (method !== "GET" && method !== "HEAD")) return undefined;
    try {
      const response = definition.hit(scope);
      return response && headAsGet(method, response);
    } catch {
      return undefined; // the full path answers, and maps the error where it belongs
    }
  };

  /**
   * A warm hit for a request the IP policy does not guard when it reveals
   * no drafts (a hit answers no other): from what the request carries,
   * without parsing its URL. Never under `netlify dev`, whose URLs need
   * undoing first.
   */
  const publicHit = (req: Request, config: Config, context: FunctionContext): Response | undefined => {
    if (config.netlifyDev || (enforced && isGuarded(config.ipPolicy.scope, deployContext(context), false)))
      return undefined;
    const headers =
      config.allowedOrigins === null
        ? PUBLIC_COMMON
        : commonHeaders(req.headers.get("Origin"), "public", config.allowedOrigins);
    return tryHit({ req, href: req.url, config, context, headers });
  };

  return (req, netlifyContext) => {
    const config = getConfig();
    const hit = definition.hit && publicHit(req, config, netlifyContext);
    if (hit) return hit;
    const { url, context } = config.netlifyDev
      ? undoDevRetry(req, netlifyContext, patterns[0])
      : { url: new URL(req.url), context: netlifyContext };
    const usesSession = definition.usesSession?.(req, url) ?? false;
    const mode: CorsMode = usesSession ? "credentials" : "public";
    const headers = commonHeaders(req.headers.get("Origin"), mode, config.allowedOrigins);
    const scope: RequestScope = { req, url, config, context, headers };
    return withLogContext({ function: definition.name, requestId: netlifyContext.requestId }, () =>
      respond(scope, usesSession),
    );
  };
}
