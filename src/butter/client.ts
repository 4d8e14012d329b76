/**
 * The thin wrapper around the official ButterCMS SDK. Callers see our types
 * and ButterFailure only; the SDK's traps stay here (each is a section of
 * docs/buttercms.md, with the test that pins it):
 *
 * - one SDK instance per warm function instance and token, built with a
 *   numeric timeout ("Numeric timeout") and typed options only
 *   ("Constructor signature changed"); no `testMode` ("Test mode truthy"):
 *   `preview: 1` is sent per request, only when the caller says so;
 * - never `cancelRequest` ("Shared abort controller"), never the
 *   `onRequest` hook ("onRequest hook contract");
 * - `undefined`/`null` params are dropped before the call ("Undefined
 *   params serialised");
 * - slugs are validated by callers, and checked again here ("Slug not
 *   encoded");
 * - the SDK's response object carries the token in `config.url` ("Token in
 *   response config"): only `res.data` is read, checked for shape, and
 *   stripped of emails;
 * - a missing token throws a bare string ("Missing token throws string"):
 *   config refuses it first.
 *
 * The butter/ layer: the SDK wrapper, its types, failure classification,
 * pagination past the end, redaction, the sample flag. It may import core/.
 */

import type { Config } from "../core/config.ts";
import { required } from "../core/config.ts";
import { misconfigured } from "../core/errors.ts";
import { isJsonObject } from "../core/json-object.ts";
import { ButterFailure, classifySdkError } from "./failure.ts";
import { withoutEmailAddresses, withoutEmails } from "./redact-personal-data.ts";
import { isSampleBlogLoaded, SAMPLE_TOKEN } from "./sample-flag.ts";
import { SLUG_PATTERN } from "./slug.ts";
import type {
  FeedType,
  ListPostsParams,
  PostDetail,
  PostList,
  SearchParams,
  TermList,
  TermResource,
} from "./types.ts";

type Params = Record<string, string | number | boolean | undefined | null>;

/** The part of the SDK's runtime we use (its .d.ts does not match the runtime: docs/buttercms.md, "Types do not match runtime"). */
interface SdkResource {
  list(params?: Record<string, string>): Promise<{ data?: unknown }>;
  retrieve(slug: string, params?: Record<string, string>): Promise<{ data?: unknown }>;
}
interface Sdk {
  post: SdkResource & { search(query: string, params?: Record<string, string>): Promise<{ data?: unknown }> };
  category: SdkResource;
  tag: SdkResource;
  author: SdkResource;
  feed: Pick<SdkResource, "retrieve">;
}

let instance: { key: string; sdk: Sdk } | undefined;

/**
 * The SDK is imported on the first call, not with the function: a cold
 * instance that answers from Netlify Blobs (most of them) never loads it.
 */
async function sdkFor(token: string, timeoutMs: number): Promise<Sdk> {
  const key = `${timeoutMs}:${token}`;
  if (instance?.key !== key) {
    const { default: Butter } = await import("buttercms");
    // The default export is typed as a function returning ButterStatic; we narrow it to what we call.
    const sdk = Butter(token, { timeout: timeoutMs }) as unknown as Sdk;
    instance = { key, sdk };
  }
  return instance.sdk;
}

/** Stringifies params for the SDK, dropping undefined and null (docs/buttercms.md, "Undefined params serialised"). */
export function sdkParams(params: Params): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null) out[name] = String(value);
  }
  return out;
}

function tokenOf(config: Config): string {
  const source = required(config.butter);
  if (source.kind === "live") return source.token;
  if (!isSampleBlogLoaded()) {
    throw misconfigured(
      "BUTTERCMS_API_TOKEN is not set and the sample blog is not loaded: run `npm start` (or `netlify dev`), or set BUTTERCMS_API_TOKEN",
    );
  }
  return SAMPLE_TOKEN;
}

