/**
 * The scenarios, one per worker process (bench/sim/cli.ts runs them; the
 * list and what each measures is in bench/SIM.md, "Scenarios"):
 *
 * - `publish`, `visibility`, `naive`, `slow-butter`: the sample blog with
 *   readers and publishes (`publishScenario`, `naiveScenario`).
 * - `outage`, `outage-slow-blobs`: ButterCMS down for 10 minutes
 *   (`outageScenario`).
 * - `scale`, `scale-control` (and `slow-blobs-scale`): twins of one
 *   10,000-post, 3-locale, 50-instance site that differ only in two
 *   10-minute windows, one with publishes, one with Blobs failing
 *   (`scaleScenario`); figures are differences between twins.
 * - `slow-blobs`: the sample blog with Blobs 10x slower (`publishScenario`).
 * - `memory`: the heap one warm instance holds (`memoryScenario`).
 * - `plan-*`, `reconcile-300ms`: the scheduler alone at a ButterCMS plan's
 *   post limit (`planScenario`).
 * - `lost-webhook`: 10 % of webhooks lost, how long until the CDN shows them
 *   (`lostWebhookScenario`).
 */

import { realNow } from "./clock.ts";
import { type Instance, newTally, SITE_URL, type Tally } from "./platform.ts";
import {
  Probes,
  Publisher,
  type PublishRecord,
  publishPlan,
  STEM_QUERIES,
  summariseVisibility,
  visibleAfter,
} from "./publishing.ts";
import { finiteOrNull, percentile, rng, round } from "./random.ts";
import { Readers } from "./readers.ts";
import { inLocale, mentions, Universe } from "./traffic.ts";
import { MB, MODEL, type World } from "./world.ts";

/** Page views per second of the sample blog (about 98 API requests per second). */
const RATE = 60;
const WARMUP_MS = 120_000;
const VIEWS = 100_000;
/** The naive handler makes one ButterCMS call per request by construction: measured over fewer views. */
const NAIVE_VIEWS = 5_000;
const PUBLISHES = 50;
const WINDOW_MS = 600_000;

function universeFor(world: World, seed: number): Universe {
  const extras: ((slug: string) => string)[] = [];
  // Related posts, if the deploy has a function for them (the frontend asks for them on every post view).
  if (world.routes("/api/posts/x/related")) extras.push((slug) => `/api/posts/${slug}/related`);
  return new Universe(world.butterModule, rng(seed), {
    pageSize: MODEL.pageSize,
    postExtras: extras,
    locales: world.localeKeys,
    extraQueries: STEM_QUERIES,
  });
}

/** Runs the clock until `done()` (checked every virtual second) or `maxMs`. */
async function runUntil(world: World, done: () => boolean, maxMs: number): Promise<void> {
  const end = world.clock.now + maxMs;
  while (!done() && world.clock.now < end) await world.clock.advance(1_000);
}

/** Everything a window is measured with: take one at each end and subtract. */
function counters(world: World) {
  const blobs = world.blobs.stats;
  return {
    calls: world.butter.calls,
    byCause: { ...world.butter.callsByCause },
    refills: world.cdn.stats.boundFetches,
    refillsByCause: { ...world.cdn.stats.boundByCause },
    invocations: world.platform.invocations,
    blobsReads: blobs.reads,
    blobsBytesRead: blobs.bytes,
    blobsAbortedReads: blobs.abortedReads,
    blobsFailedCalls: blobs.failedCalls,
    blobsByClass: Object.fromEntries(Object.entries(blobs.byClass).map(([name, c]) => [name, c.bytes])),
    blobsByCause: Object.fromEntries(Object.entries(blobs.byCause).map(([name, c]) => [name, c.bytes])),
  };
}

type Counters = ReturnType<typeof counters>;

function diff(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) {
    const d = value - (before[key] ?? 0);
    if (d) out[key] = d;
  }
  return out;
}

/** The window between two counter readings. */
function windowOf(before: Counters, after: Counters) {
  return {
    butter_calls: after.calls - before.calls,
    butter_calls_by_cause: diff(after.byCause, before.byCause),
    function_invocations: after.invocations - before.invocations,
    blobs_reads: after.blobsReads - before.blobsReads,
    blobs_bytes_read: after.blobsBytesRead - before.blobsBytesRead,
    blobs_aborted_reads: after.blobsAbortedReads - before.blobsAbortedReads,
    blobs_failed_calls: after.blobsFailedCalls - before.blobsFailedCalls,
    blobs_bytes_read_by_key: diff(after.blobsByClass, before.blobsByClass),
    blobs_bytes_read_by_cause: diff(after.blobsByCause, before.blobsByCause),
  };
}

/** Share of 200s among statuses counted by `status → count`. */
const share200 = (statuses: Record<string, number>): number | null => {
  const total = Object.values(statuses).reduce((sum, count) => sum + count, 0);
  return total === 0 ? null : round((statuses["200"] ?? 0) / total, 5);
};

