/**
 * A locale's published posts as ButterCMS lists them, every page: for a new
 * site's first index and for reconciliation's full pass, never on a warm
 * read. Pages of 100 (ButterCMS's largest) are fetched PAGE_CONCURRENCY at
 * a time, so 100 pages at 300 ms a call take about 5 s, well inside
 * Netlify's 30 s limit.
 *
 * Pages fetched at once can disagree when a post is published or removed
 * meanwhile (everything after it shifts by one): every page reports the
 * list's count, and a pass whose pages disagree is `consistent: false`.
 * Callers then trust what it found but not what it missed.
 */

import { listPosts } from "../butter/client.ts";
import { ButterFailure } from "../butter/failure.ts";
import type { PostList } from "../butter/types.ts";
import { mapLimit } from "../core/map-limit.ts";
import type { IndexedPost } from "./index-snapshot.ts";
import { type LocaleKey, upstreamLocale } from "./locale.ts";
import type { ReadScope } from "./read-scope.ts";
import { callButter } from "./upstream.ts";

export const PAGE_SIZE = 100;
const PAGE_CONCURRENCY = 8;

/** One page of a locale's published posts, newest first (page 1: the newest PAGE_SIZE). */
export async function fetchPage(scope: ReadScope, locale: LocaleKey, page: number): Promise<PostList> {
  try {
    return await callButter(scope.config, () =>
      listPosts(
        scope.config,
        { page, page_size: PAGE_SIZE, exclude_body: true, locale: upstreamLocale(locale) },
        false,
      ),
    );
  } catch (error) {
    // A page past the end (posts removed during the pass): ButterCMS answers 404.
    if (error instanceof ButterFailure && error.isNotFound && page > 1) {
      return { meta: { count: -1, next_page: null, previous_page: page - 1 }, data: [] };
    }
    throw error;
  }
}

/** Only what lists show: ButterCMS lists published posts, but a status other than that never enters. */
export const publishedOnly = (list: PostList): IndexedPost[] =>
  list.data
    .filter((post) => post.status === undefined || post.status === "published")
    .map(({ body: _body, ...summary }) => summary);

interface FullList {
  posts: IndexedPost[];
  /** False when the pages disagreed on the count: a post may be missing. */
  consistent: boolean;
  calls: number;
}

/** Every published post of `locale`, in ButterCMS's order (a post seen twice is kept where first seen). */
export async function fetchAllPosts(scope: ReadScope, locale: LocaleKey): Promise<FullList> {
  const first = await fetchPage(scope, locale, 1);
  const pages = Math.max(1, Math.ceil(first.meta.count / PAGE_SIZE));
  const rest = await mapLimit(
    Array.from({ length: pages - 1 }, (_, i) => i + 2),
    PAGE_CONCURRENCY,
    (page) => fetchPage(scope, locale, page),
  );
  const lists = [first, ...rest];
  const seen = new Set<string>();
  const posts = lists
    .flatMap(publishedOnly)
    .filter((post) => !seen.has(post.slug) && seen.add(post.slug) !== undefined);
  const consistent = lists.every((list) => list.meta.count === first.meta.count);
  return { posts, consistent, calls: lists.length };
}
