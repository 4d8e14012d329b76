/**
 * Read endpoints: the query is parsed against the endpoint's spec once, and
 * the same spec says what the CDN varies on; the representation says its
 * own tags and content type. Public representations get the CDN cache
 * headers (short ones when not known to be current, plus `X-Content-Stale`
 * for a last-known-good copy), preview ones `private, no-store`; both get
 * the strong ETag and 304 handling.
 */

import { SLUG_PATTERN } from "../butter/slug.ts";
import type { ReadResult } from "../content/cached-read.ts";
import { required } from "../core/config.ts";
import { annotateLogContext } from "../core/log-context.ts";
import { PRIVATE_NO_STORE, publicCacheHeaders } from "../http/cache-headers.ts";
import { CURRENT } from "../http/freshness.ts";
import { type ParamSpec, type ParsedQuery, parseQuery } from "../http/query.ts";
import { conditionalResponse } from "../http/representation.ts";
import type { RequestScope } from "../http/request-scope.ts";
import { pathParam } from "../netlify/context.ts";
import { defineEndpoint, type EndpointDefinition } from "./define-endpoint.ts";

/** Response header of a last-known-good copy: when ButterCMS last gave this content (ISO 8601). */
export const STALE_HEADER = "X-Content-Stale";

export interface ReadEndpointDefinition<Q extends Record<string, ParamSpec>>
  extends Pick<EndpointDefinition, "name" | "route" | "usesSession"> {
  query: Q;
  read: (scope: RequestScope, query: ParsedQuery<Q>) => Promise<ReadResult>;
}

export function representationResponse(
  scope: RequestScope,
  result: ReadResult,
  query: Record<string, ParamSpec>,
): Response {
  const { representation } = result;
  const freshness = representation.freshness ?? CURRENT;
  if (result.preview) {
    return conditionalResponse(scope.req, representation, { "Cache-Control": PRIVATE_NO_STORE });
  }
  const headers = publicCacheHeaders({
    tags: representation.tags,
    varyQuery: Object.keys(query),
    varyOrigin: scope.config.allowedOrigins !== null,
    cdn: required(scope.config.cdn),
    freshness: freshness.kind,
  });
  if (freshness.kind === "last-known-good") headers[STALE_HEADER] = freshness.since;
  return conditionalResponse(scope.req, representation, headers);
}

/** The post a request names in its path, once it is known to be a slug (for the log lines). */
function slugOf(scope: RequestScope): string | undefined {
  const slug = pathParam(scope.context, "slug");
  return slug !== null && SLUG_PATTERN.test(slug) ? slug : undefined;
}

/** A GET-only endpoint that reads a representation. */
export function defineReadEndpoint<Q extends Record<string, ParamSpec>>(
  definition: ReadEndpointDefinition<Q>,
) {
  return defineEndpoint({
    name: definition.name,
    route: definition.route,
    ...(definition.usesSession ? { usesSession: definition.usesSession } : {}),
    methods: {
      GET: async (scope) => {
        // An invalid BUTTERCMS_LOCALES fails closed, but only for requests that name a locale.
        const locales = scope.url.searchParams.has("locale") ? required(scope.config.locales) : [];
        const query = parseQuery(scope.url.searchParams, definition.query, { locales });
        annotateLogContext({ locale: (query as { locale?: string }).locale, slug: slugOf(scope) });
        return representationResponse(scope, await definition.read(scope, query), definition.query);
      },
    },
  });
}
