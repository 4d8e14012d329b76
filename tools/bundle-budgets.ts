/**
 * Own (deflated) bytes each function may ship, without Netlify's bootstrap:
 * 64 KiB; functions on the content layer carry @netlify/blobs too (NFT
 * copies both its ESM and CJS builds, ~10 KiB deflated): 72 KiB; auth
 * carries jose's signer: 96 KiB. The build test and the bench both hold
 * the zips to these.
 */
export function budgetKiB(name: string): number {
  if (name === "auth") return 96;
  return ["ipAllowlist", "getOpenApi"].includes(name) ? 64 : 72;
}
