/**
 * Reconciliation: each locale's published index compared with ButterCMS on
 * Netlify's scheduler (functions/reconcileIndex.mts), off every request
 * path. ButterCMS sends each webhook once and never retries it, so a lost
 * one would otherwise leave a post wrong until the next change to it.
 *
 * Each run (every RECONCILE_TICK_MS) does what is due by the plan
 * (reconcile-plan.ts): a check of each locale's newest page, or a full pass
 * over every page; and it asks about the slugs a webhook could not. A post
 * that differs is put in the index as ButterCMS lists it; a post the index
 * has and ButterCMS no longer lists is asked about by its slug first (one
 * call: pages fetched at once can miss a post that moved between them), and
 * removed only when ButterCMS says it is not published. What drifted goes
 * out as one change record, like a webhook's, and its posts' tags and the
 * locale's lists are purged.
 */
import { retrievePost } from "../butter/client.ts";
import type { PostList } from "../butter/types.ts";
import { log } from "../core/log.ts";
import { openSharedStore, type SharedStore } from "../netlify/blobs.ts";
import { runInBackground } from "../netlify/context.ts";
import { postsTag, postTag } from "./cache-tags.ts";
import {
  factsOf,
  GenerationMoved,
  type PostEffect,
  type PostUpdate,
  prune,
  recordChange,
} from "./index-changes.ts";
import { compact, compactIfBehind } from "./index-compaction.ts";
import { fetchAllPosts, fetchPage, PAGE_SIZE, publishedOnly } from "./index-fetch.ts";
import type { IndexedPost } from "./index-snapshot.ts";
import { siteState } from "./instance-state.ts";
import { type LocaleKey, servedLocales, upstreamLocale } from "./locale.ts";
import { purgeOrOwe } from "./owed-purge.ts";
import { forgetPost } from "./post-store.ts";
import { type PublishedIndex, publishedIndex } from "./published-index.ts";
import type { ReadScope } from "./read-scope.ts";
import { planReconcile, type ReconcilePlan } from "./reconcile-plan.ts";
import { type SiteState, updateSiteState } from "./site-state.ts";
import { callButter, nullIfNotFound } from "./upstream.ts";
import { flushUsage, monthUsage } from "./usage.ts";

/** How often Netlify runs the scheduled function (its `config.schedule`: every 5 minutes). */
const RECONCILE_TICK_MS = 5 * 60_000;
/** Stop starting new work this long into a run: Netlify stops a function at 30 s. */
const RUN_BUDGET_MS = 20_000;
/** Slugs asked about one by one in a run (removals to confirm, webhooks to redo), per locale. */
const MAX_LOOKUPS = 25;
const STATE_KEY = "reconcile-state";
/** A run claimed by another invocation is trusted this long. */
const RUN_CLAIM_MS = 60_000;

interface LocaleReconcileState {
  /** When the newest page, or everything, was last compared (epoch ms). */
  checkedAt: number;
  /** When every page was last compared (epoch ms). */
  comparedAt: number;
  /** The last drift found, if any: when, how many posts, a few of their slugs. */
  lastDrift?: { at: number; count: number; slugs: string[] } | undefined;
}

/** Why ButterCMS's webhooks seem not to arrive, as far as this site can tell. */
type WebhookTrouble = "not_set_up" | "wrong_secret" | "not_delivered";

interface WebhookWarning {
  /** When drift no webhook announced was last found (epoch ms). */
  at: number;
  cause: WebhookTrouble;
  message: string;
  /** When it was last logged (epoch ms): at most once a day. */
  loggedAt: number;
}

interface ReconcileState {
  runningSince?: number | undefined;
  locales: Record<string, LocaleReconcileState>;
  plan?: ReconcilePlan | undefined;
  warning?: WebhookWarning | undefined;
  /** The last run: when, how many ButterCMS calls, what it found. */
  lastRun?: { at: number; calls: number; drifted: number; error?: string | undefined } | undefined;
}

interface LocaleReport {
  locale: LocaleKey;
  /** `recheck`: only the slugs webhooks could not ask about. */
  mode: "full" | "check" | "recheck" | "none";
  calls: number;
  drifted: string[];
}

interface ReconcileReport {
  skipped?: string;
  locales: LocaleReport[];
}

/** The reconciliation state as stored (for the status endpoint too); null when never run. */
export async function readReconcileState(store: SharedStore): Promise<ReconcileState | null> {
  return (await store.get<ReconcileState>(STATE_KEY))?.value ?? null;
}