const bump = (counts: Record<string, number>, key: string | number): void => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/** The scheduled runs so far, summarised (by ButterCMS calls: a run with more than one per locale is a full pass). */
export function scheduledSummary(world: World, since = 0) {
  const runs = world.platform.scheduledRuns.filter((run) => run.at >= since);
  const locales = world.localeKeys.length;
  const calls = runs.map((run) => run.tally.butterCalls);
  return {
    functions_scheduled: world.platform.scheduledNames,
    schedule_errors: world.platform.scheduleErrors,
    runs: runs.length,
    butter_calls: calls.reduce((sum, n) => sum + n, 0),
    runs_by_butter_calls: countsOf(calls.map(String)),
    /** Runs that called ButterCMS more than once per locale (a pass over more than the newest page). */
    full_passes: calls.filter((n) => n > locales).length,
    statuses: countsOf(runs.map((run) => String(run.status))),
    ms_max: runs.length ? Math.round(Math.max(...runs.map((run) => run.ms))) : null,
    ms_p50: runs.length
      ? Math.round(
          percentile(
            runs.map((run) => run.ms),
            50,
          ),
        )
      : null,
    blobs_bytes_read_max: runs.length ? Math.max(...runs.map((run) => run.tally.blobsBytesRead)) : null,
  };
}

const countsOf = (values: string[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const value of values) bump(counts, value);
  return counts;
};

export function diagnostics(world: World) {
  const purges = world.purge.log;
  return {
    virtual_seconds: round((world.clock.now - MODEL.startMs) / 1000, 1),
    requests_open_over_60s: world.stuck(),
    timers_fired: world.clock.fired,
    functions: Object.fromEntries(
      [...world.platform.pools.values()].map((pool) => [
        pool.name,
        {
          instances: pool.instances.length,
          invocations: world.platform.invocationsByFunction[pool.name] ?? 0,
        },
      ]),
    ),
    statuses_by_function: world.platform.statusByFunction,
    statuses_by_cause: world.platform.statusByKind,
    crashes: world.platform.crashes,
    function_timeouts: world.platform.timeouts,
    wait_until_errors: world.platform.waitUntilErrors,
    scheduled: scheduledSummary(world),
    cdn: { ...world.cdn.stats, entries: world.cdn.size },
    purge_api: {
      accepted: purges.filter((p) => p.status === 202).length,
      rate_limited: purges.filter((p) => p.status === 429).length,
      other: purges.filter((p) => p.status !== 202 && p.status !== 429).length,
      tags_seen: [...new Set(purges.flatMap((p) => p.tags ?? ["*"]))].slice(0, 12),
    },
    blobs: { ops: world.blobs.ops, reads: world.blobs.stats, stored: world.blobs.sizes() },
    butter_calls_by_cause: world.butter.callsByCause,
    butter_calls_by_cause_and_function: world.butter.callsByCauseAndFunction,
    logs: world.platform.logs,
    ...(world.cdn.trace.length ? { trace: world.cdn.trace } : {}),
  };
}

export interface PublishScenarioOptions {
  probes: boolean;
  seed: number;
  /** Publishes in the measured phase (default 50). */
  publishes?: number;
  /** How long probes watch each publish (default 600 s). */
  windowMs?: number;
  /** Blobs this many times slower from the end of the warm-up on (default 1). */
  blobsSlowFactor?: number;
}

