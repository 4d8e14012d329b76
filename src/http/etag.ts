/** Strong ETags over response bodies, and `If-None-Match` evaluation (RFC 9110 §13.1.2). */
import { createHash } from "node:crypto";

/** A strong validator: the body's SHA-256, base64url, quoted. */
export function strongEtag(body: string): string {
  return `"${createHash("sha256").update(body).digest("base64url")}"`;
}

/** Netlify's edge appends `-df` to an ETag it stored compressed, inside the quotes. */
function opaqueTag(tag: string): string {
  const unweak = tag.startsWith("W/") ? tag.slice(2) : tag;
  return unweak.replace(/-df"$/, '"');
}

/**
 * Whether `If-None-Match` matches `etag`: `*`, or any listed tag by weak
 * comparison (the RFC's rule for If-None-Match), ignoring Netlify's `-df`.
 */
export function ifNoneMatchMatches(header: string | null, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  const wanted = opaqueTag(etag);
  return header.split(",").some((tag) => opaqueTag(tag.trim()) === wanted);
}
