/**
 * CDN purges that ButterCMS will not retry are ours to finish. ButterCMS
 * never re-sends a webhook, so a purge that fails is recorded in the shared
 * site state ("owed") and retried with backoff: by the webhook in the
 * background, and by any instance of any function when it next reads the
 * shared state. Worst case while Netlify's purge API stays down: the CDN
 * keeps what it had until `CDN_MAX_AGE` (docs/architecture.md, "Freshness").
 */
import { log } from "../core/log.ts";
import { sleep } from "../core/sleep.ts";
import type { SharedStore } from "../netlify/blobs.ts";
import { purgeTags } from "../netlify/purge.ts";
import { type OwedPurge, type SiteStateView, updateSiteState } from "./site-state.ts";

const BASE_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 60_000;

export const backoff = (attempts: number): number =>
  Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** attempts);

const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])];

/** Records `tags` as owed (merged with what is owed already); throws when Blobs cannot take it. */
export async function owePurge(
  store: SharedStore,
  state: SiteStateView,
  tags: readonly string[],
): Promise<void> {
  const now = Date.now();
  state.adopt(
    await updateSiteState(store, (current) => {
      const owed: OwedPurge = current.owedPurge
        ? { ...current.owedPurge, tags: union(current.owedPurge.tags, tags) }
        : { tags: [...tags], attempts: 0, nextAt: now + backoff(0) };
      return { ...current, owedPurge: owed };
    }),
  );
}

/** Removes `tags` from what is owed, once they were purged. */
export async function settle(
  store: SharedStore,
  state: SiteStateView,
  tags: readonly string[],
): Promise<void> {
  state.adopt(
    await updateSiteState(store, (current) => {
      if (!current.owedPurge) return current;
      const left = current.owedPurge.tags.filter((tag) => !tags.includes(tag));
      return { ...current, owedPurge: left.length ? { ...current.owedPurge, tags: left } : undefined };
    }),
  );
}

/** Purges now; `owed` when it failed and was recorded for a retry. Throws when it could not even record it. */
export async function purgeOrOwe(
  store: SharedStore | null,
  state: SiteStateView,
  tags: readonly string[],
): Promise<"purged" | "owed"> {
  try {
    await purgeTags(tags);
    return "purged";
  } catch (error) {
    log("error", "purge.owed", "Netlify CDN purge failed; recording it to be retried", {
      tags,
      error: (error as Error).message,
    });
    if (!store) throw error;
    await owePurge(store, state, tags);
    return "owed";
  }
}

/**
 * Claims the owed purge if it is due (compare-and-set on the attempt
 * count, so that one instance tries at a time), purges, and settles it.
 */
export async function completeOwedPurge(store: SharedStore, state: SiteStateView): Promise<boolean> {
  let claimed: OwedPurge | undefined;
  try {
    const now = Date.now();
    state.adopt(
      await updateSiteState(store, (current) => {
        claimed = current.owedPurge && current.owedPurge.nextAt <= now ? current.owedPurge : undefined;
        if (!claimed) return current;
        const attempts = claimed.attempts + 1;
        return { ...current, owedPurge: { ...claimed, attempts, nextAt: now + backoff(attempts) } };
      }),
    );
    if (!claimed) return false;
    await purgeTags(claimed.tags);
    await settle(store, state, claimed.tags);
    log("info", "purge.completed", "Completed an owed CDN purge", {
      tags: claimed.tags,
      attempts: claimed.attempts + 1,
    });
    return true;
  } catch (error) {
    log("warn", "purge.retry_failed", "An owed CDN purge failed again; it stays owed", {
      error: (error as Error).message,
    });
    return false;
  }
}

/** The webhook's background retries (within the function's lifetime); instances finish the rest. */
export async function retryOwedPurge(
  store: SharedStore,
  state: SiteStateView,
  budgetMs = 20_000,
): Promise<void> {
  const started = Date.now();
  for (let attempt = 0; Date.now() - started < budgetMs; attempt++) {
    await sleep(backoff(attempt));
    if (await completeOwedPurge(store, state)) return;
    if (!state.peek().state.owedPurge) return;
  }
}
