/**
 * Copies of ButterCMS's answers that every instance shares through Netlify
 * Blobs (`shared/...`): term lists, feeds and searches. An instance that misses
 * reads the shared copy first and asks ButterCMS only when there is none
 * current (cached-read.ts), so a publish costs one call per distinct request
 * for the whole site, not one per instance; and when ButterCMS fails, the
 * copy is the last-known-good answer.
 *
 * Bounded whatever clients send: term lists and unfiltered feeds are a fixed
 * set of keys; filtered feeds and searches (keys clients invent) go to a
 * fixed number of slots. Each such request has two candidate slots (two
 * hashes) and takes the one that holds it already, else an empty one, else
 * the one written longest ago: a few popular searches then rarely push each
 * other out, as they would with one slot each. The exact request is stored
 * with the copy and checked on read.
 *
 * No key is another key's folder (`shared/feed/default/rss/all` beside
 * `shared/feed/default/rss/slot-3`, never `…/rss` and `…/rss/slot-3`): a
 * store kept as files, as the local one is, cannot hold both.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import type { TermResource } from "../butter/types.ts";
import { fnv1a } from "../core/hash.ts";
import { log } from "../core/log.ts";
import { sleep } from "../core/sleep.ts";
import type { Representation } from "../http/representation.ts";
import type { ReadOptions, SharedStore } from "../netlify/blobs.ts";
import type { CopyDependency } from "./copy-dependency.ts";
import { DEFAULT_LOCALE, type LocaleKey } from "./locale.ts";

/** Where a read's shared copy lives, and what it belongs to. */
export interface SharedCopyKey {
  /** The blob keys it may live at: one, or two candidate slots. */
  blobs: readonly string[];
  /** The exact normalised request: a slot holds one request at a time. */
  exact: string;
  /** The locale whose posts the answer embeds (its generation decides whether a copy is current); null: none. */
  locale: LocaleKey | null;
  /** What of a post change can alter it; absent: every change of `locale` (copy-dependency.ts). */
  dependsOn?: CopyDependency | undefined;
  /**
   * How the answer lists posts, so a removed one can be left out of a
   * last-known-good copy: as JSON objects, as XML items, or not at all (a
   * term list names terms; an outage may show a category that just lost
   * its last post, which then lists nothing).
   */
  lists: "json" | "xml" | "none";
}

export interface StoredCopy {
  exact: string;
  representation: Representation;
  /** When ButterCMS gave it (ISO 8601). */
  fetchedAt: string;
  /** The locale's generation when it was fetched. */
  generation: number;
  /** Set while one instance asks ButterCMS for a newer one (epoch ms). */
  refreshingSince?: number;
}

/** A current shared copy is used for this long at most (categories change without a post event). */
export const SHARED_COPY_MAX_AGE_MS = 5 * 60_000;
export const SEARCH_SLOTS = 256;
const FILTERED_FEED_SLOTS = 64;

/** Two candidate slots under `prefix` (one when both hashes agree). */
function slots(prefix: string, exact: string, count: number): string[] {
  const first = fnv1a(exact) % count;
  const second = fnv1a(exact, 0x050c5d1f) % count;
  return [...new Set([first, second])].map((n) => `${prefix}/slot-${n}`);
}

export const SHARED_COPIES = {
  /**
   * A term list without recent posts (those come from the index). It
   * changes with a post only when a post takes a category, tag or author it
   * did not have (a new one may join the list) or a category loses a post
   * (it may leave): copy-dependency.ts decides, per change.
   */
  terms: (resource: TermResource, exact: string): SharedCopyKey => ({
    blobs: [`shared/terms/${resource}`],
    exact,
    locale: DEFAULT_LOCALE,
    lists: "none",
    dependsOn: { kind: "term-list", resource },
  }),
  feed: (
    type: string,
    locale: LocaleKey,
    filter: { category?: string | undefined; tag?: string | undefined },
    exact: string,
  ): SharedCopyKey => {
    const filtered = filter.category !== undefined || filter.tag !== undefined;
    return filtered
      ? {
          blobs: slots(`shared/feed/${locale}/${type}`, exact, FILTERED_FEED_SLOTS),
          exact,
          locale,
          dependsOn: { kind: "terms", ...filter },
          lists: "xml",
        }
      : { blobs: [`shared/feed/${locale}/${type}/all`], exact, locale, lists: "xml" };
  },
  /** Every change of the locale asks again: how ButterCMS matches a search is not documented. */
  search: (locale: LocaleKey, exact: string): SharedCopyKey => ({
    blobs: slots(`shared/search/${locale}`, exact, SEARCH_SLOTS),
    exact,
    locale,
    lists: "json",
  }),
};

type Stored = { blob: string; value: StoredCopy; etag: string };

/** What a request's candidate slots hold: its own copy if any, and every slot (for placing a new one). */
interface CopyLookup {
  own: Stored | null;
  slots: (Stored | null)[];
}

/**
 * A copy as stored: a body over COMPRESS_ABOVE_BYTES (a sitemap of
 * thousands of posts) is kept gzipped, so that no read of a copy is large.
 */
type StoredForm = StoredCopy & { gzipped?: string };
const COMPRESS_ABOVE_BYTES = 256 * 1024;

function encode(copy: StoredCopy): StoredForm {
  const { body } = copy.representation;
  if (body.length <= COMPRESS_ABOVE_BYTES) return copy;
  const gzipped = gzipSync(body).toString("base64");
  return { ...copy, representation: { ...copy.representation, body: "" }, gzipped };
}

