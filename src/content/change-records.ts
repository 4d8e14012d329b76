/**
 * What one post change could have changed, so that a shared copy from
 * before it can be kept when it could not (docs/architecture.md, "What a
 * publish costs"). The webhook writes one record per change: the post's
 * facts before (from the shared index and post store) and after (from
 * ButterCMS); the site state lists, per locale, which record belongs to
 * which generation. An instance holding a copy from generation g serves it
 * at generation g + n only if every record in between exists and cannot
 * have altered that copy: a search the post could not match before or
 * after, a feed filtered by a category or tag the post was never in, a
 * category list when the post's categories stayed the same. Anything
 * unknown (a record missing, overwritten, a body not known) means "ask
 * ButterCMS", as before; SHARED_COPY_MAX_AGE_MS still bounds every copy.
 */
import { couldMatch, searchableText, searchStems } from "../butter/search-match.ts";
import type { Post } from "../butter/types.ts";
import type { SharedStore } from "../netlify/blobs.ts";
import type { LocaleKey } from "./cache-tags.ts";

/** What a post contributed to lists, searches and feeds; `text` null when its body is not known. */
export interface PostFacts {
  text: string | null;
  categories: string[];
  tags: string[];
  author: string | null;
}

/** A post's state on one side of a change: published (its facts), not published, or not known. */
export type PostSide = PostFacts | "absent" | "unknown";

export interface ChangeRecord {
  id: string;
  slug: string;
  before: PostSide;
  after: PostSide;
}

/** Which record a generation's change is, and where it lives (kept in the site state, newest last). */
export interface ChangeRef {
  generation: number;
  id: string;
  key: string;
}

/** What a shared copy's answer depends on besides the posts' existence. */
export type CopyDependency =
  /** A search: the query's stems (`searchStems`). */
  | { kind: "search"; stems: string[] }
  /** A feed narrowed to a category and/or tag. */
  | { kind: "terms"; category?: string | undefined; tag?: string | undefined }
  /**
   * A term list: categories are listed while they have a published post;
   * tags and authors always, so only a post taking a new one can add to them.
   */
  | { kind: "term-list"; resource: "category" | "tag" | "author" };

/** Records kept per locale in the site state, and record blobs per locale (older ones are overwritten). */
export const CHANGES_KEPT = 16;
const RECORD_SLOTS = 64;

export function factsOf(post: Post, withBody: boolean): PostFacts {
  return {
    text: withBody ? searchableText(post) : null,
    categories: (post.categories ?? []).map((term) => term.slug),
    tags: (post.tags ?? []).map((term) => term.slug),
    author: post.author?.slug ?? null,
  };
}

export const searchDependency = (query: string): CopyDependency => ({
  kind: "search",
  stems: searchStems(query),
});

function sideAffects(side: PostFacts | "absent", dependency: CopyDependency): boolean {
  if (side === "absent") return false;
  switch (dependency.kind) {
    case "search":
      return side.text === null || couldMatch(dependency.stems, side.text);
    case "terms":
      if (!dependency.category && !dependency.tag) return true;
      return (
        (dependency.category !== undefined && side.categories.includes(dependency.category)) ||
        (dependency.tag !== undefined && side.tags.includes(dependency.tag))
      );
    case "term-list":
      return true; // decided on both sides together
  }
}

const termsOf = (side: PostFacts | "absent", resource: "category" | "tag" | "author"): string[] => {
  if (side === "absent") return [];
  if (resource === "author") return side.author === null ? [] : [side.author];
  return resource === "category" ? side.categories : side.tags;
};

function termListAffected(
  before: PostFacts | "absent",
  after: PostFacts | "absent",
  resource: "category" | "tag" | "author",
) {
  const old = new Set(termsOf(before, resource));
  const now = new Set(termsOf(after, resource));
  const added = [...now].some((slug) => !old.has(slug));
  // A category may have lost its last published post; a tag or author stays listed.
  const removed = resource === "category" && [...old].some((slug) => !now.has(slug));
  return added || removed;
}

/**
 * Whether this change could have changed a copy with this dependency.
 * `body` is the copy itself: a search that lists the post is always affected.
 */
export function affects(record: ChangeRecord, dependency: CopyDependency, body: string): boolean {
  const { before, after } = record;
  if (before === "unknown" || after === "unknown") return true;
  if (dependency.kind === "term-list") return termListAffected(before, after, dependency.resource);
  if (dependency.kind === "search" && body.includes(JSON.stringify(record.slug))) return true;
  return sideAffects(before, dependency) || sideAffects(after, dependency);
}

/**
 * Bounded: RECORD_SLOTS blobs per locale, by the generation the change
 * expects to get, so the CHANGES_KEPT live ones do not overwrite each other;
 * a reader checks the id, so an overwritten record reads as missing.
 */
export const recordKey = (locale: LocaleKey, generation: number): string =>
  `change/${locale}/slot-${generation % RECORD_SLOTS}`;

/** Writes the record where a change expecting `generation` keeps it; returns that key. */
export async function writeChangeRecord(
  store: SharedStore,
  locale: LocaleKey,
  generation: number,
  record: ChangeRecord,
): Promise<string> {
  const key = recordKey(locale, generation);
  await store.set(key, record);
  return key;
}

/** Records are immutable once written: each instance reads one at most once (a few dozen kept). */
const known = new Map<string, ChangeRecord>();
const KNOWN_MAX = 64;

async function recordFor(store: SharedStore, { id, key }: ChangeRef): Promise<ChangeRecord | null> {
  const cached = known.get(id);
  if (cached) return cached;
  const stored = await store.get<ChangeRecord>(key).catch(() => null);
  if (!stored || stored.value.id !== id) return null;
  if (known.size >= KNOWN_MAX) known.delete(known.keys().next().value as string);
  known.set(id, stored.value);
  return stored.value;
}

/** Forgets the records this instance read (tests). */
export const forgetChangeRecords = (): void => known.clear();

/**
 * True when no change between generation `from` and `to` of `locale` can
 * have altered a copy with this dependency; false when one could, or when
 * any record is missing.
 */
export async function unchangedSince(
  store: SharedStore,
  refs: readonly ChangeRef[],
  range: { from: number; to: number },
  dependency: CopyDependency,
  body: string,
): Promise<boolean> {
  if (range.to - range.from > CHANGES_KEPT) return false;
  const wanted: ChangeRef[] = [];
  for (let generation = range.from + 1; generation <= range.to; generation++) {
    const ref = refs.find((candidate) => candidate.generation === generation);
    if (!ref) return false;
    wanted.push(ref);
  }
  const records = await Promise.all(wanted.map((ref) => recordFor(store, ref)));
  return records.every((record) => record !== null && !affects(record, dependency, body));
}
