/**
 * A model of Netlify's CDN in front of the functions: one shared cache (the
 * `durable` cache; edge nodes are not modelled) and the purge API.
 *
 * - Only GET 200 responses whose `Netlify-CDN-Cache-Control` (else
 *   `CDN-Cache-Control`, else `Cache-Control`) says `public`, without
 *   `private`/`no-store`, with `s-maxage` (else `max-age`) > 0, are stored.
 *   Errors never are.
 * - The key is the path plus the query parameters named by `Netlify-Vary:
 *   query=a|b` (the whole query string when a path has no such header) and
 *   `header=Origin`'s value if named.
 * - Fresh for `s-maxage`; then served stale for `stale-while-revalidate`
 *   while one background request per key (through a function instance)
 *   revalidates it; a failed revalidation keeps the stale copy.
 * - Concurrent misses of one key are not coalesced: each goes to a function.
 * - `Netlify-Cache-Tag` (else `Cache-Tag`) names the tags a purge removes.
 * - A purge takes effect `propagationMs` after the API accepted it. A fill
 *   that was already running when a purge took effect is still stored when
 *   it completes (the classic purge race), unless `purgeRace` is "drop".
 * - The purge API answers 202, or 429 when any tag of the request has been
 *   purged `perTagLimit` times in the last `perTagWindowMs` (nothing purged).
 */
import type { VirtualClock } from "./clock.ts";

export interface OriginResponse {
  status: number;
  headers: Headers;
  body: string;
}

/** A request at the CDN; a `Request` is built only when a function is invoked. Header names lower case. */
export interface SimRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

export const toRequest = (request: SimRequest): Request =>
  new Request(request.url, {
    method: request.method,
    headers: request.headers,
    ...(request.body !== undefined ? { body: request.body } : {}),
  });

/** Why the CDN asks a function: what the miss or revalidation follows. */
export type FillCause = "first" | "purged" | "expired" | "revalidate" | "uncacheable" | "bypass";

export type Origin = (request: SimRequest, cause: FillCause) => Promise<OriginResponse>;

export interface CdnResponse extends OriginResponse {
  cache: "hit" | "stale" | "miss" | "bypass";
}

interface Entry {
  status: number;
  headers: Headers;
  body: string;
  tags: string[];
  storedAt: number;
  freshUntil: number;
  staleUntil: number;
  revalidating: boolean;
}

interface CacheRule {
  ttl: number;
  swr: number;
}

interface VarySpec {
  query: string[] | null;
  headers: string[];
}

