/**
 * Change records: how a publish reaches every instance without anyone
 * reading the whole index again. The webhook (one post) and reconciliation
 * (the posts that drifted) write a small record of what to put in or take
 * out of a locale's index (`change/<locale>/<id>`), then move the locale's
 * generation in the site state, which lists the last CHANGES_KEPT records
 * by generation. An instance whose index is at generation g applies the
 * records of g+1…G to the index it holds: a publish costs each instance a
 * kilobyte, not the index (docs/architecture.md, "The published index").
 *
 * A record holds what ButterCMS said (never the webhook's claim), so
 * applying one again, late or twice, puts the same post in the same place.
 */
import type { Term } from "../butter/types.ts";
import type { ReadOptions, SharedStore } from "../netlify/blobs.ts";
import type { IndexedPost } from "./index-snapshot.ts";
import type { LocaleKey } from "./locale.ts";
import {
  type ChangeRef,
  REMOVALS_KEPT,
  type Removal,
  type SiteState,
  updateSiteState,
} from "./site-state.ts";

/** One post's new state: its index entry, or null when it is no longer published. */
export interface PostUpdate {
  slug: string;
  entry: IndexedPost | null;
  /** For a removal: the post's `url` when known (feeds name posts by it). */
  url?: string | null;
}

export interface ChangeRecord {
  id: string;
  cause: "webhook" | "reconciliation";
  updates: PostUpdate[];
  /** What each update changed, as its writer knew it (copy-dependency.ts). */
  effects: PostEffect[];
}

/** Records listed per locale in the site state; an instance further behind reads the snapshot. */
export const CHANGES_KEPT = 32;

const recordKey = (locale: LocaleKey, id: string): string => `change/${locale}/${id}`;

export class GenerationMoved extends Error {
  constructor() {
    super("the locale's generation moved");
    this.name = "GenerationMoved";
  }
}

/**
 * Writes `record` and makes it the locale's next generation (compare-and-set
 * on the site state, so concurrent changes each get their own); `also`
 * changes the rest of the state in the same write. With `expect`, throws
 * GenerationMoved when the locale is no longer at that generation. Records
 * that drop out of the kept list are deleted in the background by `prune`.
 */
export async function recordChange(
  store: SharedStore,
  locale: LocaleKey,
  record: ChangeRecord,
  options: { expect?: number; also?: (state: SiteState) => SiteState } = {},
): Promise<{ state: SiteState; generation: number; dropped: string[] }> {
  const key = recordKey(locale, record.id);
  await store.set(key, record);
  let dropped: string[] = [];
  let generation = 0;
  const state = await updateSiteState(store, (current) => {
    const now = current.generations[locale] ?? 0;
    if (options.expect !== undefined && now !== options.expect) throw new GenerationMoved();
    generation = now + 1;
    const refs = [...(current.changes?.[locale] ?? []), { generation, key }];
    dropped = refs.slice(0, Math.max(0, refs.length - CHANGES_KEPT)).map((ref) => ref.key);
    const removals = record.updates
      .filter((update) => update.entry === null)
      .map((update): Removal => ({ generation, slug: update.slug, url: update.url ?? null }));
    const removed = [...(current.removed?.[locale] ?? []), ...removals].slice(-REMOVALS_KEPT);
    const next: SiteState = {
      ...current,
      generations: { ...current.generations, [locale]: generation },
      changes: { ...current.changes, [locale]: refs.slice(-CHANGES_KEPT) },
      removed: { ...current.removed, [locale]: removed },
    };
    return options.also ? options.also(next) : next;
  });
  return { state, generation, dropped };
}

/** Deletes records no longer listed (best effort: an orphan costs storage, never an answer). */
export async function prune(store: SharedStore, keys: readonly string[]): Promise<void> {
  await Promise.all(keys.map((key) => store.delete(key).catch(() => undefined)));
}

/** Records are immutable once written: each instance reads one at most once (a few dozen kept). */
const known = new Map<string, ChangeRecord>();
const KNOWN_MAX = 2 * CHANGES_KEPT;

/** Forgets the records this instance read (tests). */
export const forgetChangeRecords = (): void => known.clear();

/**
 * The records that take a locale from generation `from` to `to`, in order;
 * null when one is not listed (more than CHANGES_KEPT behind) or cannot be
 * read. Throws BlobsUnavailable when Blobs fails.
 */
export async function recordsBetween(
  store: SharedStore,
  refs: readonly ChangeRef[],
  from: number,
  to: number,
  options?: ReadOptions,
): Promise<ChangeRecord[] | null> {
  const wanted: ChangeRef[] = [];
  for (let generation = from + 1; generation <= to; generation++) {
    const ref = refs.find((candidate) => candidate.generation === generation);
    if (!ref) return null;
    wanted.push(ref);
  }
  const records = await Promise.all(
    wanted.map(async ({ key }) => {
      const cached = known.get(key);
      if (cached) return cached;
      const stored = await store.get<ChangeRecord>(key, options);
      // Missing, or written by an older version of this backend: the snapshot is read instead.
      if (!stored || !Array.isArray(stored.value.updates) || !Array.isArray(stored.value.effects))
        return null;
      if (known.size >= KNOWN_MAX) known.delete(known.keys().next().value as string);
      known.set(key, stored.value);
      return stored.value;
    }),
  );
  return records.every((record) => record !== null) ? (records as ChangeRecord[]) : null;
}

/** ButterCMS lists newest published first; a post goes before the first one published before it. */
function insertionPoint(posts: readonly IndexedPost[], entry: IndexedPost): number {
  const key = entry.published ?? "";
  const position = posts.findIndex((candidate) => (candidate.published ?? "") < key);
  return position === -1 ? posts.length : position;
}

/** What a post contributed to lists and feeds, on one side of a change. */
export interface PostFacts {
  categories: string[];
  tags: string[];
  author: string | null;
}

/**
 * One post's change: what it contributed before (null: not published;
 * "unknown": its writer could not tell) and after.
 */
export interface PostEffect {
  slug: string;
  before: PostFacts | null | "unknown";
  after: PostFacts | null;
}

const slugs = (terms: readonly Term[] | undefined) => (terms ?? []).map((term) => term.slug);
export const factsOf = (post: IndexedPost): PostFacts => ({
  categories: slugs(post.categories),
  tags: slugs(post.tags),
  author: post.author?.slug ?? null,
});

/** `posts` with the record's updates applied. */
export function applyRecord(posts: readonly IndexedPost[], record: ChangeRecord): IndexedPost[] {
  const next = [...posts];
  for (const update of record.updates) {
    const position = next.findIndex((post) => post.slug === update.slug);
    if (position !== -1) next.splice(position, 1);
    if (update.entry) next.splice(insertionPoint(next, update.entry), 0, update.entry);
  }
  return next;
}