/** `publish` (probes: false), `visibility` and `slow-butter` (probes: true). */
export async function publishScenario(world: World, options: PublishScenarioOptions) {
  const butter = world.butterModule;
  const windowMs = options.windowMs ?? WINDOW_MS;
  butter.addDrafts(12, world.clock.now - 3_600_000);
  await world.loadFunctions();
  world.platform.startSchedules();
  const universe = universeFor(world, options.seed + 10);
  const readers = new Readers(world, universe, RATE, rng(options.seed + 11));
  readers.start();
  await world.clock.advance(WARMUP_MS);

  world.blobs.slowFactor = options.blobsSlowFactor ?? 1;
  const before = counters(world);
  const requestsBefore = readers.requests;
  const pageViewsBefore = readers.pageViews;
  const statusesBefore = { ...readers.statuses };
  const publisher = new Publisher(world, universe, windowMs);
  // Readers ask for a published draft at once (traffic.ts): a 404 before the freshness promise has
  // run out is that delay as a reader sees it; any other 404 is counted as a failure.
  const notFound = { newPostBeforePromise: 0, other: 0, otherByUrl: {} as Record<string, number> };
  readers.onAnswer = (url, response) => {
    if (response.status !== 404) return;
    const slug = /^\/api\/posts\/([^/?]+)/.exec(url)?.[1];
    const draft = publisher.records.find((record) => record.slug === slug && record.kind === "draft");
    if (draft && world.clock.now - draft.at <= FRESHNESS_PROMISE_MS) notFound.newPostBeforePromise++;
    else {
      notFound.other++;
      bump(notFound.otherByUrl, url);
    }
  };
  const probes = options.probes ? new Probes(world, universe, publisher) : null;
  probes?.start();
  const plan = publishPlan(rng(options.seed + 12), options.publishes ?? PUBLISHES, 4);
  const phaseStart = world.clock.now;
  let published = 0;
  for (const item of plan) {
    world.clock.setTimeout(() => {
      publisher
        .publish(item.kind)
        .catch((error) => world.platform.logLine("publish-error", String(error)))
        .finally(() => {
          published++;
        });
    }, item.offsetMs);
  }
  const lastOffset = plan.at(-1)?.offsetMs ?? 0;
  if (options.probes) {
    await world.clock.runUntil(phaseStart + lastOffset + windowMs + 1_000);
  } else {
    await runUntil(
      world,
      () => published === plan.length && readers.requests - requestsBefore >= VIEWS,
      3_600_000,
    );
  }
  readers.stop();
  probes?.stop();
  world.blobs.slowFactor = 1;
  const measuredSeconds = (world.clock.now - phaseStart) / 1000;
  await world.clock.advance(30_000);
  const after = counters(world);
  const views = readers.requests - requestsBefore;
  const calls = after.calls - before.calls;
  const refills = after.refills - before.refills;
  const invocations = after.invocations - before.invocations;
  const per100k = (n: number) => round((n / views) * 100_000, 1);
  const webhookMs = publisher.records.map((record) => record.webhookMs);
  return {
    butter_latency_ms: world.butter.options.latencyMs,
    blobs_slow_factor: options.blobsSlowFactor ?? 1,
    search_mode: world.butter.options.search,
    views,
    page_views: readers.pageViews - pageViewsBefore,
    measured_virtual_seconds: round(measuredSeconds, 1),
    api_requests_per_second: round(views / measuredSeconds, 1),
    publishes: publisher.records.length,
    butter_calls: calls,
    butter_calls_per_100k_views: per100k(calls),
    /** The CDN's refills: one per key per purge or expiry (concurrent misses of a key counted once). */
    cdn_refills: refills,
    cdn_refills_per_100k_views: per100k(refills),
    function_invocations: invocations,
    function_invocations_per_100k_views: per100k(invocations),
    calls_by_cause: diff(after.byCause, before.byCause),
    refills_by_cause: diff(after.refillsByCause, before.refillsByCause),
    blobs: windowOf(before, after),
    reader_statuses: diff(readers.statuses, statusesBefore),
    reader_share_200: share200(diff(readers.statuses, statusesBefore)),
    /** 404s for a draft published less than FRESHNESS_PROMISE_MS before the answer: not yet visible. */
    reader_404_new_post_within_promise: notFound.newPostBeforePromise,
    reader_404_other: notFound.other,
    reader_404_other_by_url: notFound.otherByUrl,
    /** 200s, with the 404s above for posts not yet due to be visible left out of the count. */
    reader_share_200_past_promise: share200(
      without404s(diff(readers.statuses, statusesBefore), notFound.newPostBeforePromise),
    ),
    reader_cache: readers.cache,
    webhook_ms_max: webhookMs.length ? Math.max(...webhookMs) : null,
    webhook_statuses: countsOf(publisher.records.map((record) => String(record.webhookStatus))),
    probe_requests: probes?.requests ?? 0,
    visibility: options.probes ? summariseVisibility(publisher.records, windowMs) : undefined,
    traffic: {
      posts: universe.popularity.length,
      list_pages: universe.pages,
      queries: universe.queries,
      post_extras: universe.options.postExtras.length,
    },
  };
}

/** The freshness promise: a publish visible within 10 s of its webhook (README). */
const FRESHNESS_PROMISE_MS = 10_000;

function without404s(statuses: Record<string, number>, count: number): Record<string, number> {
  return { ...statuses, "404": (statuses["404"] ?? 0) - count };
}

/** The naive seed handler behind the same CDN, the same readers. */
export async function naiveScenario(world: World, options: { seed: number }) {
  const butter = world.butterModule;
  butter.addDrafts(12, world.clock.now - 3_600_000);
  await world.loadFunctions();
  world.platform.override = world.platform.pools.get("naive") ?? null;
  if (!world.platform.override) throw new Error("no naive bundle");
  const universe = universeFor(world, options.seed + 10);
  const readers = new Readers(world, universe, RATE, rng(options.seed + 11));
  readers.start();
  await world.clock.advance(5_000); // nothing to warm: no cache anywhere
  const callsBefore = world.butter.calls;
  const requestsBefore = readers.requests;
  await runUntil(world, () => readers.requests - requestsBefore >= NAIVE_VIEWS, 3_600_000);
  readers.stop();
  await world.clock.advance(5_000);
  const views = readers.requests - requestsBefore;
  const calls = world.butter.calls - callsBefore;
  return {
    views,
    note: `measured over ${NAIVE_VIEWS} views and scaled to 100k`,
    butter_calls: calls,
    butter_calls_per_100k_views: round((calls / views) * 100_000, 1),
    cdn_stored: world.cdn.stats.stored,
    reader_statuses: readers.statuses,
  };
}