function decode(form: StoredForm): StoredCopy {
  const { gzipped, ...copy } = form;
  if (gzipped === undefined) return copy;
  const body = gunzipSync(Buffer.from(gzipped, "base64")).toString("utf8");
  return { ...copy, representation: { ...copy.representation, body } };
}

async function readSlot(store: SharedStore, blob: string, options?: ReadOptions): Promise<Stored | null> {
  const stored = await store.get<StoredForm>(blob, options).catch(() => null);
  if (!stored) return null;
  try {
    return { blob, value: decode(stored.value), etag: stored.etag };
  } catch {
    return null; // a copy that does not decode counts as none
  }
}

/** The stored copy of exactly this request (where it lives, its ETag), and what its slots hold. */
export async function storedCopy(store: SharedStore, shared: SharedCopyKey): Promise<CopyLookup> {
  const slots = await Promise.all(shared.blobs.map((blob) => readSlot(store, blob)));
  return { own: slots.find((found) => found?.value.exact === shared.exact) ?? null, slots };
}

/** The copy of exactly this request, read with `options` (the last-known-good read takes longer). */
export async function sharedCopy(
  store: SharedStore,
  shared: SharedCopyKey,
  options?: ReadOptions,
): Promise<StoredCopy | null> {
  const slots = await Promise.all(shared.blobs.map((blob) => readSlot(store, blob, options)));
  return slots.find((found) => found?.value.exact === shared.exact)?.value ?? null;
}

/** The slot a new copy goes to: its own, else an empty one, else the one written longest ago. */
function placeFor(shared: SharedCopyKey, { own, slots }: CopyLookup): string {
  if (own) return own.blob;
  const empty = slots.indexOf(null);
  if (empty !== -1) return shared.blobs[empty] as string;
  const age = (stored: Stored | null) => Date.parse(stored?.value.fetchedAt ?? "") || 0;
  return (slots as Stored[]).reduce((oldest, stored) => (age(stored) < age(oldest) ? stored : oldest)).blob;
}

/** Shares `representation`; `seen` is what the slots held when the request looked (read again if absent). */
export async function shareCopy(
  store: SharedStore,
  shared: SharedCopyKey,
  representation: Representation,
  generation: number,
  seen?: CopyLookup,
): Promise<void> {
  const copy: StoredCopy = {
    exact: shared.exact,
    representation,
    fetchedAt: new Date().toISOString(),
    generation,
  };
  try {
    const blob =
      shared.blobs.length === 1
        ? (shared.blobs[0] as string)
        : placeFor(shared, seen ?? (await storedCopy(store, shared)));
    await store.set(blob, encode(copy));
  } catch (error) {
    log("warn", "copy.share_failed", "Could not share a copy through Netlify Blobs", {
      key: shared.blobs.join(" "),
      error: (error as Error).message,
    });
  }
}

/** Another instance refreshing a copy is trusted this long before someone else asks ButterCMS. */
const COPY_REFRESH_CLAIM_MS = 10_000;

/**
 * Whether this instance should ask ButterCMS for an outdated copy: only the
 * one that claims it (compare-and-set), so that a publish costs one call per
 * request for the whole site; the others wait for it (refreshedCopy).
 */
export async function claimRefresh(store: SharedStore, stored: Stored): Promise<boolean> {
  const since = stored.value.refreshingSince;
  if (since !== undefined && Date.now() - since < COPY_REFRESH_CLAIM_MS) return false;
  if (!stored.etag) return true; // a store that sends no ETags cannot arbitrate: everyone asks
  const claim: StoredCopy = { ...stored.value, refreshingSince: Date.now() };
  return store.set(stored.blob, encode(claim), { ifMatch: stored.etag }).catch(() => true);
}

/** How long an instance waits for another's refresh before serving the old copy, short-lived. */
const REFRESH_WAIT_MS = 1_000;
const REFRESH_POLL_MS = 100;

/**
 * The copy another instance is refreshing, once it is written for
 * `generation`: waiting a moment for it beats serving the old copy, which
 * the CDN would keep (short-lived) after a publish's first purge.
 */
export async function refreshedCopy(
  store: SharedStore,
  claimed: Stored,
  generation: number,
): Promise<Representation | null> {
  // performance.now, not Date: the wait is real time whatever the wall clock does.
  const deadline = performance.now() + REFRESH_WAIT_MS;
  while (performance.now() + REFRESH_POLL_MS <= deadline) {
    await sleep(REFRESH_POLL_MS);
    // The refresh is written where the claim was.
    const copy = (await readSlot(store, claimed.blob))?.value;
    if (!copy || copy.exact !== claimed.value.exact) return null;
    if (copy.refreshingSince === undefined) return copy.generation >= generation ? copy.representation : null;
  }
  return null;
}

/** The refresh this instance claimed failed (ButterCMS down): others stop waiting for it. */
export async function releaseClaim(store: SharedStore, claimed: Stored): Promise<void> {
  const stored = await readSlot(store, claimed.blob);
  if (stored?.value.exact !== claimed.value.exact || !stored.value.refreshingSince || !stored.etag) return;
  const { refreshingSince: _released, ...copy } = stored.value;
  await store.set(stored.blob, encode(copy), { ifMatch: stored.etag }).catch(() => false);
}
