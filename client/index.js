/**
 * A small typed client for this backend's HTTP API, on openapi-fetch.
 *
 * Plain ES module JavaScript, so it runs as is in Node 20+ and in browsers
 * (with an import map or a bundler for `openapi-fetch`). The types are in
 * `index.d.ts`, written over `schema.d.ts`, which openapi-typescript
 * generates from `openapi.json` (`npm run client:types`).
 *
 *   const blog = createBlogClient({ baseUrl: "https://blog.example.com" });
 *   const { data, meta } = await blog.listPosts({ page_size: 5 });
 *   for await (const post of blog.allPosts()) console.log(post.slug);
 *
 * Every answer that is not a success is thrown as a `BlogApiError` carrying
 * the problem's `status`, `code`, `detail` and `errors`. Flags take booleans
 * as well as the strings the API documents: `exclude_body: false` is sent as
 * `exclude_body=false`, `preview: true` as `preview=1` (`preview: false` is
 * left out, since the API refuses `preview=0`).
 */
import createClient from "openapi-fetch";

/** An error answer of the API (an RFC 9457 problem), thrown by every method. */
export class BlogApiError extends Error {
  /**
   * @param {Response} response
   * @param {unknown} body the parsed problem, or the raw text when it is not JSON
   */
  constructor(response, body) {
    const problem = isProblem(body) ? body : undefined;
    const detail =
      problem?.detail ?? `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
    super(problem ? `${problem.code}: ${detail}` : detail);
    this.name = "BlogApiError";
    this.status = response.status;
    this.code = problem?.code ?? null;
    this.title = problem?.title ?? response.statusText;
    this.detail = detail;
    this.errors = Array.isArray(problem?.errors) ? problem.errors : [];
    const retryAfter = Number.parseInt(response.headers.get("Retry-After") ?? "", 10);
    this.retryAfter = Number.isFinite(retryAfter) ? retryAfter : null;
    this.problem = problem ?? null;
    this.response = response;
  }
}

/** @param {unknown} body */
function isProblem(body) {
  return (
    typeof body === "object" &&
    body !== null &&
    typeof (/** @type {Record<string, unknown>} */ (body).code) === "string" &&
    typeof (/** @type {Record<string, unknown>} */ (body).status) === "number"
  );
}

/**
 * The query as the API spells it: booleans become the documented strings,
 * undefined members are left out.
 * @param {Record<string, unknown> | undefined} query
 */
function wireQuery(query) {
  if (!query) return query;
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (name === "preview" && typeof value === "boolean") {
      if (value) out.preview = "1";
    } else if (typeof value === "boolean") {
      out[name] = value ? "true" : "false";
    } else {
      out[name] = value;
    }
  }
  return out;
}

/**
 * @param {{ baseUrl: string, fetch?: (request: Request) => Promise<Response>, token?: string,
 *   headers?: Record<string, string>, credentials?: RequestCredentials }} options
 */
export function createBlogClient(options) {
  if (!options || typeof options.baseUrl !== "string") {
    throw new TypeError("createBlogClient: baseUrl is required (e.g. https://blog.example.com)");
  }
  const headers = { ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  const clientOptions = { baseUrl: options.baseUrl, headers };
  // Read at call time, so a fetch patched after the client was made (tests, polyfills) is used.
  clientOptions.fetch = options.fetch ?? ((request) => globalThis.fetch(request));
  if (options.credentials) clientOptions.credentials = options.credentials;
  const api = createClient(clientOptions);

  /** Unwraps openapi-fetch's `{ data, error, response }`: the data, or a thrown BlogApiError. */
  async function call(pending) {
    const { data, error, response } = await pending;
    if (!response.ok) throw new BlogApiError(response, error);
    return data;
  }

  /** The per-call options openapi-fetch understands: an AbortSignal and extra headers. */
  const init = (request) => (request ? { signal: request.signal, headers: request.headers } : {});

  const client = {
    /** The underlying openapi-fetch client, for headers (`X-Content-Stale`, `ETag`) and anything else. */
    raw: api,

    listPosts: (query, request) =>
      call(api.GET("/api/posts", { params: { query: wireQuery(query) }, ...init(request) })),

    getPost: (slug, query, request) =>
      call(
        api.GET("/api/posts/{slug}", {
          params: { path: { slug }, query: wireQuery(query) },
          ...init(request),
        }),
      ),

    getRelatedPosts: (slug, query, request) =>
      call(
        api.GET("/api/posts/{slug}/related", {
          params: { path: { slug }, query: wireQuery(query) },
          ...init(request),
        }),
      ),

    search: (query, request) =>
      call(api.GET("/api/search", { params: { query: wireQuery(query) }, ...init(request) })),

    listCategories: (query, request) =>
      call(api.GET("/api/categories", { params: { query: wireQuery(query) }, ...init(request) })),

    listTags: (query, request) =>
      call(api.GET("/api/tags", { params: { query: wireQuery(query) }, ...init(request) })),

    listAuthors: (query, request) =>
      call(api.GET("/api/authors", { params: { query: wireQuery(query) }, ...init(request) })),

    /** The feed's XML as text. */
    getFeed: (type, query, request) =>
      call(
        api.GET("/api/feeds/{type}", {
          params: { path: { type }, query: wireQuery(query) },
          parseAs: "text",
          ...init(request),
        }),
      ),

    getSession: (request) => call(api.GET("/api/auth", init(request))),

    login: (password, request) => call(api.POST("/api/auth", { body: { password }, ...init(request) })),

    logout: async (request) => {
      await call(api.DELETE("/api/auth", init(request)));
    },

    getIpAllowlist: (request) => call(api.GET("/api/ip-allowlist", init(request))),

    getOpenApi: (request) => call(api.GET("/api/openapi.json", init(request))),

    /** For operators: the site's state, with the deploy's STATUS_TOKEN (not a preview token). */
    getStatus: (statusToken, request) =>
      call(
        api.GET("/api/status", {
          ...init(request),
          headers: { ...request?.headers, Authorization: `Bearer ${statusToken}` },
        }),
      ),

    /**
     * Every post of the list, page after page (following `meta.next_page`),
     * from `query.page` (default 1), with the same filters.
     */
    async *allPosts(query, request) {
      let page = query?.page ?? 1;
      while (true) {
        const { meta, data } = await client.listPosts({ ...query, page }, request);
        yield* data;
        if (meta.next_page === null || meta.next_page === undefined) return;
        // A next page that does not move forward would loop for ever.
        if (meta.next_page <= page)
          throw new Error(`allPosts: next_page ${meta.next_page} after page ${page}`);
        page = meta.next_page;
      }
    },
  };
  return client;
}