export interface OutageOptions {
  seed: number;
  downMs: number;
  /** Blobs this many times slower during the outage (default 1). */
  blobsSlowFactor?: number;
  /** Posts unpublished (with their `post.delete` webhook) shortly before the outage (default 0). */
  unpublishes?: number;
}

/**
 * ButterCMS down 10 minutes right after a publish's purge, every instance
 * cold; optionally Blobs slower meanwhile and posts unpublished shortly
 * before. Readers ask only URLs answered 200 before (the unpublished posts'
 * own pages left out: those must not be 200); the share of 200s is counted
 * at the CDN (what readers got) and at the functions (what they answered to
 * the CDN's misses and revalidations of those URLs), and any answer that
 * still lists an unpublished post is counted too.
 */
export async function outageScenario(world: World, options: OutageOptions) {
  await world.loadFunctions();
  world.platform.startSchedules();
  const universe = universeFor(world, options.seed + 10);
  const readers = new Readers(world, universe, RATE, rng(options.seed + 11));
  const servedBefore = new Set<string>();
  readers.onAnswer = (url, response) => {
    if (response.status === 200) servedBefore.add(url);
  };
  readers.start();
  await world.clock.advance(300_000);

  const publisher = new Publisher(world, universe, WINDOW_MS);
  const record = await world.clock.drive(publisher.publish("edit"));
  const purgesBefore = world.cdn.stats.purgesApplied;
  // Right after the purge has taken effect.
  await runUntil(world, () => world.cdn.stats.purgesApplied > purgesBefore, 10_000);

  // Unpublishes 30 s apart, the last 15 s before ButterCMS goes down: lists, feeds and searches made
  // before them (the last-known-good copies) still show them.
  const removed: PublishRecord[] = [];
  const unpublishes = options.unpublishes ?? 0;
  const newest = world.butterModule.publishedPosts().map((post) => post.slug);
  for (let i = 0; i < unpublishes; i++) {
    // The newest posts but one: on the first list page, the feeds, their categories' lists.
    const slug = newest[1 + 2 * i] as string;
    removed.push(await world.clock.drive(publisher.publish("unpublish", { slug })));
    await world.clock.advance(i === unpublishes - 1 ? 15_000 : 30_000);
  }
  const removedSlugs = removed.map((r) => r.slug);
  for (const slug of removedSlugs) {
    for (const url of [...servedBefore]) if (url.startsWith(`/api/posts/${slug}`)) servedBefore.delete(url);
  }

  const outageStart = world.clock.now;
  world.butter.startOutage("mixed");
  world.blobs.slowFactor = options.blobsSlowFactor ?? 1;
  for (const pool of world.platform.pools.values()) await pool.replaceAll();
  const cdnEntriesAtStart = world.cdn.size;

  const during: Record<string, number> = {};
  const cdnStatuses: Record<string, number> = {};
  const functionStatuses: Record<string, number> = {};
  const failingUrls: Record<string, number> = {};
  let listingRemoved = 0;
  const listingRemovedUrls: Record<string, number> = {};
  readers.filter = (url) => servedBefore.has(url);
  readers.onAnswer = (url, response) => {
    bump(cdnStatuses, response.status);
    if (response.status !== 200) bump(failingUrls, `${response.status} ${url}`);
    bump(during, `${response.status} ${response.cache}`);
    if (response.status === 200 && removedSlugs.some((slug) => mentions(response.body, slug))) {
      listingRemoved++;
      bump(listingRemovedUrls, url);
    }
  };
  const listener = (cause: { kind: string }, url: string, status: number) => {
    if (cause.kind === "reader" && servedBefore.has(url.slice(SITE_URL.length)))
      bump(functionStatuses, status);
  };
  world.platform.answered.push(listener);
  const callsBefore = world.butter.calls;
  await world.clock.advance(options.downMs);
  world.butter.endOutage();
  world.blobs.slowFactor = 1;
  world.platform.answered.splice(world.platform.answered.indexOf(listener), 1);
  const failedCalls = world.butter.calls - callsBefore;

  const after: Record<string, number> = {};
  readers.onAnswer = (_url, response) => bump(after, response.status);
  await world.clock.advance(120_000);
  readers.stop();
  await world.clock.advance(10_000);
  const requests = Object.values(cdnStatuses).reduce((sum, n) => sum + n, 0);
  return {
    outage_minutes: options.downMs / 60_000,
    outage_mode:
      "mixed: per call, connection refused, 503 with an HTML body, or no answer until the caller gives up",
    blobs_slow_factor: options.blobsSlowFactor ?? 1,
    publish_before: { slug: record.slug, webhook: record.webhookStatus },
    unpublished_before: removed.map((r) => ({
      slug: r.slug,
      seconds_before_outage: round((outageStart - r.at) / 1000, 1),
      webhook: r.webhookStatus,
    })),
    urls_served_before: servedBefore.size,
    cdn_entries_at_outage_start: cdnEntriesAtStart,
    requests,
    answered_200: cdnStatuses["200"] ?? 0,
    share_200: share200(cdnStatuses),
    /** Statuses the functions answered to the CDN's misses and revalidations of those URLs. */
    function_statuses: functionStatuses,
    function_share_200: share200(functionStatuses),
    /** 200 answers that still listed a post unpublished before the outage (a removed post served). */
    answers_listing_unpublished: listingRemoved,
    answers_listing_unpublished_by_url: listingRemovedUrls,
    by_status_and_cache: during,
    /** The URLs served before that were not answered 200 during the outage (status, URL: count). */
    not_200_by_url: failingUrls,
    butter_calls_failed_during_outage: failedCalls,
    butter_failures_by_mode: world.butter.failuresByMode,
    after_recovery_statuses: after,
  };
}

