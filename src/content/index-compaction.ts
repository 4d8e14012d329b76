/**
 * A new snapshot of a locale's index once change records pile up, so that a
 * cold instance reads the snapshot and a few records, and no instance falls
 * further behind than the records the site state keeps (CHANGES_KEPT).
 * Reconciliation compacts after every full pass; the webhook compacts, in
 * the background, once COMPACT_AFTER records follow the snapshot (deploy
 * previews have no scheduler).
 */
import { log } from "../core/log.ts";
import type { SharedStore } from "../netlify/blobs.ts";
import { type IndexManifest, manifestKey, writeSnapshot } from "./index-snapshot.ts";
import type { LocaleKey } from "./locale.ts";
import { publishedIndex } from "./published-index.ts";
import type { ReadScope } from "./read-scope.ts";

export const COMPACT_AFTER = 16;

/**
 * Writes the index this instance holds (brought up to date) as the
 * snapshot, when it is newer than the stored one; `comparedAt` replaces the
 * stored one's when given (after a full comparison with ButterCMS).
 */
export async function compact(
  scope: ReadScope,
  store: SharedStore,
  locale: LocaleKey,
  comparedAt?: number,
): Promise<boolean> {
  const index = await publishedIndex(scope, locale);
  if (index.freshness.kind !== "current") return false;
  const stored = await store.get<IndexManifest>(manifestKey(locale));
  if (!stored) return false;
  const newer = stored.value.generation < index.generation;
  if (!newer && comparedAt === undefined) return false;
  return writeSnapshot(
    store,
    locale,
    index.posts,
    { generation: index.generation, comparedAt: comparedAt ?? stored.value.comparedAt },
    { manifest: stored.value, etag: stored.etag },
  );
}

/** `compact` when the snapshot is COMPACT_AFTER or more generations behind `generation`; never throws. */
export async function compactIfBehind(
  scope: ReadScope,
  store: SharedStore,
  locale: LocaleKey,
  generation: number,
): Promise<void> {
  try {
    const stored = await store.get<IndexManifest>(manifestKey(locale));
    if (!stored || generation - stored.value.generation < COMPACT_AFTER) return;
    await compact(scope, store, locale);
  } catch (error) {
    log("warn", "index.snapshot_write_failed", "Could not write a new snapshot of the published index", {
      locale,
      error: (error as Error).message,
    });
  }
}
