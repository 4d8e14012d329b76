/**
 * Types of the blog API client (`index.js`), written over the types that
 * openapi-typescript generates from openapi.json (`schema.d.ts`): a change
 * to the document changes these, and `tsc` finds every caller it breaks.
 */
import type { Client } from "openapi-fetch";
import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };

type Schemas = components["schemas"];
/** The query parameters an operation documents (all optional unless the document requires them). */
type QueryOf<Op extends keyof operations> = NonNullable<operations[Op]["parameters"]["query"]>;

export type Post = Schemas["Post"];
export type PostSummary = Schemas["PostSummary"];
export type SearchResult = Schemas["SearchResult"];
export type RecentPost = Schemas["RecentPost"];
export type Author = Schemas["Author"];
export type Term = Schemas["Term"];
export type PostList = Schemas["PostList"];
export type PostDetail = Schemas["PostDetail"];
export type SearchResults = Schemas["SearchResults"];
export type RelatedPosts = Schemas["RelatedPosts"];
export type TermList = Schemas["TermList"];
export type AuthorList = Schemas["AuthorList"];
export type Session = Schemas["Session"];
export type SessionStatus = Schemas["SessionStatus"];
export type IpDecision = Schemas["IpDecision"];
export type SiteStatus = Schemas["SiteStatus"];
export type Problem = Schemas["Problem"];
export type ProblemCode = Problem["code"];
export type FieldError = NonNullable<Problem["errors"]>[number];

/**
 * A query as the document types it, with its flags taking booleans too:
 * `exclude_body: false` is sent as `false`, `preview: true` as `1` and
 * `preview: false` not at all (the API refuses `preview=0`).
 */
type WithBooleanFlags<Q> = {
  [K in keyof Q]: K extends "exclude_body" | "preview" ? Q[K] | boolean : Q[K];
};

export type ListPostsQuery = WithBooleanFlags<QueryOf<"getPosts">>;
export type GetPostQuery = WithBooleanFlags<QueryOf<"getPost">>;
export type RelatedPostsQuery = WithBooleanFlags<QueryOf<"getRelatedPosts">>;
export type SearchQuery = WithBooleanFlags<QueryOf<"searchPosts">>;
export type TermsQuery = QueryOf<"getCategories">;
export type FeedType = operations["getFeed"]["parameters"]["path"]["type"];
export type FeedQuery = QueryOf<"getFeed">;

/** Per call: abort it, or add headers (e.g. `If-None-Match`). */
export interface RequestOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export interface BlogClientOptions {
  /** Where the backend is, e.g. `https://blog.example.com` (the API is under `/api/`). */
  baseUrl: string;
  /** A fetch to use instead of `globalThis.fetch` (read at call time). */
  fetch?: (request: Request) => Promise<Response>;
  /** A preview session token (from `login`), sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /** `include` sends the preview session cookie to a backend on another origin. */
  credentials?: RequestCredentials;
}

/** An error answer of the API, from its RFC 9457 problem. */
export declare class BlogApiError extends Error {
  constructor(response: Response, body: unknown);
  override readonly name: "BlogApiError";
  /** The HTTP status. */
  readonly status: number;
  /** The problem's stable `code`; `null` when the answer was not a problem (a proxy's page, say). */
  readonly code: ProblemCode | null;
  readonly title: string;
  /** The problem's `detail`, for people (program against `code`). */
  readonly detail: string;
  /** With `invalid_parameter`: one entry per invalid parameter. Otherwise empty. */
  readonly errors: FieldError[];
  /** `Retry-After` in seconds (with `upstream_unavailable`), or null. */
  readonly retryAfter: number | null;
  /** The whole problem, with any extension member (`ip` of `ip_not_allowed`). */
  readonly problem: Problem | null;
  readonly response: Response;
}

export interface BlogClient {
  /** The underlying openapi-fetch client, for response headers and anything else. */
  readonly raw: Client<paths>;
  /** `GET /api/posts`: a page of posts, newest first. */
  listPosts(query?: ListPostsQuery, request?: RequestOptions): Promise<PostList>;
  /** `GET /api/posts/{slug}`: one post and its neighbours. */
  getPost(slug: string, query?: GetPostQuery, request?: RequestOptions): Promise<PostDetail>;
  /** `GET /api/posts/{slug}/related`: published posts related to that post. */
  getRelatedPosts(slug: string, query?: RelatedPostsQuery, request?: RequestOptions): Promise<RelatedPosts>;
  /** `GET /api/search`: posts matching `q`, most relevant first. */
  search(query: SearchQuery, request?: RequestOptions): Promise<SearchResults>;
  /** `GET /api/categories`. */
  listCategories(query?: TermsQuery, request?: RequestOptions): Promise<TermList>;
  /** `GET /api/tags`. */
  listTags(query?: TermsQuery, request?: RequestOptions): Promise<TermList>;
  /** `GET /api/authors`. */
  listAuthors(query?: TermsQuery, request?: RequestOptions): Promise<AuthorList>;
  /** `GET /api/feeds/{type}`: the XML as text. */
  getFeed(type: FeedType, query?: FeedQuery, request?: RequestOptions): Promise<string>;
  /** `GET /api/auth`: whether this client carries a valid preview session. */
  getSession(request?: RequestOptions): Promise<SessionStatus>;
  /** `POST /api/auth`: open a preview session (the token, and a cookie for same-origin use). */
  login(password: string, request?: RequestOptions): Promise<Session>;
  /** `DELETE /api/auth`: revoke this client's session. */
  logout(request?: RequestOptions): Promise<void>;
  /** `GET /api/ip-allowlist`: the caller's IP as the backend sees it. */
  getIpAllowlist(request?: RequestOptions): Promise<IpDecision>;
  /** `GET /api/openapi.json`: the OpenAPI document. */
  getOpenApi(request?: RequestOptions): Promise<Record<string, unknown> & { openapi: string }>;
  /** `GET /api/status`: the site's state, for operators, with the deploy's `STATUS_TOKEN`. */
  getStatus(statusToken: string, request?: RequestOptions): Promise<SiteStatus>;
  /** Every post of the list, page after page (following `meta.next_page`), with the same filters. */
  allPosts(query?: ListPostsQuery, request?: RequestOptions): AsyncGenerator<Post, void, undefined>;
}

export declare function createBlogClient(options: BlogClientOptions): BlogClient;
