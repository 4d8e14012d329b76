/**
 * Read endpoints: the query is parsed against the endpoint's spec once, and
 * the same spec says what the CDN varies on; the representation says its
 * own tags and content type. Public representations get the CDN cache
 * headers (short ones when not known to be current, plus `X-Content-Stale`
 * for a last-known-good copy), preview ones `private, no-store`; both get
 * the strong ETag and 304 handling.
 *
 * A warm hit is the hot path: a public representation's headers (its own,
 * the cache headers of its freshness, the common ones) are built once, when
 * it is first answered, and kept with it for every later request.
 */
import { SLUG_PATTERN } from "../butter/slug.ts";
import { answerKey, cachedAnswer, type ReadResult } from "../content/cached-read.ts";
import { type Config, required } from "../core/config.ts";
import { annotateLogContext } from "../core/log-context.ts";
import { PRIVATE_NO_STORE, publicCacheHeaders } from "../http/cache-headers.ts";
import { ifNoneMatchMatches } from "../http/etag.ts";
import { type ParamSpec, type ParsedQuery, parseQuery } from "../http/query.ts";
import { JSON_TYPE, type Representation } from "../http/representation.ts";
import type { RequestScope } from "../http/request-scope.ts";
import { type NetlifyHandler, pathParam } from "../netlify/context.ts";
import { defineEndpoint, type HitScope, type RouteConfig } from "./define-endpoint.ts";

/** Response header of a last-known-good copy: when ButterCMS last gave this content (ISO 8601). */
const STALE_HEADER = "X-Content-Stale";

type PreviewQuery = { preview: { type: "flag" } };

interface ReadEndpointDefinition<Q extends Record<string, ParamSpec>> {
  /** The function's name (its file in functions/). */
  name: string;
  /** The function's own `config` (its `path`). */
  config: RouteConfig;
  /** What the query may hold; its parameters are also all the CDN varies on. */
  query: Q;
  /**
   * For endpoints whose query has the `preview` flag: what `preview=1`
   * requires before anything is read (a live session; it throws otherwise).
   * Such a request reads a session: CORS with credentials, IP-guarded in
   * the `preview` scope.
   */
  previews?: Q extends PreviewQuery ? (req: Request, config: Config) => Promise<unknown> : never;
  read: (scope: RequestScope, query: ParsedQuery<Q>) => Promise<ReadResult>;
}

/** A request for drafts, whatever its value (a value other than 1 is refused by the query spec). */
const asksForPreview = (_req: Request, url: URL): boolean => url.searchParams.has("preview");

/** The headers of one public representation's answers, with what they were built for. */
interface Prepared {
  config: Config;
  common: Readonly<Record<string, string>>;
  varyQuery: readonly string[];
  /** 200: the common headers, Content-Type, ETag and the cache headers of its freshness. */
  ok: Record<string, string>;
  /** 304: the same without Content-Type. */
  notModified: Record<string, string>;
}

const prepared = new WeakMap<Representation, Prepared>();

/** What answering a representation reads of its request. */
type AnswerScope = Pick<RequestScope, "req" | "config" | "headers">;

function publicHeaders(
  representation: Representation,
  scope: AnswerScope,
  varyQuery: readonly string[],
): Prepared {
  const { config, headers: common } = scope;
  const known = prepared.get(representation);
  if (known && known.config === config && known.common === common && known.varyQuery === varyQuery)
    return known;
  const freshness = representation.freshness;
  const notModified: Record<string, string> = {
    ...common,
    ETag: representation.etag,
    ...publicCacheHeaders({
      tags: representation.tags,
      varyQuery,
      varyOrigin: config.allowedOrigins !== null,
      cdn: required(config.cdn),
      freshness: freshness?.kind ?? "current",
    }),
  };
  if (freshness?.kind === "last-known-good") notModified[STALE_HEADER] = freshness.since;
  const ok = { ...notModified, "Content-Type": representation.contentType ?? JSON_TYPE };
  const entry = { config, common, varyQuery, ok, notModified };
  prepared.set(representation, entry);
  return entry;
}

/** 200 with the representation, or 304 with no body when `If-None-Match` matches (RFC 9110 §15.4.5). */
function representationResponse(scope: AnswerScope, result: ReadResult, varyQuery: readonly string[]) {
  const { representation } = result;
  const headers = result.preview
    ? previewHeaders(representation, scope)
    : publicHeaders(representation, scope, varyQuery);
  if (ifNoneMatchMatches(scope.req.headers.get("If-None-Match"), representation.etag)) {
    return new Response(null, { status: 304, headers: headers.notModified });
  }
  return new Response(representation.body, { status: 200, headers: headers.ok });
}

/** A preview is never kept anywhere: its headers are built for each answer. */
function previewHeaders(representation: Representation, scope: AnswerScope) {
  const notModified = { ...scope.headers, ETag: representation.etag, "Cache-Control": PRIVATE_NO_STORE };
  return { notModified, ok: { ...notModified, "Content-Type": representation.contentType ?? JSON_TYPE } };
}

/** The post a request names in its path, once it is known to be a slug (for the log lines). */
function slugOf(scope: RequestScope): string | undefined {
  const slug = pathParam(scope.context, "slug");
  return slug !== null && SLUG_PATTERN.test(slug) ? slug : undefined;
}

/** Requests remembered per endpoint; past this many they are forgotten at once (and remembered again as asked). */
const REMEMBERED_REQUESTS = 1_000;

/** A GET-only endpoint that reads a representation. */
export function defineReadEndpoint<Q extends Record<string, ParamSpec>>(
  definition: ReadEndpointDefinition<Q>,
): NetlifyHandler {
  const { query: spec, read, previews } = definition;
  const varyQuery = Object.keys(spec);
  // The request's URL → the instance-cache entry that answered it publicly: the same request again
  // is answered from it without parsing it or asking the blog code for its key. It is the same
  // answer: the key is a function of the request and the configuration, and `cachedAnswer` is the
  // read's own hot path (a fresh entry, the shared state seen lately). Previews are never
  // remembered, which is what lets defineEndpoint try a hit before it knows whether a request
  // uses a session.
  const remembered = new Map<string, { config: Config; key: string }>();
  const hit = (scope: HitScope): Response | undefined => {
    const known = remembered.get(scope.href);
    const representation = known?.config === scope.config ? cachedAnswer(scope, known.key) : undefined;
    return representation ? representationResponse(scope, { representation }, varyQuery) : undefined;
  };
  return defineEndpoint({
    name: definition.name,
    config: definition.config,
    ...(previews ? { usesSession: asksForPreview } : {}),
    hit,
    methods: {
      // Reached when `hit` had no answer (defineEndpoint tries it first).
      GET: async (scope) => {
        // An invalid BUTTERCMS_LOCALES fails closed, but only for requests that name a locale.
        const locales = scope.url.searchParams.has("locale") ? required(scope.config.locales) : [];
        const query = parseQuery(scope.url.searchParams, spec, { locales });
        annotateLogContext({ locale: (query as { locale?: string }).locale, slug: slugOf(scope) });
        if (previews && (query as { preview?: boolean }).preview) await previews(scope.req, scope.config);
        const result = await read(scope, query);
        const key = result.preview ? undefined : answerKey(result.representation);
        if (key !== undefined) {
          if (remembered.size >= REMEMBERED_REQUESTS) remembered.clear();
          remembered.set(scope.url.href, { config: scope.config, key });
        }
        return representationResponse(scope, result, varyQuery);
      },
    },
  });
}
