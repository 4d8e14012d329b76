/** JSON responses, and public representations with ETag/304. */
import { ifNoneMatchMatches, strongEtag } from "./etag.ts";

export const JSON_TYPE = "application/json; charset=utf-8";

/** A serialised body with its strong ETag: what the in-function cache keeps. */
export interface Representation {
  body: string;
  etag: string;
}

export function represent(value: unknown): Representation {
  const body = JSON.stringify(value);
  return { body, etag: strongEtag(body) };
}

export function jsonResponse(value: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "Content-Type": JSON_TYPE, ...headers },
  });
}

/**
 * 200 with the representation, or 304 with no body when `If-None-Match`
 * matches. Both carry the ETag and the given cache headers (RFC 9110 §15.4.5).
 */
export function conditionalResponse(
  req: Request,
  representation: Representation,
  headers: Record<string, string>,
  contentType = JSON_TYPE,
): Response {
  const common = { ETag: representation.etag, ...headers };
  if (ifNoneMatchMatches(req.headers.get("If-None-Match"), representation.etag)) {
    return new Response(null, { status: 304, headers: common });
  }
  return new Response(representation.body, {
    status: 200,
    headers: { "Content-Type": contentType, ...common },
  });
}