/** A request every instance of a read function can answer (a sweep sends one to each instance). */
function sweepUrl(name: string, posts: number, round: number, locale: string | null): string | null {
  // The oldest post: never edited by the scenarios, so its page and body stay shared.
  const slug = `post-${String(posts).padStart(5, "0")}`;
  const url = (() => {
    switch (name) {
      case "getPosts":
        return `/api/posts?page=${2 + (round % 5)}`;
      case "getPost":
        return `/api/posts/${slug}`;
      case "getRelatedPosts":
        return `/api/posts/${slug}/related`;
      case "searchPosts":
        return "/api/search?q=cache";
      case "getFeed":
        return "/api/feeds/rss";
      case "getCategories":
        return "/api/categories?include=recent_posts";
      case "getTags":
        return "/api/tags?include=recent_posts";
      case "getAuthors":
        return "/api/authors?include=recent_posts";
      default:
        return null;
    }
  })();
  if (url === null) return null;
  return name === "getCategories" || name === "getTags" || name === "getAuthors"
    ? url
    : inLocale(url, locale);
}

/**
 * Sends one request straight to every instance of every read function (not
 * through the CDN), as if each had just served a reader: every instance
 * notices a new generation and loads what it needs.
 */
async function sweep(world: World, posts: number, round: number, locale: string | null): Promise<number> {
  const work: Promise<unknown>[] = [];
  for (const pool of world.platform.pools.values()) {
    const path = sweepUrl(pool.name, posts, round, locale);
    if (!path) continue;
    for (const instance of pool.instances) {
      work.push(
        world.platform.invoke(
          { url: `${SITE_URL}${path}`, method: "GET", headers: {} },
          { kind: "warmup", fill: "sweep" },
          instance,
        ),
      );
    }
  }
  await world.clock.drive(Promise.all(work));
  return work.length;
}

/** One request per read function and locale through the CDN: what the first readers of a new site do. */
async function firstReads(world: World, posts: number): Promise<number> {
  const before = world.butter.calls;
  for (const locale of world.localeKeys) {
    for (const pool of world.platform.pools.values()) {
      const path = sweepUrl(pool.name, posts, 0, locale);
      if (path) await world.clock.drive(world.request(path, "warmup"));
    }
  }
  return world.butter.calls - before;
}

export interface ScaleOptions {
  seed: number;
  posts: number;
  /** Whether the first window has publishes (the `scale` twin) or not (`scale-control`). */
  publish: boolean;
  /** What Blobs does in the second window: fails (`down`), is 10x slower (`slow`), or works (`up`). */
  blobs: "down" | "slow" | "up";
  publishes: number;
  /** The length of the publish window (ms). */
  publishWindowMs: number;
  /** The length of the Blobs window (ms). */
  blobsWindowMs: number;
  /** Reader page views per second. */
  rate: number;
}

/** One window's readings: what it cost and what readers got. */
interface WindowReport {
  window: ReturnType<typeof windowOf>;
  reader_statuses: Record<string, number>;
  reader_share_200: number | null;
  scheduled: ReturnType<typeof scheduledSummary>;
}

/**
 * A 10,000-post blog in 3 locales with 50 warm instances of the read
 * functions. The twins (`scale`, `scale-control`, and the optional
 * `slow-blobs-scale`) run the same seed and differ only in two windows of
 * 10 minutes: in the first, `scale` publishes and `scale-control` does not;
 * in the second, `scale` has Blobs failing (every call a 503 or no answer
 * until the caller gives up) and `scale-control` has it working. Every
 * instance is swept (one request each) at the same moments in every twin,
 * as if each had just served a reader, and between the windows every twin
 * measures a cold instance's first list request. cli.ts subtracts the
 * twins' windows: what a publish costs, what a Blobs outage costs.
 */
