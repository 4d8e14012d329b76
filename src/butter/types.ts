/**
 * Our own types for what ButterCMS returns (the SDK's .d.ts does not match
 * its runtime: docs/buttercms.md, "Axios-like response" and "Types do not match runtime"). Only the fields the backend relies
 * on are typed; everything else passes through untouched.
 */

export interface Author {
  slug: string;
  first_name: string;
  last_name: string;
  email?: string;
  [field: string]: unknown;
}

export interface Term {
  name: string;
  slug: string;
}

export type PostStatus = "published" | "draft" | "scheduled";

/** What every post carries; the typed fields are the ones the backend relies on. */
interface PostFields {
  slug: string;
  title: string;
  status: PostStatus;
  /** ISO 8601; lists are ordered by it, newest first. */
  published?: string | null;
  /** ISO 8601; changes with every edit. */
  updated?: string | null;
  /** The post's absolute URL on the ButterCMS-configured site (feeds link to it). */
  url?: string;
  summary?: string;
  featured_image?: string | null;
  author?: Author;
  categories?: Term[];
  tags?: Term[];
  [field: string]: unknown;
}

/** A post as lists carry it (`exclude_body=true`) and the published index keeps it: no body. */
export interface PostSummary extends PostFields {
  body?: undefined;
}

/** A post with its body, as `GET /posts/<slug>/` gives it. */
export interface Post extends PostFields {
  body?: string;
}

interface PostSummaryLink {
  slug: string;
  title: string;
  [field: string]: unknown;
}

export interface PostList {
  meta: { count: number; next_page: number | null; previous_page: number | null };
  data: Post[];
}

export interface PostDetail {
  meta: { next_post: PostSummaryLink | null; previous_post: PostSummaryLink | null };
  data: Post;
}

/** Upstream query parameters for `GET /v2/posts/`. */
export interface ListPostsParams {
  page: number;
  page_size: number;
  exclude_body: boolean;
  category_slug?: string | undefined;
  tag_slug?: string | undefined;
  author_slug?: string | undefined;
  locale?: string | undefined;
}

/** Upstream query parameters for `GET /v2/posts/search/`. */
export interface SearchParams {
  query: string;
  page: number;
  page_size: number;
  exclude_body: boolean;
  locale?: string | undefined;
}

/** `GET /v2/categories/`, `/v2/tags/`, `/v2/authors/`: items pass through (emails removed). */
export interface TermList {
  data: Record<string, unknown>[];
}

export type FeedType = "rss" | "atom" | "sitemap";

/** The kinds of term ButterCMS lists: categories, tags and authors. */
export type TermResource = "category" | "tag" | "author";