function directives(value: string | null): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of (value ?? "").split(",")) {
    const [name, arg] = part.trim().split("=");
    if (name) map.set(name.toLowerCase(), (arg ?? "").replace(/"/g, ""));
  }
  return map;
}

export function cacheRule(method: string, status: number, headers: Headers): CacheRule | null {
  if (method !== "GET" || status !== 200) return null;
  const header =
    headers.get("netlify-cdn-cache-control") ??
    headers.get("cdn-cache-control") ??
    headers.get("cache-control");
  const d = directives(header);
  if (!d.has("public") || d.has("private") || d.has("no-store")) return null;
  const ttl = Number(d.get("s-maxage") ?? d.get("max-age") ?? 0);
  if (!(ttl > 0)) return null;
  return { ttl, swr: Number(d.get("stale-while-revalidate") ?? 0) || 0 };
}

function varySpec(headers: Headers): VarySpec {
  const spec: VarySpec = { query: null, headers: [] };
  for (const part of (headers.get("netlify-vary") ?? "").split(",")) {
    const [kind, list] = part.trim().split("=");
    const names = (list ?? "").split("|").filter(Boolean);
    if (kind === "query") spec.query = names;
    if (kind === "header") spec.headers.push(...names.map((n) => n.toLowerCase()));
  }
  return spec;
}

const tagsOf = (headers: Headers): string[] =>
  (headers.get("netlify-cache-tag") ?? headers.get("cache-tag") ?? "")
    .split(",")
    .map((tag) => tag.trim())
    .filter(Boolean);

export interface CdnStats {
  requests: number;
  hits: number;
  staleHits: number;
  misses: number;
  bypass: number;
  revalidations: number;
  stored: number;
  /** Fills stored although a purge of one of their tags took effect while they ran. */
  racedFillsStored: number;
  racedFillsDropped: number;
  /** The lower bound: one origin fetch per key per purge or expiry (concurrent misses of a key counted once). */
  boundFetches: number;
  boundByCause: Record<string, number>;
  purgesApplied: number;
  entriesPurged: number;
}

export class Cdn {
  private readonly entries = new Map<string, Entry>();
  private readonly varyByPath = new Map<string, VarySpec>();
  /** Why a key has no entry: what its next miss follows. */
  private readonly removed = new Map<string, "purged" | "expired" | "uncacheable">();
  private readonly inflight = new Map<string, number>();
  /** When each purge took effect and its tags (for the purge race). */
  private readonly purgeHistory: { at: number; tags: Set<string> | null }[] = [];
  readonly stats: CdnStats = {
    requests: 0,
    hits: 0,
    staleHits: 0,
    misses: 0,
    bypass: 0,
    revalidations: 0,
    stored: 0,
    racedFillsStored: 0,
    racedFillsDropped: 0,
    boundFetches: 0,
    boundByCause: {},
    purgesApplied: 0,
    entriesPurged: 0,
  };

  /** Events for URLs matching `SIM_TRACE` (a regular expression), for debugging a run. */
  readonly trace: string[] = [];
  private readonly tracePattern = process.env.SIM_TRACE ? new RegExp(process.env.SIM_TRACE) : null;

  constructor(
    private readonly clock: VirtualClock,
    private readonly origin: Origin,
    readonly options: { purgeRace: "store" | "drop" },
  ) {}

  private note(url: string, event: string, body?: string): void {
    if (!this.tracePattern?.test(url) || this.trace.length > 5000) return;
    const marks = body ? [...new Set(body.match(/zq\d+zq/g) ?? [])].join(" ") : "";
    const slug = process.env.SIM_TRACE_SLUG;
    const has = slug && body ? ` [${slug}: ${body.includes(`"slug":"${slug}"`) ? "listed" : "absent"}]` : "";
    this.trace.push(`${((this.clock.now % 10_000_000) / 1000).toFixed(2)} ${url} ${event} ${marks}${has}`);
  }

  get size(): number {
    return this.entries.size;
  }

  private readonly parsed = new Map<string, URL>();

  private parse(href: string): URL {
    let url = this.parsed.get(href);
    if (!url) {
      url = new URL(href);
      if (this.parsed.size > 100_000) this.parsed.clear();
      this.parsed.set(href, url);
    }
    return url;
  }

  private keyFor(url: URL, headers: Record<string, string>): string {
    const spec = this.varyByPath.get(url.pathname);
    if (!spec) return `${url.pathname}${url.search}`;
    let key = url.pathname;
    if (spec.query) {
      const parts: string[] = [];
      for (const name of spec.query) {
        const value = url.searchParams.get(name);
        if (value !== null) parts.push(`${name}=${encodeURIComponent(value)}`);
      }
      key += `?${parts.join("&")}`;
    } else {
      key += url.search;
    }
    for (const name of spec.headers) key += `|${name}=${headers[name] ?? ""}`;
    return key;
  }

  private countBound(cause: FillCause): void {
    this.stats.boundFetches++;
    this.stats.boundByCause[cause] = (this.stats.boundByCause[cause] ?? 0) + 1;
  }

  async fetch(request: SimRequest): Promise<CdnResponse> {
    this.stats.requests++;
    const url = this.parse(request.url);
    if (request.method !== "GET") {
      this.stats.bypass++;
      return { ...(await this.origin(request, "bypass")), cache: "bypass" };
    }
    const key = this.keyFor(url, request.headers);
    const entry = this.entries.get(key);
    const now = this.clock.now;
    if (entry) {
      if (now < entry.freshUntil) {
        this.stats.hits++;
        if (this.tracePattern && process.env.SIM_TRACE_HITS)
          this.note(request.url, `hit key=${key}`, entry.body);
        return { status: entry.status, headers: entry.headers, body: entry.body, cache: "hit" };
      }
      if (now < entry.staleUntil) {
        this.stats.staleHits++;
        if (!entry.revalidating) this.revalidate(key, entry, request);
        return { status: entry.status, headers: entry.headers, body: entry.body, cache: "stale" };
      }
      this.entries.delete(key);
      this.removed.set(key, "expired");
    }
    this.stats.misses++;
    const cause: FillCause = this.removed.get(key) ?? "first";
    if (!this.inflight.get(key)) this.countBound(cause);
    this.inflight.set(key, (this.inflight.get(key) ?? 0) + 1);
    const startedAt = now;
    let response: OriginResponse;
    try {
      response = await this.origin(request, cause);
    } finally {
      const left = (this.inflight.get(key) ?? 1) - 1;
      if (left > 0) this.inflight.set(key, left);
      else this.inflight.delete(key);
    }
    this.note(
      request.url,
      `miss(${cause}) started ${((startedAt % 10_000_000) / 1000).toFixed(2)} -> ${response.status} ${response.headers.get("x-content-stale") ?? ""}`,
      response.body,
    );
    this.store(url, request, response, startedAt);
    return { ...response, cache: "miss" };
  }

  private revalidate(key: string, entry: Entry, request: SimRequest): void {
    entry.revalidating = true;
    this.stats.revalidations++;
    this.countBound("revalidate");
    const startedAt = this.clock.now;
    const url = this.parse(request.url);
    this.origin({ url: request.url, method: "GET", headers: request.headers }, "revalidate")
      .then((response) => {
        this.note(request.url, `revalidated -> ${response.status}`, response.body);
        if (!this.store(url, request, response, startedAt)) entry.revalidating = false;
      })
      .catch(() => {
        entry.revalidating = false;
      })
      .finally(() => {
        // An entry replaced or purged meanwhile is no longer this one.
        if (this.entries.get(key) === entry) entry.revalidating = false;
      });
  }

  /** Stores a cacheable response; returns whether it did. */
  private store(url: URL, request: SimRequest, response: OriginResponse, startedAt: number): boolean {
    const rule = cacheRule(request.method, response.status, response.headers);
    if (this.tracePattern) this.note(request.url, `store? ${rule ? "yes" : "no"} status ${response.status}`);
    if (!rule) {
      if (!this.entries.has(this.keyFor(url, request.headers))) {
        this.removed.set(this.keyFor(url, request.headers), "uncacheable");
      }
      return false;
    }
    const spec = varySpec(response.headers);
    this.varyByPath.set(url.pathname, spec);
    const key = this.keyFor(url, request.headers);
    const tags = tagsOf(response.headers);
    const raced = this.purgeHistory.some(
      (purge) => purge.at > startedAt && (purge.tags === null || tags.some((tag) => purge.tags?.has(tag))),
    );
    if (raced && this.options.purgeRace === "drop") {
      this.stats.racedFillsDropped++;
      return false;
    }
    if (raced) this.stats.racedFillsStored++;
    const now = this.clock.now;
    this.entries.set(key, {
      status: response.status,
      headers: response.headers,
      body: response.body,
      tags,
      storedAt: now,
      freshUntil: now + rule.ttl * 1000,
      staleUntil: now + (rule.ttl + rule.swr) * 1000,
      revalidating: false,
    });
    this.removed.delete(key);
    this.stats.stored++;
    return true;
  }

  /** Removes every entry with one of `tags` (all entries when `tags` is null). */
  applyPurge(tags: string[] | null): number {
    const set = tags ? new Set(tags) : null;
    let removed = 0;
    if (this.tracePattern)
      this.trace.push(`${((this.clock.now % 10_000_000) / 1000).toFixed(2)} PURGE ${tags}`);
    for (const [key, entry] of this.entries) {
      if (set === null || entry.tags.some((tag) => set.has(tag))) {
        this.note(key, "purged");
        this.entries.delete(key);
        this.removed.set(key, "purged");
        removed++;
      }
    }
    this.purgeHistory.push({ at: this.clock.now, tags: set });
    if (this.purgeHistory.length > 1000) this.purgeHistory.splice(0, 500);
    this.stats.purgesApplied++;
    this.stats.entriesPurged += removed;
    return removed;
  }

  /** Forgets everything (a new deploy clears the CDN cache). */
  clear(): void {
    this.entries.clear();
  }
}

export interface PurgeApiOptions {
  token: string;
  siteID: string;
  latencyMs: number;
  propagationMs: number;
  perTagLimit: number;
  perTagWindowMs: number;
}

export interface PurgeRecord {
  at: number;
  tags: string[] | null;
  status: number;
}

/** `POST https://api.netlify.com/api/v1/purge`, as `purgeCache()` of @netlify/functions calls it. */
export class PurgeApi {
  static readonly URL = "https://api.netlify.com/api/v1/purge";
  readonly log: PurgeRecord[] = [];
  private readonly byTag = new Map<string, number[]>();

  constructor(
    private readonly clock: VirtualClock,
    private readonly cdn: Cdn,
    readonly options: PurgeApiOptions,
  ) {}

  owns(url: URL): boolean {
    return `${url.origin}${url.pathname}` === PurgeApi.URL;
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimeout(resolve, ms));
  }

  async handle(request: Request): Promise<Response> {
    const text = await request.text();
    await this.wait(this.options.latencyMs / 2);
    const status = this.accept(request, text);
    await this.wait(this.options.latencyMs / 2);
    return status === 202
      ? new Response(null, { status })
      : Response.json({ code: status, message: "purge refused" }, { status });
  }

  private accept(request: Request, text: string): number {
    if (request.method !== "POST") return 405;
    if (request.headers.get("authorization") !== `Bearer ${this.options.token}`) return 401;
    let body: { cache_tags?: unknown; site_id?: unknown };
    try {
      body = JSON.parse(text);
    } catch {
      return 400;
    }
    if (body.site_id !== this.options.siteID) return 404;
    const tags =
      Array.isArray(body.cache_tags) && body.cache_tags.length > 0 ? body.cache_tags.map(String) : null;
    const now = this.clock.now;
    const since = now - this.options.perTagWindowMs;
    for (const tag of tags ?? ["*"]) {
      const recent = (this.byTag.get(tag) ?? []).filter((at) => at > since);
      this.byTag.set(tag, recent);
      if (recent.length >= this.options.perTagLimit) {
        this.log.push({ at: now, tags, status: 429 });
        return 429;
      }
    }
    for (const tag of tags ?? ["*"]) {
      const recent = this.byTag.get(tag) ?? [];
      recent.push(now);
      this.byTag.set(tag, recent);
    }
    this.log.push({ at: now, tags, status: 202 });
    this.clock.setTimeout(() => this.cdn.applyPurge(tags), this.options.propagationMs);
    return 202;
  }
}
