/**
 * Own (deflated) bytes each function may ship, without Netlify's bootstrap:
 * 64 KiB, @netlify/blobs and every other package it loads included (their
 * CommonJS builds, never loaded, are left out by netlify.toml's
 * `included_files`); auth carries jose's signer: 96 KiB. The build test and
 * the bench both hold the zips to these.
 */
export function budgetKiB(name: string): number {
  return name === "auth" ? 96 : 64;
}