/** Object keys in a stable order, so two entries compare equal whatever order ButterCMS sends fields in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

const sameEntry = (a: IndexedPost, b: IndexedPost) => canonical(a) === canonical(b);

interface Drift {
  updates: PostUpdate[];
  /** Listed in the index, not by ButterCMS: asked about by slug before removal. */
  missing: string[];
}

/** What ButterCMS lists that the index does not have, or has otherwise; and what it no longer lists. */
function compare(
  index: PublishedIndex,
  listed: readonly IndexedPost[],
  missingFrom: (post: IndexedPost) => boolean,
) {
  const drift: Drift = { updates: [], missing: [] };
  const seen = new Set<string>();
  for (const post of listed) {
    seen.add(post.slug);
    const position = index.positions.get(post.slug);
    const held = position === undefined ? undefined : index.posts[position];
    if (!held || !sameEntry(held, post)) drift.updates.push({ slug: post.slug, entry: post });
  }
  for (const post of index.posts) {
    if (!seen.has(post.slug) && missingFrom(post)) drift.missing.push(post.slug);
  }
  return drift;
}

/** The newest page against the index: what it lists, and what the index has that is newer than its oldest. */
function compareNewest(index: PublishedIndex, page: PostList) {
  const listed = publishedOnly(page);
  const complete = page.meta.next_page === null;
  const oldest = listed.at(-1)?.published ?? "";
  return compare(index, listed, (post) => complete || (post.published ?? "") > oldest);
}

/** ButterCMS's word on each slug: its entry when published, else null; undefined when it could not say. */
async function lookUp(scope: ReadScope, locale: LocaleKey, slugs: readonly string[]) {
  const found = new Map<string, IndexedPost | null>();
  for (const slug of slugs.slice(0, MAX_LOOKUPS)) {
    const detail = await nullIfNotFound(
      callButter(scope.config, () => retrievePost(scope.config, slug, false, upstreamLocale(locale))),
    );
    if (detail?.data.status === "published") {
      const { body: _body, ...entry } = detail.data;
      found.set(slug, entry);
    } else found.set(slug, null);
  }
  return found;
}

/**
 * Records the drift as one change of the locale, on top of the index it was
 * found against: if a webhook moved the locale meanwhile, its posts are
 * left out (what it recorded is at least as new) and the rest is recorded
 * on top of it.
 */
async function recordDrift(
  scope: ReadScope,
  store: SharedStore,
  locale: LocaleKey,
  index: PublishedIndex,
  updates: PostUpdate[],
): Promise<PostUpdate[]> {
  let pending = updates;
  let base = index;
  for (let attempt = 0; attempt < 3 && pending.length > 0; attempt++) {
    try {
      const effects = pending.map((update): PostEffect => {
        const position = base.positions.get(update.slug);
        const held = position === undefined ? null : (base.posts[position] as IndexedPost);
        return {
          slug: update.slug,
          before: held && factsOf(held),
          after: update.entry && factsOf(update.entry),
        };
      });
      const record = { id: crypto.randomUUID(), cause: "reconciliation" as const, updates: pending, effects };
      const { state, dropped } = await recordChange(store, locale, record, { expect: base.generation });
      siteState.adopt(state);
      runInBackground(scope.context, prune(store, dropped));
      return pending;
    } catch (error) {
      if (!(error instanceof GenerationMoved)) throw error;
      await siteState.current(store);
      const moved = await publishedIndex(scope, locale);
      const touched = changedSlugs(base, moved);
      pending = pending.filter((update) => !touched.has(update.slug));
      base = moved;
    }
  }
  return [];
}

/** Slugs whose entries differ between two indexes of a locale. */
function changedSlugs(before: PublishedIndex, after: PublishedIndex): Set<string> {
  const changed = new Set<string>();
  for (const post of after.posts) {
    const position = before.positions.get(post.slug);
    if (position === undefined || !sameEntry(before.posts[position] as IndexedPost, post))
      changed.add(post.slug);
  }
  for (const post of before.posts) if (!after.positions.has(post.slug)) changed.add(post.slug);
  return changed;
}

async function purgeDrift(store: SharedStore, locale: LocaleKey, slugs: readonly string[]) {
  const tags = [postsTag(locale), ...slugs.map((slug) => postTag(slug, locale))];
  // Netlify takes at most 500 tags a request.
  for (let start = 0; start < tags.length; start += 500) {
    await purgeOrOwe(store, siteState, tags.slice(start, start + 500));
  }
}