function checkList(body: unknown): PostList {
  if (isJsonObject(body) && isJsonObject(body.meta) && Array.isArray(body.data))
    return body as unknown as PostList;
  throw new ButterFailure("bad_body", 200);
}

function checkDetail(body: unknown): PostDetail {
  if (isJsonObject(body) && isJsonObject(body.data) && typeof body.data.slug === "string") {
    return { meta: { next_post: null, previous_post: null }, ...(body as object) } as PostDetail;
  }
  throw new ButterFailure("bad_body", 200);
}

async function callSdk<T>(
  config: Config,
  call: (sdk: Sdk) => Promise<{ data?: unknown }>,
  check: (body: unknown) => T,
): Promise<T> {
  const token = tokenOf(config);
  const { attemptTimeoutMs } = required(config.upstream);
  // Outside the try: a package that cannot be loaded is our fault, not ButterCMS's (a 500, not a
  // retried 502).
  const sdk = await sdkFor(token, attemptTimeoutMs);
  try {
    const res = await call(sdk);
    return withoutEmails(check(res.data));
  } catch (error) {
    throw classifySdkError(error);
  }
}

const previewParam = (preview: boolean): Params => (preview ? { preview: 1 } : {});

/** `GET /v2/posts/`: one attempt, with the SDK's per-attempt timeout. */
export function listPosts(config: Config, params: ListPostsParams, preview: boolean): Promise<PostList> {
  return callSdk(
    config,
    (sdk) => sdk.post.list(sdkParams({ ...params, ...previewParam(preview) })),
    checkList,
  );
}

/** `GET /v2/posts/<slug>/`: drafts included, whatever `preview` says (the API's behaviour). */
export function retrievePost(
  config: Config,
  slug: string,
  preview: boolean,
  locale?: string | undefined,
): Promise<PostDetail> {
  if (!SLUG_PATTERN.test(slug)) return Promise.reject(new ButterFailure("http", 404));
  return callSdk(
    config,
    (sdk) => sdk.post.retrieve(slug, sdkParams({ ...previewParam(preview), locale })),
    checkDetail,
  );
}

function checkTermList(body: unknown): TermList {
  if (isJsonObject(body) && Array.isArray(body.data)) return body as unknown as TermList;
  throw new ButterFailure("bad_body", 200);
}

/** Feeds arrive as JSON whose `data` is the XML, or (per the OpenAPI example) as a bare JSON string (docs/buttercms.md, "Feeds arrive wrapped in JSON"). */
function checkFeed(body: unknown): string {
  const xml = isJsonObject(body) ? body.data : body;
  if (typeof xml === "string" && xml.trimStart().startsWith("<")) return withoutEmailAddresses(xml);
  throw new ButterFailure("bad_body", 200);
}

/** `GET /v2/posts/search/`: the SDK mutates its options (docs/buttercms.md, "Search mutates options"), so it gets a fresh object. */
export function searchPosts(config: Config, params: SearchParams): Promise<PostList> {
  const { query, ...paging } = params;
  return callSdk(config, (sdk) => sdk.post.search(query, sdkParams({ ...paging })), checkList);
}

/** `GET /v2/categories/`, `/v2/tags/` or `/v2/authors/`, optionally with their recent posts. */
export function listTerms(
  config: Config,
  resource: TermResource,
  includeRecentPosts: boolean,
): Promise<TermList> {
  const params = sdkParams({ include: includeRecentPosts ? "recent_posts" : undefined });
  return callSdk(config, (sdk) => sdk[resource].list(params), checkTermList);
}

/** `GET /v2/feeds/<type>/`: the XML document. */
export function retrieveFeed(
  config: Config,
  type: FeedType,
  filters: { category_slug?: string | undefined; tag_slug?: string | undefined; locale?: string | undefined },
): Promise<string> {
  return callSdk(config, (sdk) => sdk.feed.retrieve(type, sdkParams(filters)), checkFeed);
}
