/**
 * What the webhook does when a post changed (docs/architecture.md,
 * "Freshness"). The event only says which post; ButterCMS says what is true:
 * one call for the post's current state, whatever the event, so an event
 * delivered late, twice or out of order cannot undo a later change. Then
 * the post store is updated (a post no longer published loses its stored
 * body first, so no outage can serve it), a change record is written and
 * the locale's generation moved (every instance applies the record within
 * STATE_CHECK_MS), and the CDN is purged at once and again after
 * SECOND_PURGE_DELAY_MS, which covers a copy an instance refilled from its
 * old state just before noticing. A purge that fails is owed, not lost.
 *
 * When ButterCMS cannot say (failing), the slug is listed for the next
 * reconciliation to ask about, and the CDN is purged; a removal the event
 * announces is applied meanwhile, anything else waits.
 */
import { retrievePost } from "../butter/client.ts";
import type { Post } from "../butter/types.ts";
import { changeNotRecorded, purgeFailed } from "../core/errors.ts";
import { log } from "../core/log.ts";
import { sleep } from "../core/sleep.ts";
import { openSharedStore, type SharedStore } from "../netlify/blobs.ts";
import { runInBackground } from "../netlify/context.ts";
import { tagsForPostChange } from "./cache-tags.ts";
import { type ChangeRecord, factsOf, type PostEffect, prune, recordChange } from "./index-changes.ts";
import { compactIfBehind } from "./index-compaction.ts";
import { siteState } from "./instance-state.ts";
import { type LocaleKey, upstreamLocale } from "./locale.ts";
import { purgeOrOwe, retryOwedPurge, settle } from "./owed-purge.ts";
import { forgetPost, storedPost, storePost } from "./post-store.ts";
import type { ReadScope } from "./read-scope.ts";
import {
  type LastWebhook,
  RECHECKS_KEPT,
  type SiteState,
  STATE_CHECK_MS,
  updateSiteState,
} from "./site-state.ts";
import { callButter, nullIfNotFound } from "./upstream.ts";
import { flushUsage } from "./usage.ts";

/** Longer than STATE_CHECK_MS, so every instance has seen the new generation by then. */
const SECOND_PURGE_DELAY_MS = STATE_CHECK_MS + 1_500;

/** A post's state as ButterCMS gives it now. */
type PostState = { kind: "published"; post: Post } | { kind: "absent" } | { kind: "unknown" };

export interface PostEvent {
  event: string;
  slug: string;
  locale: LocaleKey;
}

interface ChangeOutcome {
  tags: string[];
  /** `owed`: the purge failed and is recorded to be retried. */
  purge: "purged" | "owed";
}

async function currentState(scope: ReadScope, slug: string, locale: LocaleKey): Promise<PostState> {
  try {
    const detail = await nullIfNotFound(
      callButter(scope.config, () => retrievePost(scope.config, slug, false, upstreamLocale(locale))),
    );
    return detail?.data.status === "published"
      ? { kind: "published", post: detail.data }
      : { kind: "absent" };
  } catch (error) {
    log(
      "warn",
      "webhook.butter_failed",
      "ButterCMS failed while a webhook asked for a post: reconciliation will ask again",
      {
        slug,
        locale,
        error: (error as Error).message,
      },
    );
    return { kind: "unknown" };
  }
}

const summaryOf = ({ body: _body, ...summary }: Post) => summary;

/**
 * The post as copies made before this change show it: the stored version,
 * unless there is none (never read, or removed by reconciliation after
 * it found the post changed) or it already is the new version (a reader
 * fetched it between the change and its webhook): then not known.
 */
function sideBefore(stored: Post | null | undefined, after: Post | null): PostEffect["before"] {
  if (!stored) return "unknown";
  if (after && stored.updated === after.updated) return "unknown";
  return factsOf(summaryOf(stored));
}

function noted(webhook: LastWebhook, also?: (state: SiteState) => SiteState) {
  return (state: SiteState): SiteState => ({ ...(also ? also(state) : state), lastWebhook: webhook });
}