export async function scaleScenario(world: World, options: ScaleOptions) {
  const wallStart = realNow();
  const phases: Record<string, number> = {};
  const phase = (name: string) => {
    phases[name] = round((realNow() - wallStart) / 1000, 1);
  };
  const butter = world.butterModule;
  const locales = world.localeKeys;
  butter.generateBlog(options.posts, world.clock.now, world.options.locales ?? []);
  await world.loadFunctions();
  world.platform.startSchedules();
  const universe = universeFor(world, options.seed + 10);
  const readers = new Readers(world, universe, options.rate, rng(options.seed + 11));
  // The first reads build what is shared (one request at a time), then every instance warms up in every locale.
  const firstBuildCalls = await firstReads(world, options.posts);
  const beforeSweeps = world.butter.calls;
  let swept = 0;
  for (const locale of locales) swept = await sweep(world, options.posts, 0, locale);
  const warmupSweepCalls = world.butter.calls - beforeSweeps;
  phase("warm_up");
  readers.start();
  await world.clock.advance(60_000);

  const readerStatuses: Record<string, number> = {};
  readers.onAnswer = (_url, response) => bump(readerStatuses, response.status);
  let sweepRound = 0;
  /** A window: `act(i)` at `publishes` fixed moments, each followed by a sweep (in its locale) 10 s later. */
  const runWindow = async (
    windowMs: number,
    act: (i: number, locale: string | null) => void,
  ): Promise<WindowReport> => {
    const start = world.clock.now;
    const gap = windowMs / (options.publishes + 1);
    const before = counters(world);
    for (const key of Object.keys(readerStatuses)) delete readerStatuses[key];
    for (let i = 0; i < options.publishes; i++) {
      const at = start + gap * (i + 0.5);
      const locale = locales[i % locales.length] ?? null;
      await world.clock.runUntil(at);
      act(i, locale);
      await world.clock.runUntil(at + 10_000);
      await sweep(world, options.posts, ++sweepRound, locale);
    }
    await world.clock.runUntil(start + windowMs);
    const statuses = { ...readerStatuses };
    return {
      window: windowOf(before, counters(world)),
      reader_statuses: statuses,
      reader_share_200: share200(statuses),
      scheduled: scheduledSummary(world, start),
    };
  };

  // Window 1: publishes, or not.
  const publisher = new Publisher(world, universe, options.publishWindowMs);
  const webhooks: { status: number; ms: number }[] = [];
  const atWindowStart = { butter_calls: world.butter.calls, blobs_bytes_read: world.blobs.stats.bytes };
  const publishWindow = await runWindow(options.publishWindowMs, (i, locale) => {
    if (!options.publish) return;
    // A post among the newest hundred (where readers are), in this locale.
    const slug = `post-${String(5 + 7 * i).padStart(5, "0")}`;
    void publisher.publish("edit", { slug, locale }).then((record) => {
      webhooks.push({ status: record.webhookStatus, ms: record.webhookMs });
    });
  });
  phase("publish_window");

  // Between the windows: a cold instance's first list request in each locale (every twin does it).
  await world.clock.advance(30_000);
  const coldFirstList: Record<string, Tally & { status: number }> = {};
  const posts = world.platform.pools.get("getPosts");
  if (posts) {
    for (const locale of locales) {
      const instance = await posts.spawn();
      posts.instances.pop(); // measured only: never routed to
      const tally = newTally();
      const response = await world.clock.drive(
        world.platform.invoke(
          { url: `${SITE_URL}${inLocale("/api/posts", locale)}`, method: "GET", headers: {} },
          { kind: "warmup", fill: "cold-first-list", tally },
          instance as Instance,
        ),
      );
      await world.clock.advance(5_000); // its background work, counted too
      coldFirstList[locale ?? "default"] = { ...tally, status: response.status };
    }
  }
  await world.clock.advance(30_000);
  phase("cold_first_list");

  // Window 2: Blobs down, slow, or up; no publishes, the same sweeps.
  if (options.blobs === "down") world.blobs.fault = "mixed";
  if (options.blobs === "slow") world.blobs.slowFactor = 10;
  const blobsWindow = await runWindow(options.blobsWindowMs, () => {});
  world.blobs.fault = null;
  world.blobs.slowFactor = 1;
  readers.onAnswer = null;
  phase("blobs_window");
  readers.stop();
  await world.clock.advance(10_000);
  return {
    posts: options.posts,
    locales: world.options.locales ?? [],
    instances_per_function: Object.fromEntries(
      [...world.platform.pools.values()].map((pool) => [pool.name, pool.instances.length]),
    ),
    read_instances: swept,
    reader_page_views_per_second: options.rate,
    publish_window_s: options.publishWindowMs / 1000,
    blobs_window_s: options.blobsWindowMs / 1000,
    publishes: options.publish ? options.publishes : 0,
    blobs_in_second_window: options.blobs,
    webhooks,
    webhook_ms_max: webhooks.length ? Math.max(...webhooks.map((w) => w.ms)) : null,
    /** The twins must agree up to here (same seed): the sim is deterministic, or their difference is noise. */
    at_window_start: atWindowStart,
    publish_window: publishWindow,
    blobs_window: blobsWindow,
    first_build_calls: firstBuildCalls,
    warmup_sweep_calls: warmupSweepCalls,
    largest_blob_read: { bytes: world.blobs.stats.largestBytes, key: world.blobs.stats.largestKey },
    cold_first_list: coldFirstList,
    blobs_stored: world.blobs.sizes(),
    phase_wall_seconds: phases,
  };
}

