/**
 * Who the IP allowlist guards (IP_ALLOWLIST_SCOPE) and the check itself.
 * Fails closed: an invalid scope guards everything, an invalid list refuses
 * every guarded request with 500 `misconfigured` (the log names the entry).
 */
import type { IpPolicyConfig } from "../core/config.ts";
import { ApiError, ipNotAllowed, misconfigured } from "../core/errors.ts";
import { type Allowlist, isAllowed, parseAllowlist } from "./ip-allowlist.ts";

/**
 * Whether a request is guarded. `revealsDrafts` is true for requests that
 * can reveal unpublished content or start a session (`preview=1`, login).
 */
export function isGuarded(
  scope: IpPolicyConfig["scope"],
  deployContext: string,
  revealsDrafts: boolean,
): boolean {
  if (scope instanceof ApiError) return true;
  if (scope === "all") return true;
  if (scope === "non-production") return deployContext !== "production" || revealsDrafts;
  return revealsDrafts;
}

interface IpDecision {
  configured: boolean;
  allowed: boolean;
}

/** The parsed list, once per distinct IP_ALLOWLIST value (a warm instance parses it once). */
let parsed: { raw: string; list: Promise<Allowlist | ApiError> } | undefined;

function allowlistOf(raw: string): Promise<Allowlist | ApiError> {
  if (parsed?.raw !== raw) {
    const list = parseAllowlist(raw).catch((error: Error) => misconfigured(`IP_ALLOWLIST ${error.message}`));
    parsed = { raw, list };
  }
  return parsed.list;
}

/** Evaluates the list for `ip`; throws `misconfigured` when the list is invalid. */
export async function evaluateIp(policy: IpPolicyConfig, ip: string): Promise<IpDecision> {
  if (policy.allowlist === null) return { configured: false, allowed: true };
  const list = await allowlistOf(policy.allowlist);
  if (list instanceof ApiError) throw list;
  return { configured: true, allowed: isAllowed(list, ip) };
}

/** For a guarded request (see `isGuarded`): throws 403 or 500 when `ip` may not pass. */
export async function enforceIpPolicy(policy: IpPolicyConfig, ip: string): Promise<void> {
  if (policy.scope instanceof ApiError) throw policy.scope;
  if (!(await evaluateIp(policy, ip)).allowed) throw ipNotAllowed(ip);
}