async function reconcileLocale(
  scope: ReadScope,
  store: SharedStore,
  locale: LocaleKey,
  mode: LocaleReport["mode"],
  rechecks: readonly string[],
): Promise<LocaleReport> {
  const index = await publishedIndex(scope, locale);
  let calls = 0;
  let drift: Drift = { updates: [], missing: [] };
  if (mode === "full") {
    const list = await fetchAllPosts(scope, locale);
    calls += list.calls;
    drift = compare(index, list.posts, () => true);
  } else if (mode === "check") {
    drift = compareNewest(index, await fetchPage(scope, locale, 1));
    calls += 1;
  }
  // Asked by slug: removals to confirm, and posts a webhook could not ask about.
  const listed = new Set(drift.updates.map((update) => update.slug));
  const ask = [...new Set([...drift.missing, ...rechecks])].filter((slug) => !listed.has(slug));
  const answers = await lookUp(scope, locale, ask);
  calls += answers.size;
  const updates = [...drift.updates];
  for (const [slug, entry] of answers) {
    const position = index.positions.get(slug);
    const held = position === undefined ? undefined : index.posts[position];
    if (entry === null ? held !== undefined : !held || !sameEntry(held, entry)) updates.push({ slug, entry });
  }
  const recorded = updates.length > 0 ? await recordDrift(scope, store, locale, index, updates) : [];
  const drifted = recorded.map((update) => update.slug);
  if (drifted.length > 0) {
    log(
      "warn",
      "reconcile.drift",
      "Reconciliation found the published index out of line with ButterCMS: a webhook was missed",
      {
        locale,
        drifted: drifted.length,
        slugs: drifted.slice(0, 10),
      },
    );
    await purgeDrift(store, locale, drifted);
    // Their stored bodies are of a version no webhook announced: gone, so the next webhook's "before" is unknown.
    await Promise.all(drifted.map((slug) => forgetPost(store, locale, slug).catch(() => undefined)));
  }
  const asked = new Set(answers.keys());
  const done = (state: SiteState): SiteState => ({
    ...state,
    reconciledAt: { ...state.reconciledAt, [locale]: Date.now() },
    recheck: {
      ...state.recheck,
      [locale]: (state.recheck?.[locale] ?? []).filter((slug) => !asked.has(slug)),
    },
  });
  siteState.adopt(await updateSiteState(store, done));
  if (mode === "full") await compact(scope, store, locale, Date.now());
  else await compactIfBehind(scope, store, locale, siteState.peek().state.generations[locale] ?? 0);
  return { locale, mode, calls, drifted };
}

const WARN_EVERY_MS = 86_400_000;

const TROUBLE: Record<WebhookTrouble, string> = {
  not_set_up:
    "no ButterCMS webhook has ever reached this site: set one up in ButterCMS (Settings → Webhooks) for post events, to /api/webhooks/buttercms with the X-Webhook-Secret header",
  wrong_secret:
    "webhooks were refused this month for a wrong X-Webhook-Secret: make the header in ButterCMS's webhook settings equal WEBHOOK_SECRET",
  not_delivered:
    "some webhooks did not arrive: check that the webhook covers every post event and that the site is reachable (a private or password-protected deploy cannot receive them)",
};

/**
 * Reconciliation found changes no webhook announced: the likely cause,
 * logged at most once a day, kept for the status endpoint.
 */
async function webhookWarning(store: SharedStore, previous: WebhookWarning | undefined, now: number) {
  const usage = await monthUsage(store).catch(() => null);
  const { lastWebhook } = siteState.peek().state;
  const cause: WebhookTrouble =
    (usage?.webhooksRefused ?? 0) > 0 ? "wrong_secret" : lastWebhook ? "not_delivered" : "not_set_up";
  const due = !previous || now - previous.loggedAt >= WARN_EVERY_MS || previous.cause !== cause;
  if (due) {
    log(
      "warn",
      "reconcile.webhook_warning",
      `Reconciliation found changes no webhook announced: ${TROUBLE[cause]}`,
      {
        cause,
      },
    );
  }
  return { at: now, cause, message: TROUBLE[cause], loggedAt: due ? now : (previous?.loggedAt ?? now) };
}

async function claimRun(store: SharedStore, now: number) {
  const stored = await store.get<ReconcileState>(STATE_KEY);
  const state: ReconcileState = stored?.value ?? { locales: {} };
  if (state.runningSince !== undefined && now - state.runningSince < RUN_CLAIM_MS) return null;
  const claimed = { ...state, runningSince: now };
  const written = await store.set(
    STATE_KEY,
    claimed,
    stored ? (stored.etag ? { ifMatch: stored.etag } : {}) : { ifNew: true },
  );
  return written ? claimed : null;
}

/** When no reconciliation ran for this long, readers check the newest page themselves (no scheduler). */
export const FORGOTTEN_AFTER_MS = 2 * 3_600_000;