/**
 * The memory one warm instance holds on the 10,000-post, 3-locale blog,
 * measured in a world with one instance per function (a small heap, so full
 * GCs are quick and precise); what an instance holds does not depend on how
 * many there are.
 */
export async function memoryScenario(world: World, options: { posts: number }) {
  world.butterModule.generateBlog(options.posts, world.clock.now, world.options.locales ?? []);
  await world.loadFunctions();
  await firstReads(world, options.posts);
  return instanceMemory(world, options.posts);
}

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error("run with --expose-gc");
  collect();
};

/**
 * The heap a new instance holds once warm: for each read function, a fresh
 * instance is imported (import delta) and then served a few requests in
 * every locale directly, with background work finished (warm delta), with
 * full GCs between. The indexes, caches and module state of that instance
 * are in the warm delta.
 */
async function instanceMemory(world: World, posts: number) {
  const middle = String(Math.ceil(posts / 2)).padStart(5, "0");
  const warmUrls: Record<string, string[]> = {
    getPosts: [
      "/api/posts",
      "/api/posts?page=2",
      `/api/posts?page=${Math.ceil(posts / 20)}`,
      "/api/posts?category=engineering",
    ],
    getPost: ["/api/posts/post-00001", `/api/posts/post-${middle}`],
    getRelatedPosts: [`/api/posts/post-${middle}/related`],
    searchPosts: ["/api/search?q=cache"],
    getFeed: ["/api/feeds/rss", "/api/feeds/sitemap"],
    getCategories: ["/api/categories?include=recent_posts"],
    getTags: ["/api/tags?include=recent_posts"],
    getAuthors: ["/api/authors?include=recent_posts"],
  };
  const perLocale = new Set(["getPosts", "getPost", "getRelatedPosts", "searchPosts", "getFeed"]);
  await world.clock.advance(30_000);
  const results: Record<string, { import_mb: number; warm_mb: number }> = {};
  let largest = 0;
  for (const [name, urls] of Object.entries(warmUrls)) {
    const pool = world.platform.pools.get(name);
    if (!pool) continue;
    gc();
    const base = process.memoryUsage().heapUsed;
    const instance = await pool.spawn();
    pool.instances.pop(); // measured only: never routed to
    gc();
    const imported = process.memoryUsage().heapUsed;
    const locales = perLocale.has(name) ? world.localeKeys : [null];
    for (const locale of locales) {
      for (const url of urls) {
        await world.clock.drive(
          world.platform.invoke(
            { url: `${SITE_URL}${inLocale(url, locale)}`, method: "GET", headers: {} },
            { kind: "warmup", fill: "-" },
            instance,
          ),
        );
      }
    }
    await world.clock.advance(10_000);
    gc();
    const warm = process.memoryUsage().heapUsed;
    const warmMb = round((warm - imported) / MB, 2);
    largest = Math.max(largest, warmMb);
    results[name] = { import_mb: round((imported - base) / MB, 2), warm_mb: warmMb };
  }
  return {
    method:
      "v8 heapUsed delta of a fresh instance served a few requests in every locale directly (background work finished), full GC before each reading; import_mb is the module itself",
    locales: world.options.locales ?? [],
    largest_warm_mb: largest,
    by_function: results,
    blobs: world.blobs.sizes(),
  };
}

/** A ButterCMS plan at its post limit (ButterCMS docs, "usage limits"). */
export interface Plan {
  name: string;
  posts: number;
  locales: string[];
  /** API calls a month. */
  quota: number;
}

export const PLANS: Record<string, Plan> = {
  free: { name: "Free", posts: 50, locales: ["en"], quota: 50_000 },
  basic: { name: "Basic", posts: 100, locales: ["en"], quota: 100_000 },
  advanced: { name: "Advanced", posts: 500, locales: ["en"], quota: 500_000 },
  professional: { name: "Professional", posts: 10_000, locales: ["en", "es", "fr"], quota: 1_000_000 },
};

const DAY_MS = 86_400_000;

/**
 * The scheduler alone (no readers, no publishes) at a plan's post limit,
 * with BUTTERCMS_PLAN_QUOTA set to its quota: after one first read per locale
 * (the site's first reader builds the index), every scheduled run over
 * `days` days of virtual time is counted; calls a month = calls × 30 / days.
 */
export async function planScenario(world: World, options: { plan: Plan; days: number }) {
  if (options.days < 2) throw new Error("a plan's row needs at least 2 virtual days");
  const { plan } = options;
  world.butterModule.generateBlog(plan.posts, world.clock.now, plan.locales.length > 1 ? plan.locales : []);
  await world.loadFunctions();
  const firstBuildCalls = await firstReads(world, plan.posts);
  await world.clock.advance(60_000);
  const scheduled = world.platform.startSchedules();
  const start = world.clock.now;
  const callsBefore = world.butter.calls;
  for (let day = 0; day < options.days; day++) await world.clock.advance(DAY_MS);
  const summary = scheduledSummary(world, start);
  const calls = summary.butter_calls;
  const perMonth = round((calls * 30) / options.days, 0);
  return {
    plan: plan.name,
    posts: plan.posts,
    locales: plan.locales.length,
    quota: plan.quota,
    butter_latency_ms: world.butter.options.latencyMs,
    scheduled_functions: scheduled,
    virtual_days: options.days,
    first_build_calls: firstBuildCalls,
    /** Every ButterCMS call in the window (the scheduler is the only caller). */
    butter_calls_in_window: world.butter.calls - callsBefore,
    reconcile_calls_in_window: calls,
    reconcile_calls_per_month: scheduled.length ? perMonth : null,
    reconcile_share: scheduled.length ? round(perMonth / plan.quota, 4) : null,
    scheduled: summary,
  };
}

