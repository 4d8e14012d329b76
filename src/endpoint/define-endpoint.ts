/**
 * The wrapper every function's default export is built with. It owns what
 * all endpoints share: methods (405 + Allow, OPTIONS preflight, HEAD as GET),
 * CORS, the IP policy, `nosniff`, and mapping thrown errors to problems.
 * Handlers only parse, call `src/`, and build their success response.
 */
import type { Context } from "@netlify/functions";
import { type Config, getConfig } from "../core/config.ts";
import { type CorsMode, corsHeaders, preflightHeaders } from "../http/cors.ts";
import { undoDevRetry } from "../netlify/dev-retry.ts";
import { methodNotAllowed } from "../core/errors.ts";
import { enforceIpPolicy, isGuarded } from "../preview/ip-policy.ts";
import { clientIp, deployContext, type FunctionContext } from "../netlify/context.ts";
import { problemResponse } from "../http/problem.ts";

export type Method = "GET" | "POST" | "DELETE";

export interface RequestScope {
  req: Request;
  url: URL;
  config: Config;
  context: FunctionContext;
  /**
   * Headers every response of this request carries (CORS, `nosniff`):
   * handlers build their responses with them, so that the hot path sets
   * each header once, at construction.
   */
  headers: Readonly<Record<string, string>>;
}

export type MethodHandler = (scope: RequestScope) => Promise<Response>;

export interface EndpointDefinition {
  /** The function's `config.path` (read lazily, so `config` stays a plain literal). */
  route: () => string | string[] | undefined;
  methods: Partial<Record<Method, MethodHandler>>;
  /**
   * Whether the request reads a preview session (CORS with credentials) and
   * can reveal unpublished content or open a session (IP-guarded in the
   * `preview` scope). Default: never.
   */
  previewGrade?: (req: Request, url: URL) => boolean;
  /**
   * Whether the request counts as preview-grade for the IP policy, when that
   * differs from `previewGrade` (auth: only login is guarded in the `preview`
   * scope, as the contract says). Default: `previewGrade`.
   */
  ipPreviewGrade?: (req: Request, url: URL) => boolean;
  /** Whether the IP policy is applied here (default true; the IP check endpoint does its own). */
  ipGuarded?: boolean;
}

export type NetlifyHandler = (req: Request, context: Context) => Promise<Response>;

function routePattern(definition: EndpointDefinition): string | undefined {
  const path = definition.route();
  return Array.isArray(path) ? path[0] : path;
}

export function defineEndpoint(definition: EndpointDefinition): NetlifyHandler {
  const allowed = Object.keys(definition.methods) as Method[];
  const allowHeader = allowed.includes("GET") ? [...allowed, "HEAD"] : allowed;

  return async (req, netlifyContext) => {
    const config = getConfig();
    const { url, context } = config.netlifyDev
      ? undoDevRetry(req, netlifyContext, routePattern(definition))
      : { url: new URL(req.url), context: netlifyContext as FunctionContext };
    const previewGrade = definition.previewGrade?.(req, url) ?? false;
    const mode: CorsMode = previewGrade ? "credentials" : "public";
    const cors = corsHeaders(req.headers.get("Origin"), mode, config.allowedOrigins);
    const common = { ...cors, "X-Content-Type-Options": "nosniff" };

    if (req.method === "OPTIONS") {
      return new Response(null, {
        status: 204,
        headers: { ...common, ...preflightHeaders(allowHeader), "Cache-Control": "private, no-store" },
      });
    }

    const method = (req.method === "HEAD" ? "GET" : req.method) as Method;
    const handler = definition.methods[method];
    try {
      if (!handler) throw methodNotAllowed(req.method, [...allowHeader, "OPTIONS"]);
      if (definition.ipGuarded ?? true) {
        const ipGrade = definition.ipPreviewGrade?.(req, url) ?? previewGrade;
        if (isGuarded(config.ipPolicy.scope, deployContext(context), ipGrade)) {
          await enforceIpPolicy(config.ipPolicy, clientIp(context));
        }
      }
      const response = await handler({ req, url, config, context, headers: common });
      return req.method === "HEAD"
        ? new Response(null, { status: response.status, headers: response.headers })
        : response;
    } catch (error) {
      return problemResponse(error, context.requestId, common);
    }
  };
}
