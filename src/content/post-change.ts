/**
 * What the webhook does when a post changed (docs/architecture.md,
 * "Freshness"): one ButterCMS call for the post's new state (none when it
 * was unpublished or deleted), the shared index patched and the post store
 * updated (drafts and deleted posts removed, so an outage cannot resurrect
 * them), the locale's generation bumped (every instance drops its copies
 * within STATE_CHECK_MS), then the CDN purged at once and again after
 * SECOND_PURGE_DELAY_MS, which covers a copy an instance refilled from its
 * old state just before noticing. A purge that fails is owed, not lost.
 */
import { retrievePost } from "../butter/client.ts";
import type { Post } from "../butter/types.ts";
import { changeNotRecorded, purgeFailed } from "../core/errors.ts";
import { log } from "../core/log.ts";
import { openSharedStore, type SharedStore } from "../netlify/blobs.ts";
import { runInBackground } from "../netlify/context.ts";
import { type LocaleKey, tagsForPostChange } from "./cache-tags.ts";
import { fromButter, nullIfNotFound, type ReadScope, siteState } from "./cached-read.ts";
import {
  CHANGES_KEPT,
  type ChangeRecord,
  factsOf,
  type PostSide,
  writeChangeRecord,
} from "./change-records.ts";
import { purgeOrOwe, retryOwedPurge, settle } from "./owed-purge.ts";
import { forgetPost, postKey, storePost } from "./post-store.ts";
import { patchSharedIndex, upstreamLocale } from "./published-index.ts";
import { readSiteState, STATE_CHECK_MS, updateSiteState } from "./site-state.ts";

/** Longer than STATE_CHECK_MS, so every instance has seen the new generation by then. */
export const SECOND_PURGE_DELAY_MS = STATE_CHECK_MS + 1_500;

export type PostChange = "published" | "unpublished" | "unknown";

export interface ChangeOutcome {
  tags: string[];
  /** `owed`: the purge failed and is recorded to be retried. */
  purge: "purged" | "owed";
}

/** The post's state now: `unpublished` events need no call; others ask ButterCMS once. */
async function currentPost(
  scope: ReadScope,
  slug: string,
  locale: LocaleKey,
): Promise<Post | null | "unknown"> {
  try {
    const detail = await nullIfNotFound(
      fromButter(scope.config, () => retrievePost(scope.config, slug, false, upstreamLocale(locale))),
    );
    return detail?.data.status === "published" ? detail.data : null;
  } catch (error) {
    log("warn", "ButterCMS failed while a webhook asked for a post: the index will be rebuilt", {
      slug,
      error: (error as Error).message,
    });
    return "unknown";
  }
}

/** The post as it was, read once before the first write (a retry would otherwise see its own change). */
interface Before {
  stored?: Post | null;
  /** What the patch replaced; undefined when there was no index. */
  replaced?: { previous: Post | null; generation: number } | undefined;
}

async function share(
  store: SharedStore,
  locale: LocaleKey,
  slug: string,
  post: Post | null | "unknown",
  before: Before,
) {
  if (!("stored" in before)) {
    before.stored = (await store.get<{ post: Post }>(postKey(locale, slug)))?.value.post ?? null;
  }
  if (post === null) {
    // Unpublished: its body goes first, so that even if a later step fails no outage can serve it.
    await forgetPost(store, locale, slug);
  } else if (post !== "unknown") {
    await storePost(store, locale, post);
  }
  // Unknown (ButterCMS failing): the stored copy stays the last-known-good one.
  const patch = post === null || post === "unknown" ? post : summaryOf(post);
  const target = ((await readSiteState(store)).generations[locale] ?? 0) + 1;
  const replaced = await patchSharedIndex(store, locale, slug, patch, target);
  if (!("replaced" in before)) before.replaced = replaced;
  const record: ChangeRecord = {
    id: crypto.randomUUID(),
    slug,
    before: sideBefore(before, post, target),
    after: post === null ? "absent" : post === "unknown" ? "unknown" : factsOf(post, true),
  };
  const key = await writeChangeRecord(store, locale, target, record);
  const after = await updateSiteState(store, (state) => {
    const generation = Math.max((state.generations[locale] ?? 0) + 1, target);
    const generations = { ...state.generations, [locale]: generation };
    // Shared copies from before an unpublish may list the post: never served again, not even in an outage.
    const removals = post === null ? { ...state.removals, [locale]: generation } : state.removals;
    const ref = { generation, id: record.id, key };
    const kept = [...(state.changes?.[locale] ?? []), ref].slice(-CHANGES_KEPT);
    return { ...state, generations, removals, changes: { ...state.changes, [locale]: kept } };
  });
  siteState.adopt(after);
  const generation = after.generations[locale] ?? target;
  // A concurrent change bumped it past ours: the same patch again, at the newest generation.
  if (generation !== target) await patchSharedIndex(store, locale, slug, patch, generation);
}

/**
 * The post as the copies from before this change show it: what the index
 * listed, with the stored body if it is that version. "unknown" when the
 * index may already hold this change or another one no record describes:
 * no index; an index at this generation already (a change patched whose
 * generation was never bumped); an entry already at the new version (the
 * periodic rebuild got there first).
 */
function sideBefore({ stored, replaced }: Before, post: Post | null | "unknown", target: number): PostSide {
  if (replaced === undefined || replaced.generation >= target) return "unknown";
  const listed = replaced.previous;
  if (listed === null) return "absent";
  if (post !== null && post !== "unknown" && post.updated === listed.updated) return "unknown";
  const withBody = stored !== null && stored !== undefined && stored.updated === listed.updated;
  return withBody ? factsOf(stored, true) : factsOf(listed, false);
}

function summaryOf(post: Post): Post {
  const { body: _body, ...summary } = post;
  return summary as Post;
}

/** Blobs may fail once; a change that is not recorded would leave every instance's index as it was. */
async function shareWithRetries(
  store: SharedStore,
  locale: LocaleKey,
  slug: string,
  post: Post | null | "unknown",
): Promise<void> {
  const before: Before = {};
  for (let attempt = 0; ; attempt++) {
    try {
      return await share(store, locale, slug, post, before);
    } catch (error) {
      if (attempt >= 2) throw error;
      await sleep(100 * 2 ** attempt);
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function applyPostChange(
  scope: ReadScope,
  slug: string,
  locale: LocaleKey,
  change: PostChange,
): Promise<ChangeOutcome> {
  const store = openSharedStore(scope.config.content.storeName);
  const tags = tagsForPostChange(slug, locale);
  let unrecorded = false;
  if (store) {
    const post = change === "unpublished" ? null : await currentPost(scope, slug, locale);
    try {
      await shareWithRetries(store, locale, slug, post);
    } catch (error) {
      // The CDN is still purged below; instances see the change at their next index refresh.
      log("error", "Could not record a post change in Netlify Blobs", {
        slug,
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
  // Purged, but the change itself is not shared: the answer says so (instances see it at their next refresh).
  if (unrecorded) throw changeNotRecorded(`post ${slug} (${locale}): Netlify Blobs failed three times`);
  return { tags, purge };
}

/** The purge again once every instance has seen the change; what fails stays owed and is retried. */
async function secondPurge(store: SharedStore | null, tags: string[], first: ChangeOutcome["purge"]) {
  await sleep(SECOND_PURGE_DELAY_MS);
  const second = await purgeOrOwe(store, siteState, tags).catch(() => "owed" as const);
  if (!store) return;
  if (second === "purged" && first === "owed") await settle(store, siteState, tags).catch(() => undefined);
  if (siteState.peek().state.owedPurge) await retryOwedPurge(store, siteState);
}