/**
 * Netlify runs scheduled functions on the production deploy only. Deploy
 * previews and branch deploys share its Blobs store, so its runs keep their
 * index honest too; where none runs (a site never published, a store of
 * its own, `netlify dev`), a reader checks the newest page in the
 * background once every FORGOTTEN_AFTER_MS per locale (claimed in the site
 * state, so one reader of the whole site does it).
 */
export function reconcileIfForgotten(scope: ReadScope, locale: LocaleKey, comparedAt: number): void {
  const view = siteState.peek();
  const last = Math.max(view.state.reconciledAt?.[locale] ?? 0, comparedAt);
  if (!view.verified || Date.now() - last < FORGOTTEN_AFTER_MS) return;
  const store = openSharedStore(scope.config.content.storeName);
  if (!store) return;
  const work = async () => {
    let claimed = false;
    const state = await updateSiteState(store, (current) => {
      const seen = Math.max(current.reconciledAt?.[locale] ?? 0, comparedAt);
      claimed = Date.now() - seen >= FORGOTTEN_AFTER_MS;
      return claimed
        ? { ...current, reconciledAt: { ...current.reconciledAt, [locale]: Date.now() } }
        : current;
    });
    siteState.adopt(state);
    if (!claimed) return;
    log("info", "reconcile.reader_check", "No reconciliation ran lately: a reader checks the newest posts", {
      locale,
    });
    await reconcileLocale(scope, store, locale, "check", state.recheck?.[locale] ?? []);
  };
  runInBackground(
    scope.context,
    work().catch((error: Error) =>
      log("warn", "reconcile.reader_check_failed", "A reader's reconciliation check failed", {
        locale,
        error: error.message,
      }),
    ),
  );
}

/** One scheduled run: what is due for each locale, within RUN_BUDGET_MS. */
export async function runReconciliation(scope: ReadScope): Promise<ReconcileReport> {
  const store = openSharedStore(scope.config.content.storeName);
  if (!store) return { skipped: "Netlify Blobs is not configured", locales: [] };
  const started = Date.now();
  const state = await claimRun(store, started);
  if (!state) return { skipped: "another run is in progress", locales: [] };
  await siteState.current(store);
  const locales = servedLocales(scope.config);
  const reports: LocaleReport[] = [];
  let error: string | undefined;
  try {
    const indexes = await Promise.all(locales.map((locale) => publishedIndex(scope, locale)));
    const pages = indexes.map((index) => Math.max(1, Math.ceil(index.posts.length / PAGE_SIZE)));
    const plan = planReconcile(scope.config.content.planQuota, pages, RECONCILE_TICK_MS);
    state.plan = plan;
    // Half a tick early: runs come every tick, give or take.
    const due = (at: number | undefined, every: number) =>
      at === undefined || started - at >= every - RECONCILE_TICK_MS / 2;
    for (const locale of locales) {
      if (Date.now() - started > RUN_BUDGET_MS) break;
      const mine = state.locales[locale];
      const rechecks = siteState.peek().state.recheck?.[locale] ?? [];
      const full = due(mine?.comparedAt, plan.fullEveryMs);
      const check = full || due(mine?.checkedAt, plan.checkEveryMs);
      if (!check && rechecks.length === 0) {
        reports.push({ locale, mode: "none", calls: 0, drifted: [] });
        continue;
      }
      const mode = full ? "full" : check ? "check" : "recheck";
      const report = await reconcileLocale(scope, store, locale, mode, rechecks);
      reports.push(report);
      const at = Date.now();
      state.locales[locale] = {
        checkedAt: check ? at : (mine?.checkedAt ?? 0),
        comparedAt: full ? at : (mine?.comparedAt ?? 0),
        lastDrift:
          report.drifted.length > 0
            ? { at, count: report.drifted.length, slugs: report.drifted.slice(0, 10) }
            : mine?.lastDrift,
      };
    }
    if (reports.some((report) => report.drifted.length > 0)) {
      state.warning = await webhookWarning(store, state.warning, Date.now());
    }
  } catch (failure) {
    error = (failure as Error).message;
    log("error", "reconcile.failed", "Reconciliation failed; the next run tries again", { error });
  } finally {
    flushUsage(scope, store, true);
    const calls = reports.reduce((sum, report) => sum + report.calls, 0);
    const drifted = reports.reduce((sum, report) => sum + report.drifted.length, 0);
    const final: ReconcileState = {
      ...state,
      runningSince: undefined,
      lastRun: { at: started, calls, drifted, error },
    };
    await store.set(STATE_KEY, final).catch(() => undefined);
  }
  return { locales: reports };
}
