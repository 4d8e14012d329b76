/**
 * A locale's published index as stored in Netlify Blobs: a small manifest
 * (`snapshot/<locale>/manifest`) naming content-addressed chunks
 * (`snapshot/<locale>/chunk/<id>`), so that no single read is large and a new
 * snapshot rewrites only the chunks whose posts changed.
 *
 * Chunk boundaries are content-defined: a chunk ends after a post whose
 * slug hashes to a boundary, or once it holds MAX_CHUNK_BYTES. Inserting
 * or removing a post changes the chunk that holds it, not every chunk after
 * it, as positional chunks would (a new post goes first in the index).
 *
 * A snapshot is the index at a generation; the change records after it
 * (index-changes.ts) bring it up to date. Snapshots are written by the
 * first build, by reconciliation and by compaction, never on a warm read.
 */
import type { PostSummary } from "../butter/types.ts";
import { contentId, fnv1a } from "../core/hash.ts";
import {
  BLOBS_BULK_TIMEOUT_MS,
  BLOBS_TIMEOUT_MS,
  type SharedStore,
  type StoredValue,
} from "../netlify/blobs.ts";
import type { LocaleKey } from "./locale.ts";

/** What the index keeps of a post: its summary, never its body. */
export type IndexedPost = PostSummary;

export interface IndexManifest {
  /** The locale's generation this snapshot is at: change records after it apply on top. */
  generation: number;
  /** When its posts were last compared in full with ButterCMS (epoch ms). */
  comparedAt: number;
  count: number;
  /** Chunk keys, in index order. */
  chunks: string[];
  /** Chunks the previous snapshot had and this one does not: deleted when the next snapshot is written. */
  retired?: string[];
}

export interface Snapshot {
  manifest: IndexManifest;
  /** The manifest's ETag (compare-and-set for the next snapshot); "" when the store sends none. */
  etag: string;
  posts: IndexedPost[];
  /** Each chunk's posts by key: an instance that holds them does not read them again. */
  chunks: ReadonlyMap<string, readonly IndexedPost[]>;
}

/** On average one post in BOUNDARY_EVERY ends a chunk; MAX_CHUNK_BYTES ends one in any case. */
const BOUNDARY_EVERY = 256;
export const MAX_CHUNK_BYTES = 512 * 1024;
/**
 * The manifest read's time limit: `warm`, as any read on a request's path;
 * `slow`, once a short read failed: long enough for a Blobs slowed by load,
 * short enough that a Blobs that never answers still leaves time to ask
 * ButterCMS (a cold instance answers within about 3 s either way);
 * `outage`, once ButterCMS has failed too: the alternative is an error.
 */
const MANIFEST_TIMEOUT_MS = { warm: BLOBS_TIMEOUT_MS, slow: 1_000, outage: BLOBS_BULK_TIMEOUT_MS };

export const manifestKey = (locale: LocaleKey): string => `snapshot/${locale}/manifest`;
const chunkKey = (locale: LocaleKey, id: string): string => `snapshot/${locale}/chunk/${id}`;
/** The claim of the instance building a new site's first index. */
export const buildClaimKey = (locale: LocaleKey): string => `snapshot/${locale}/building`;

/** The posts cut into chunks, each with its key (a hash of its content). */
export function chunksOf(locale: LocaleKey, posts: readonly IndexedPost[]): Map<string, IndexedPost[]> {
  const chunks = new Map<string, IndexedPost[]>();
  let current: IndexedPost[] = [];
  let texts: string[] = [];
  let bytes = 0;
  const close = () => {
    if (current.length === 0) return;
    chunks.set(chunkKey(locale, contentId(`[${texts.join(",")}]`)), current);
    current = [];
    texts = [];
    bytes = 0;
  };
  for (const post of posts) {
    const text = JSON.stringify(post);
    if (bytes + text.length > MAX_CHUNK_BYTES) close();
    current.push(post);
    texts.push(text);
    bytes += text.length + 1;
    if (fnv1a(post.slug) % BOUNDARY_EVERY === 0) close();
  }
  close();
  return chunks;
}

class SnapshotChanged extends Error {
  constructor() {
    super("the index snapshot changed while it was read");
    this.name = "SnapshotChanged";
  }
}

/**
 * The stored snapshot of `locale`, or null when none was ever written.
 * Chunks in `held` (from an earlier read) are not read again; `patience`
 * sets the manifest read's time limit (MANIFEST_TIMEOUT_MS). Throws
 * BlobsUnavailable when Blobs fails, SnapshotChanged when a newer snapshot
 * retired a chunk while this one was read (read again).
 */
export async function readSnapshot(
  store: SharedStore,
  locale: LocaleKey,
  held: ReadonlyMap<string, readonly IndexedPost[]> = new Map(),
  early?: Promise<StoredValue<IndexManifest> | null>,
  patience: "warm" | "slow" | "outage" = "warm",
): Promise<Snapshot | null> {
  const manifestRead = { timeoutMs: MANIFEST_TIMEOUT_MS[patience] };
  const stored = await (early ?? store.get<IndexManifest>(manifestKey(locale), manifestRead));
  if (!stored) return null;
  const manifest = stored.value;
  const parts = await Promise.all(
    manifest.chunks.map(async (key) => {
      const known = held.get(key);
      if (known) return known;
      const chunk = await store.get<IndexedPost[]>(key, { timeoutMs: BLOBS_BULK_TIMEOUT_MS });
      if (!chunk) throw new SnapshotChanged();
      return chunk.value;
    }),
  );
  const chunks = new Map(manifest.chunks.map((key, i) => [key, parts[i] as readonly IndexedPost[]]));
  return { manifest, etag: stored.etag, posts: parts.flat(), chunks };
}

/**
 * Writes `posts` as the snapshot at `generation`: the chunks the current
 * one lacks, then the manifest, only over `previous` (compare-and-set; a
 * new site's first with `onlyIfNew`). Returns false when another snapshot
 * was written meanwhile. Chunks retired by the snapshot before are deleted
 * now: an instance still reading that one has had a whole snapshot's
 * lifetime to finish.
 */
export async function writeSnapshot(
  store: SharedStore,
  locale: LocaleKey,
  posts: readonly IndexedPost[],
  at: { generation: number; comparedAt: number },
  previous: { manifest: IndexManifest; etag: string } | null,
): Promise<boolean> {
  const chunks = chunksOf(locale, posts);
  const before = new Set(previous?.manifest.chunks ?? []);
  await Promise.all(
    [...chunks].filter(([key]) => !before.has(key)).map(([key, value]) => store.set(key, value)),
  );
  const manifest: IndexManifest = {
    generation: at.generation,
    comparedAt: at.comparedAt,
    count: posts.length,
    chunks: [...chunks.keys()],
    retired: [...before].filter((key) => !chunks.has(key)),
  };
  const condition = previous ? (previous.etag ? { ifMatch: previous.etag } : {}) : { ifNew: true };
  const written = await store.set(manifestKey(locale), manifest, condition);
  if (!written) return false;
  const stale = (previous?.manifest.retired ?? []).filter((key) => !chunks.has(key));
  await Promise.all(stale.map((key) => store.delete(key).catch(() => undefined)));
  return true;
}
