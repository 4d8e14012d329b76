/**
 * How often reconciliation may ask ButterCMS, from a monthly budget: at
 * most RECONCILE_SHARE of the plan's quota (BUTTERCMS_PLAN_QUOTA), a tenth
 * of it kept for confirming removals and asking about posts a webhook could
 * not. Two kinds of run (docs/architecture.md, "Reconciliation"):
 *
 * - a check: each locale's newest page (one call per locale), which finds a
 *   lost webhook among the newest PAGE_SIZE posts;
 * - a full pass: every page of every locale, which finds any lost webhook.
 *
 * Full passes come every FULL_PASS_TARGET_MS when FULL_PASS_SHARE of the
 * budget affords it (later otherwise); checks share what is left, never more often than
 * the scheduler runs. A locale of one page has nothing more to a full pass
 * than a check: then there are only checks.
 */
export const RECONCILE_SHARE = 0.02;
/** Below 24 h, so that a pass missed by one scheduler tick still comes within the day. */
const FULL_PASS_TARGET_MS = 23 * 3_600_000;
export const MONTH_MS = 30 * 86_400_000;
const FULL_PASS_SHARE = 0.6;

export interface ReconcilePlan {
  checkEveryMs: number;
  fullEveryMs: number;
  /** ButterCMS calls a month this plan spends on checks and full passes. */
  callsPerMonth: number;
}

const onTicks = (ms: number, tickMs: number) => Math.ceil(ms / tickMs) * tickMs;

/** `pages`: each locale's pages of PAGE_SIZE posts; `tickMs`: how often the scheduler runs. */
export function planReconcile(quota: number, pages: readonly number[], tickMs: number): ReconcilePlan {
  const budget = quota * RECONCILE_SHARE * 0.9;
  const locales = Math.max(1, pages.length);
  const total = pages.reduce((sum, count) => sum + Math.max(1, count), 0) || 1;
  if (total === locales) {
    const every = Math.max(tickMs, onTicks((locales * MONTH_MS) / budget, tickMs));
    return { checkEveryMs: every, fullEveryMs: every, callsPerMonth: (locales * MONTH_MS) / every };
  }
  const fullEveryMs = Math.max(
    FULL_PASS_TARGET_MS,
    onTicks((total * MONTH_MS) / (budget * FULL_PASS_SHARE), tickMs),
  );
  const fullCalls = (total * MONTH_MS) / fullEveryMs;
  const checkEveryMs = Math.max(tickMs, onTicks((locales * MONTH_MS) / (budget - fullCalls), tickMs));
  return { checkEveryMs, fullEveryMs, callsPerMonth: fullCalls + (locales * MONTH_MS) / checkEveryMs };
}
