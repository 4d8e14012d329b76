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

export interface Post {
  slug: string;
  title: string;
  status: PostStatus;
  author?: Author;
  categories?: Term[];
  tags?: Term[];
  [field: string]: unknown;
}

export interface PostSummaryLink {
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
