/**
 * The success response of every read endpoint: public representations get
 * the CDN cache headers and tags, preview ones `private, no-store`; both get
 * the strong ETag and 304 handling.
 */
import { PRIVATE_NO_STORE, publicCacheHeaders } from "../http/cache-headers.ts";
import { required } from "../core/config.ts";
import type { RequestScope } from "./define-endpoint.ts";
import type { ParamSpec } from "../http/query.ts";
import { conditionalResponse, type Representation } from "../http/representation.ts";

export interface ReadResponseOptions {
  /** Preview responses must never reach a shared cache. */
  preview: boolean;
  /** Netlify-Cache-Tag values for the public response. */
  tags: readonly string[];
  /** The endpoint's documented query parameters (for Netlify-Vary). */
  query: Record<string, ParamSpec>;
  contentType?: string;
}

export function readResponse(
  { req, config, headers: common }: RequestScope,
  representation: Representation,
  options: ReadResponseOptions,
): Response {
  const cacheHeaders = options.preview
    ? PRIVATE_NO_STORE
    : publicCacheHeaders({
        tags: options.tags,
        varyQuery: Object.keys(options.query),
        varyOrigin: config.allowedOrigins !== null,
        cdn: required(config.cdn),
      });
  return conditionalResponse(req, representation, { ...common, ...cacheHeaders }, options.contentType);
}
