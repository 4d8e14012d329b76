/**
 * Every ButterCMS call of a warm instance goes through `callButter`: the
 * shared quota gate first (a known monthly-quota outage stops calls from
 * every instance until a probe is due), then the retry policy with this
 * instance's circuit breaker. A 429 whose Retry-After is longer than any
 * retry is the quota: it is recorded for every instance (Blobs) and logged
 * once, with the reset time, because the operator must act.
 */
import { ButterFailure } from "../butter/failure.ts";
import { type Config, required } from "../core/config.ts";
import { log } from "../core/log.ts";
import { openSharedStore } from "../netlify/blobs.ts";
import { CircuitBreaker } from "../resilience/circuit-breaker.ts";
import { withRetries } from "../resilience/retry-policy.ts";
import { onInstanceReset, siteState } from "./instance-state.ts";
import { type QuotaOutage, type SiteStateView, updateSiteState } from "./site-state.ts";
import { countButterCall } from "./usage.ts";

const RETRY = { maxRetries: 2, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 2_000 };
const BREAKER = { threshold: 5, cooldownMs: 10_000 };
/** While the quota is out, one probe call at most this often (site-wide). */
export const QUOTA_PROBE_INTERVAL_MS = 15 * 60_000;

let breaker = new CircuitBreaker(BREAKER);
onInstanceReset(() => {
  breaker = new CircuitBreaker(BREAKER);
});

const secondsUntil = (epochMs: number, now: number) => Math.max(1, Math.ceil((epochMs - now) / 1000));

/**
 * Whether this call may go to ButterCMS during a quota outage: only as the
 * site's one probe, claimed with compare-and-set so that concurrent
 * instances do not all probe.
 */
async function mayProbe(config: Config, state: SiteStateView, quota: QuotaOutage, now: number) {
  if (now < quota.probeAt) return false;
  const store = openSharedStore(config.content.storeName);
  if (!store) return true;
  try {
    let claimed = false;
    const next = await updateSiteState(store, (current) => {
      claimed = current.quota !== undefined && now >= current.quota.probeAt;
      if (!claimed || !current.quota) return current;
      return { ...current, quota: { ...current.quota, probeAt: now + QUOTA_PROBE_INTERVAL_MS } };
    });
    state.adopt(next);
    return claimed;
  } catch {
    return false;
  }
}

async function recordQuotaOutage(
  config: Config,
  state: SiteStateView,
  failure: ButterFailure,
): Promise<void> {
  const now = Date.now();
  const until = now + (failure.retryAfterSeconds ?? 0) * 1000;
  const quota = { until, probeAt: Math.min(until, now + QUOTA_PROBE_INTERVAL_MS) };
  log(
    "error",
    "quota.exhausted",
    "ButterCMS's API quota is used up: no calls until the reset. Upgrade the plan or wait.",
    {
      resetsAt: new Date(until).toISOString(),
      nextProbeAt: new Date(quota.probeAt).toISOString(),
    },
  );
  const store = openSharedStore(config.content.storeName);
  state.adopt({ ...state.peek().state, quota });
  if (!store) return;
  try {
    state.adopt(await updateSiteState(store, (current) => ({ ...current, quota })));
  } catch (error) {
    log("warn", "quota.not_shared", "Could not share the quota outage through Netlify Blobs", {
      error: (error as Error).message,
    });
  }
}

async function clearQuotaOutage(config: Config, state: SiteStateView): Promise<void> {
  const store = openSharedStore(config.content.storeName);
  state.adopt({ ...state.peek().state, quota: undefined });
  if (!store) return;
  try {
    state.adopt(await updateSiteState(store, (current) => ({ ...current, quota: undefined })));
    log("info", "quota.recovered", "ButterCMS answers again after a quota outage");
  } catch {
    // The next probe clears it.
  }
}

/** One resilient ButterCMS call (quota gate, retries, breaker): the only way content/ and blog/ reach ButterCMS. */
export async function callButter<T>(config: Config, call: () => Promise<T>): Promise<T> {
  const state = siteState;
  // Reads have just checked it; the webhook and previews may not have: a known quota outage binds them too.
  if (!state.isCurrent()) await state.current(openSharedStore(config.content.storeName));
  const quota = state.peek().state.quota;
  const now = Date.now();
  const probing = quota !== undefined && now < quota.until;
  if (probing && !(await mayProbe(config, state, quota, now))) {
    throw new ButterFailure("quota_exhausted", 429, secondsUntil(quota.until, now), "known quota outage");
  }
  try {
    const counted = () => {
      countButterCall();
      return call();
    };
    const value = await withRetries(counted, {
      ...RETRY,
      deadlineMs: required(config.upstream).deadlineMs,
      breaker,
    });
    if (quota !== undefined) await clearQuotaOutage(config, state);
    return value;
  } catch (error) {
    if (error instanceof ButterFailure && error.isQuotaExhausted && !probing) {
      await recordQuotaOutage(config, state, error);
    }
    throw error;
  }
}

/** Whether a failure is ButterCMS failing (served from last-known-good) rather than answering. */
export const isOutage = (error: unknown): boolean => error instanceof ButterFailure && !error.isNotFound;

/** `null` when the error is ButterCMS's 404, so "not found" is an answer like any other. */
export async function nullIfNotFound<T>(work: Promise<T>): Promise<T | null> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof ButterFailure && error.isNotFound) return null;
    throw error;
  }
}