/** Records the change for every instance; the same record on a retry, so it is applied once in effect. */
async function record(
  scope: ReadScope,
  store: SharedStore,
  change: PostEvent,
  now: PostState,
  id: string,
  recheck: boolean,
): Promise<void> {
  const { slug, locale } = change;
  const webhook: LastWebhook = { at: Date.now(), event: change.event, locale, slug };
  // ButterCMS could not say: the next reconciliation asks about this post.
  const askAgain = (state: SiteState): SiteState => {
    if (!recheck) return state;
    const listed = (state.recheck?.[locale] ?? []).filter((candidate) => candidate !== slug);
    return { ...state, recheck: { ...state.recheck, [locale]: [...listed, slug].slice(-RECHECKS_KEPT) } };
  };
  if (now.kind === "unknown") {
    siteState.adopt(await updateSiteState(store, noted(webhook, askAgain)));
    return;
  }
  // The version readers saw: what the copies made before this change can show of the post.
  const stored = await storedPost(store, locale, slug).catch(() => undefined);
  const after = now.kind === "published" ? now.post : null;
  if (after) {
    await storePost(store, locale, after);
  } else {
    // Its body goes first, so no outage can serve it.
    await forgetPost(store, locale, slug);
  }
  // Its URL names it in feeds (last-known-good.ts).
  const url = after ? null : (stored?.url ?? null);
  const entry = after ? summaryOf(after) : null;
  const effect: PostEffect = { slug, before: sideBefore(stored, after), after: entry && factsOf(entry) };
  const changeRecord: ChangeRecord = {
    id,
    cause: "webhook",
    updates: [{ slug, entry, url }],
    effects: [effect],
  };
  const { state, generation, dropped } = await recordChange(store, locale, changeRecord, {
    also: noted(webhook, askAgain),
  });
  siteState.adopt(state);
  runInBackground(scope.context, prune(store, dropped));
  runInBackground(scope.context, compactIfBehind(scope, store, locale, generation));
}

/** Blobs may fail once; a change that is not recorded waits for reconciliation. */
async function recordWithRetries(
  scope: ReadScope,
  store: SharedStore,
  change: PostEvent,
  now: PostState,
  recheck: boolean,
) {
  const id = crypto.randomUUID();
  for (let attempt = 0; ; attempt++) {
    try {
      return await record(scope, store, change, now, id, recheck);
    } catch (error) {
      if (attempt >= 2) throw error;
      await sleep(100 * 2 ** attempt);
    }
  }
}

/** Events that say a post stopped being published (`post.draft`, `post.delete` and their localized forms). */
const announcesRemoval = (event: string) => /\.(draft|delete)$/.test(event);

/**
 * Applies a post event: asks ButterCMS, records what it says, purges the
 * CDN. When ButterCMS cannot say, an event announcing a removal is taken at
 * its word (hiding a post is the safe mistake, and reconciliation asks
 * again); any other waits for reconciliation.
 */
export async function applyPostChange(scope: ReadScope, change: PostEvent): Promise<ChangeOutcome> {
  const store = openSharedStore(scope.config.content.storeName);
  const tags = tagsForPostChange(change.slug, change.locale);
  const asked = await currentState(scope, change.slug, change.locale);
  const now: PostState =
    asked.kind === "unknown" && announcesRemoval(change.event) ? { kind: "absent" } : asked;
  const recheck = asked.kind === "unknown";
  let unrecorded = false;
  if (store) {
    try {
      await recordWithRetries(scope, store, change, now, recheck);
    } catch (error) {
      // The CDN is still purged below; reconciliation finds the change.
      log("error", "webhook.not_recorded", "Could not record a post change in Netlify Blobs", {
        slug: change.slug,
        locale: change.locale,
        error: (error as Error).message,
      });
      unrecorded = true;
    }
  }
  let purge: ChangeOutcome["purge"];
  try {
    purge = await purgeOrOwe(store, siteState, tags);
  } catch (error) {
    throw purgeFailed(`Netlify CDN purge failed and could not be recorded: ${(error as Error).message}`);
  }
  runInBackground(scope.context, secondPurge(store, tags, purge));
  flushUsage(scope, store, true);
  // Purged, but the change itself is not shared: the answer says so.
  if (unrecorded)
    throw changeNotRecorded(`post ${change.slug} (${change.locale}): Netlify Blobs failed three times`);
  return { tags, purge };
}

/** The purge again once every instance has seen the change; what fails stays owed and is retried. */
async function secondPurge(store: SharedStore | null, tags: string[], first: ChangeOutcome["purge"]) {
  await sleep(SECOND_PURGE_DELAY_MS);
  const second = await purgeOrOwe(store, siteState, tags).catch(() => "owed" as const);
  if (!store) return;
  if (second === "purged" && first === "owed") {
    await settle(store, siteState, tags).catch(() => undefined);
    log("info", "purge.completed", "Completed an owed CDN purge", { tags, attempts: 1 });
  }
  if (siteState.peek().state.owedPurge) await retryOwedPurge(store, siteState);
}