/**
 * 10 % of webhooks lost (every tenth, never delivered), on the Professional
 * plan's site (10,000 posts × 3 locales, BUTTERCMS_PLAN_QUOTA 1,000,000):
 * 120 edits 90 s apart, the lost ones alternately among the newest hundred
 * posts and older ones; no readers, only probes of each lost edit's post
 * page and the list page that shows it, every 30 s for the first hour and
 * every 2 minutes after, for 25 hours. Healed = the
 * first probe from which both URLs showed the edit for good.
 */
export async function lostWebhookScenario(
  world: World,
  options: { seed: number; posts: number; edits: number; gapMs: number; watchMs: number },
) {
  const butter = world.butterModule;
  const locales = world.localeKeys;
  butter.generateBlog(options.posts, world.clock.now, world.options.locales ?? []);
  await world.loadFunctions();
  const firstBuildCalls = await firstReads(world, options.posts);
  world.platform.startSchedules();
  const universe = universeFor(world, options.seed + 10);
  const publisher = new Publisher(world, universe, options.watchMs);
  /** The list page (1-based) of each post: generated posts are newest first by number. */
  const pageOf = (slug: string) => Math.ceil(Number(slug.slice(5)) / MODEL.pageSize);
  const probes = new Probes(world, universe, publisher, {
    tickMs: 30_000,
    due: (age, tick) => age < 3_600_000 || tick % 4 === 0,
    urls: async (record) =>
      record.delivered
        ? []
        : [
            inLocale(`/api/posts/${record.slug}`, record.locale),
            inLocale(
              pageOf(record.slug) === 1 ? "/api/posts" : `/api/posts?page=${pageOf(record.slug)}`,
              record.locale,
            ),
          ],
  });
  probes.start();
  const random = rng(options.seed + 20);
  const start = world.clock.now;
  let lostCount = 0;
  const lostRanks = new Set<number>();
  for (let i = 0; i < options.edits; i++) {
    await world.clock.runUntil(start + i * options.gapMs);
    const lost = i % 10 === 9;
    const locale = locales[i % locales.length] ?? null;
    let rank: number;
    if (lost) {
      // Alternately a post among the newest hundred and one far older, each edited once.
      do {
        rank =
          lostCount % 2 === 0
            ? 5 + Math.floor(random() * 90)
            : 1_000 + Math.floor(random() * (options.posts - 1_000));
      } while (lostRanks.has(rank));
      lostRanks.add(rank);
      lostCount++;
    } else {
      // Delivered edits elsewhere (posts 101-300), so that no delivery heals a lost one by chance.
      rank = 101 + Math.floor(random() * 200);
    }
    const slug = `post-${String(rank).padStart(5, "0")}`;
    void publisher.publish("edit", { slug, locale, deliver: !lost });
  }
  await world.clock.runUntil(start + options.edits * options.gapMs + options.watchMs + 60_000);
  probes.stop();
  const lostRecords = publisher.records.filter((record) => !record.delivered);
  const heal = (records: PublishRecord[]) => {
    const delays = records.map((record) => visibleAfter(record));
    return {
      lost: records.length,
      healed_max_s: delays.length && delays.every(Number.isFinite) ? round(Math.max(...delays), 1) : null,
      healed_p50_s: finiteOrNull(percentile(delays, 50), 1),
      not_healed_within_s: options.watchMs / 1000,
      not_healed: delays.filter((d) => !Number.isFinite(d)).length,
      delays_s: delays.map((d) => finiteOrNull(d, 1)),
      slugs: records.map((record) => `${record.locale ?? "default"}:${record.slug}`),
    };
  };
  const newest = lostRecords.filter((record) => Number(record.slug.slice(5)) <= 100);
  return {
    posts: options.posts,
    locales: world.options.locales ?? [],
    edits: publisher.records.length,
    webhooks_lost: lostRecords.length,
    first_build_calls: firstBuildCalls,
    newest_hundred: heal(newest),
    all: heal(lostRecords),
    probe_requests: probes.requests,
    scheduled: scheduledSummary(world, start),
    last_failing_examples: lostRecords
      .filter((record) => !Number.isFinite(visibleAfter(record)))
      .slice(0, 3)
      .map((record) => ({
        slug: record.slug,
        locale: record.locale,
        last: record.ticks.at(-1)?.failing ?? [],
      })),
  };
}
