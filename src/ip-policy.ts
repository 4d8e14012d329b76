/**
 * Who the IP allowlist guards (IP_ALLOWLIST_SCOPE) and the check itself.
 * Fails closed: an invalid scope guards everything, an invalid list refuses
 * every guarded request with 500 `misconfigured`.
 */
import type { IpPolicyConfig } from "./config.ts";
import { ApiError } from "./errors.ts";
import { isAllowed } from "./ip-allowlist.ts";

/**
 * Whether a request is guarded. `previewGrade` is true for requests that
 * can reveal unpublished content or start a session (`preview=1`, login).
 */
export function isGuarded(
  scope: IpPolicyConfig["scope"],
  deployContext: string,
  previewGrade: boolean,
): boolean {
  if (scope instanceof ApiError) return true;
  if (scope === "all") return true;
  if (scope === "non-production") return deployContext !== "production" || previewGrade;
  return previewGrade;
}

export interface IpDecision {
  configured: boolean;
  allowed: boolean;
}

/** Evaluates the list for `ip`; throws `misconfigured` when the list is invalid. */
export function evaluateIp(policy: IpPolicyConfig, ip: string): IpDecision {
  if (policy.allowlist instanceof ApiError) throw policy.allowlist;
  if (policy.allowlist === null) return { configured: false, allowed: true };
  return { configured: true, allowed: isAllowed(policy.allowlist, ip) };
}

export const ipNotAllowed = (ip: string): ApiError =>
  new ApiError("ip_not_allowed", "Your IP address is not allowed to use this endpoint.", {
    extensions: { ip },
  });

/** Throws 403 or 500 when the request is guarded and `ip` may not pass. */
export function enforceIpPolicy(
  policy: IpPolicyConfig,
  ip: string,
  deployContext: string,
  previewGrade: boolean,
): void {
  if (!isGuarded(policy.scope, deployContext, previewGrade)) return;
  if (policy.scope instanceof ApiError) throw policy.scope;
  if (!evaluateIp(policy, ip).allowed) throw ipNotAllowed(ip);
}
