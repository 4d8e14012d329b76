/**
 * Resilient, cached upstream reads for one warm function instance: the
 * response cache in front, the retry policy and circuit breaker behind it.
 * Preview reads skip the cache entirely: they never read or write shared
 * entries.
 */
import { CircuitBreaker } from "./circuit-breaker.ts";
import { type Config, required } from "../core/config.ts";
import { notFound } from "../core/errors.ts";
import { log } from "../core/log.ts";
import { type FunctionContext, runInBackground } from "../netlify/context.ts";
import { ResponseCache } from "./response-cache.ts";
import type { Representation } from "../http/representation.ts";
import { UpstreamError } from "../butter/failure.ts";
import { withRetries } from "./retry-policy.ts";

/** In-function cache lifetimes; short, so a CDN purge is not undone by a warm instance's copy. */
export const CACHE_TIMES = {
  ttlMs: 30_000,
  staleWhileRevalidateMs: 300_000,
  staleIfErrorMs: 86_400_000,
};
export const CACHE_BOUNDS = { maxEntries: 500, maxBytes: 16 * 1024 * 1024 };
export const RETRY = { maxRetries: 2, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 2_000 };
export const BREAKER = { threshold: 5, cooldownMs: 10_000 };

/** A representation, or `null` for "ButterCMS has no such thing" (worth caching too). */
export type CachedRead = Representation | null;

const sizeOf = (value: CachedRead) => (value ? value.body.length + value.etag.length : 16);

let breaker = new CircuitBreaker(BREAKER);
export const responseCache = new ResponseCache<CachedRead>({ ...CACHE_TIMES, ...CACHE_BOUNDS }, sizeOf);

/** Forgets all instance state: cache entries and breaker. For tests and benchmarks. */
export function resetUpstreamState(): void {
  responseCache.clear();
  breaker = new CircuitBreaker(BREAKER);
}

function resilient<T>(config: Config, attempt: () => Promise<T>): Promise<T> {
  return withRetries(attempt, { ...RETRY, deadlineMs: required(config.upstream).deadlineMs, breaker });
}

export interface ReadOptions {
  /** The normalised upstream request: equal requests must give equal keys. */
  key: string;
  /** The cache tags of what is read, so that a purge can drop exactly these entries. */
  tags: readonly string[];
  preview: boolean;
  config: Config;
  context: FunctionContext;
}

export async function read(options: ReadOptions, load: () => Promise<CachedRead>): Promise<CachedRead> {
  const attempt = () => resilient(options.config, load);
  if (options.preview) return attempt();
  const key = `${options.tags.join(",")} ${options.key}`;
  const fresh = responseCache.peekFresh(key);
  if (fresh !== undefined) return fresh;
  const { value, outcome } = await responseCache.get(key, attempt, (work) =>
    runInBackground(options.context, work),
  );
  if (outcome === "stale-if-error") {
    log("warn", "ButterCMS failed; served a stale copy", { key });
  }
  return value;
}

/** `read` for loads that always produce a representation (lists, searches, feeds). */
export async function readRepresentation(
  options: ReadOptions,
  load: () => Promise<Representation>,
): Promise<Representation> {
  const value = await read(options, load);
  if (!value) throw notFound();
  return value;
}

/** Drops this instance's cached reads that carry any of `tags`; returns how many. */
export function dropCachedByTags(tags: readonly string[]): number {
  return responseCache.deleteWhere((key) => {
    const keyTags = key.slice(0, key.indexOf(" ")).split(",");
    return keyTags.some((tag) => tags.includes(tag));
  });
}

/** `null` when the error is ButterCMS's 404, so "not found" is cached like any answer. */
export async function nullIfNotFound<T>(work: Promise<T>): Promise<T | null> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof UpstreamError && error.upstreamStatus === 404) return null;
    throw error;
  }
}

/** A stable key for an upstream request: the operation and its params, sorted. */
export function requestKey(op: string, params: Record<string, unknown>): string {
  const pairs = Object.entries(params)
    .filter(([, value]) => value !== undefined && value !== null)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`);
  return `${op}?${pairs.join("&")}`;
}
