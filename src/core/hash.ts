/** FNV-1a (32 bits): a stable, cheap spread of strings, not a cryptographic hash. */
export function fnv1a(text: string, basis = 0x811c9dc5): number {
  let hash = basis;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** 64 bits of FNV-1a as 16 hex digits: names content-addressed blobs (a collision would need 2^32 of them). */
export const contentId = (text: string): string =>
  fnv1a(text).toString(16).padStart(8, "0") + fnv1a(text, 0x050c5d1f).toString(16).padStart(8, "0");
