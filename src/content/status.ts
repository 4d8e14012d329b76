/**
 * What an operator needs to know about the site, in one answer (GET
 * /api/status, behind STATUS_TOKEN): sample or live, each locale's index
 * and when it was last compared with ButterCMS, the last webhook and the
 * refused ones, purges owed, a quota outage, and the ButterCMS calls this
 * month next to the plan's quota (docs/operations.md, "Watching a deploy: `GET /api/status`").
 */
import { type Config, required } from "../core/config.ts";
import { secretsMatch } from "../core/constant-time.ts";
import { statusUnauthorized } from "../core/errors.ts";
import { openSharedStore } from "../netlify/blobs.ts";
import { siteState } from "./instance-state.ts";
import { localeCode, servedLocales } from "./locale.ts";
import { publishedIndex } from "./published-index.ts";
import type { ReadScope } from "./read-scope.ts";
import { readReconcileState } from "./reconcile.ts";
import { checkSiteState } from "./state-check.ts";
import { monthOf, monthUsage } from "./usage.ts";

/** 503 while STATUS_TOKEN is unset, 401 unless `Authorization: Bearer <STATUS_TOKEN>` (compared in constant time). */
export function authorizeStatus(req: Request, config: Config): void {
  const token = required(config.statusToken);
  const given = /^Bearer (.+)$/.exec(req.headers.get("Authorization") ?? "")?.[1] ?? "";
  if (!secretsMatch(given, token)) throw statusUnauthorized();
}

const iso = (epochMs: number | undefined) => (epochMs ? new Date(epochMs).toISOString() : null);

/** How exact `butter_calls.count` is (usage.ts). */
const EXACTNESS =
  "Counted by the functions: every request to ButterCMS, retries included. Calls made in an instance's last 10 s before it stopped can be missing; calls ButterCMS answered from its own cache are counted though not metered. Month in UTC.";

export async function siteStatus(scope: ReadScope) {
  const { config } = scope;
  const store = openSharedStore(config.content.storeName);
  // All at once: a cold status answers in one Blobs round trip plus the index's chunks, not four.
  // publishedIndex checks the site state itself (one read, shared with this check).
  const served = servedLocales(config);
  const [, reconciliation, usage, indexes] = await Promise.all([
    checkSiteState(scope),
    store ? readReconcileState(store).catch(() => null) : null,
    store ? monthUsage(store).catch(() => null) : null,
    // ButterCMS or Blobs failing: the status still answers, without the counts.
    Promise.all(served.map((locale) => publishedIndex(scope, locale).catch(() => null))),
  ]);
  const { state } = siteState.peek();
  const locales = served.map((locale, i) => {
    const index = indexes[i];
    const mine = reconciliation?.locales[locale];
    return {
      locale: localeCode(config, locale),
      published_posts: index?.posts.length ?? null,
      generation: state.generations[locale] ?? 0,
      index_freshness: index?.freshness.kind ?? "unavailable",
      reconciled_at: iso(state.reconciledAt?.[locale] ?? mine?.checkedAt),
      compared_in_full_at: iso(mine?.comparedAt),
      last_drift: mine?.lastDrift
        ? { at: iso(mine.lastDrift.at), posts: mine.lastDrift.count, slugs: mine.lastDrift.slugs }
        : null,
      rechecks_pending: state.recheck?.[locale]?.length ?? 0,
    };
  });
  const calls = usage?.butterCalls ?? 0;
  const quota = config.content.planQuotaSet ? config.content.planQuota : null;
  return {
    serving: required(config.butter).kind,
    checked_at: new Date().toISOString(),
    store: store ? "netlify-blobs" : "none",
    locales,
    reconciliation: {
      last_run: reconciliation?.lastRun
        ? {
            at: iso(reconciliation.lastRun.at),
            butter_calls: reconciliation.lastRun.calls,
            drifted_posts: reconciliation.lastRun.drifted,
            error: reconciliation.lastRun.error ?? null,
          }
        : null,
      plan: reconciliation?.plan
        ? {
            check_every_minutes: reconciliation.plan.checkEveryMs / 60_000,
            full_pass_every_hours: reconciliation.plan.fullEveryMs / 3_600_000,
            butter_calls_per_month: Math.round(reconciliation.plan.callsPerMonth),
          }
        : null,
    },
    webhooks: {
      last: state.lastWebhook
        ? {
            ...state.lastWebhook,
            at: iso(state.lastWebhook.at),
            locale: localeCode(config, state.lastWebhook.locale),
          }
        : null,
      refused_this_month: usage?.webhooksRefused ?? 0,
      last_refused_at: iso(usage?.lastRefusedAt),
      warning: reconciliation?.warning
        ? {
            at: iso(reconciliation.warning.at),
            cause: reconciliation.warning.cause,
            message: reconciliation.warning.message,
          }
        : null,
    },
    purges_owed: state.owedPurge
      ? {
          tags: state.owedPurge.tags.length,
          attempts: state.owedPurge.attempts,
          next_attempt_at: iso(state.owedPurge.nextAt),
        }
      : null,
    quota_outage: state.quota
      ? { blocked_until: iso(state.quota.until), next_probe_at: iso(state.quota.probeAt) }
      : null,
    butter_calls: {
      month: usage?.month ?? monthOf(Date.now()),
      count: calls,
      plan_quota: quota,
      share_of_quota: quota ? Math.round((calls / quota) * 10_000) / 10_000 : null,
      exactness: EXACTNESS,
    },
  };
}
