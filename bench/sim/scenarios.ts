/**
 * The scenarios, one per worker process (bench/sim/cli.ts runs them):
 *
 * - `publish`: the sample blog, readers, 50 publishes; ButterCMS calls per
 *   100k views against the lower bound (no probes, so that probes do not
 *   change the counts).
 * - `visibility`: the same run with probes: publish → visible delays.
 * - `naive`: the same readers against bench/naive-handler.mts.
 * - `outage`: ButterCMS down for 10 minutes right after a publish's purge,
 *   every instance replaced by a cold one.
 * - `scale`: a 10,000-post blog, N warm instances per function: ButterCMS
 *   calls per publish, and the memory an instance holds.
 */
import { SITE_URL } from "./platform.ts";
import { Probes, Publisher, publishPlan, summariseVisibility } from "./publishing.ts";
import { rng, round } from "./random.ts";
import { Readers } from "./readers.ts";
import { Universe } from "./traffic.ts";
import { MODEL, type World } from "./world.ts";

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
  return new Universe(world.butterModule, rng(seed), { pageSize: MODEL.pageSize, postExtras: extras });
}

/** Runs the clock until `done()` (checked every virtual second) or `maxMs`. */
async function runUntil(world: World, done: () => boolean, maxMs: number): Promise<void> {
  const end = world.clock.now + maxMs;
  while (!done() && world.clock.now < end) await world.clock.advance(1_000);
}

function counters(world: World) {
  return {
    calls: world.butter.calls,
    byCause: { ...world.butter.callsByCause },
    bound: world.cdn.stats.boundFetches,
    boundByCause: { ...world.cdn.stats.boundByCause },
    invocations: world.platform.invocations,
  };
}

function diff(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) {
    const d = value - (before[key] ?? 0);
    if (d) out[key] = d;
  }
  return out;
}

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
    crashes: world.platform.crashes,
    function_timeouts: world.platform.timeouts,
    wait_until_errors: world.platform.waitUntilErrors,
    cdn: { ...world.cdn.stats, entries: world.cdn.size },
    purge_api: {
      accepted: purges.filter((p) => p.status === 202).length,
      rate_limited: purges.filter((p) => p.status === 429).length,
      other: purges.filter((p) => p.status !== 202 && p.status !== 429).length,
      tags_seen: [...new Set(purges.flatMap((p) => p.tags ?? ["*"]))].slice(0, 12),
    },
    blobs: { ops: world.blobs.ops, ...world.blobs.sizes() },
    butter_calls_by_cause: world.butter.callsByCause,
    butter_calls_by_cause_and_function: world.butter.callsByCauseAndFunction,
    logs: world.platform.logs,
    ...(world.cdn.trace.length ? { trace: world.cdn.trace } : {}),
  };
}

/** `publish` (probes: false) and `visibility` (probes: true). */
export async function publishScenario(world: World, options: { probes: boolean; seed: number }) {
  const butter = world.butterModule;
  butter.addDrafts(12, world.clock.now - 3_600_000);
  await world.loadFunctions();
  const universe = universeFor(world, options.seed + 10);
  const readers = new Readers(world, universe, RATE, rng(options.seed + 11));
  readers.start();
  await world.clock.advance(WARMUP_MS);

  const before = counters(world);
  const requestsBefore = readers.requests;
  const pageViewsBefore = readers.pageViews;
  const publisher = new Publisher(world, universe, WINDOW_MS);
  const probes = options.probes ? new Probes(world, universe, publisher) : null;
  probes?.start();
  const plan = publishPlan(rng(options.seed + 12), PUBLISHES, 4);
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
    await world.clock.runUntil(phaseStart + lastOffset + WINDOW_MS + 1_000);
  } else {
    await runUntil(
      world,
      () => published === plan.length && readers.requests - requestsBefore >= VIEWS,
      3_600_000,
    );
  }
  readers.stop();
  probes?.stop();
  const measuredSeconds = (world.clock.now - phaseStart) / 1000;
  await world.clock.advance(30_000);
  const after = counters(world);
  const views = readers.requests - requestsBefore;
  const calls = after.calls - before.calls;
  const bound = after.bound - before.bound;
  return {
    views,
    page_views: readers.pageViews - pageViewsBefore,
    measured_virtual_seconds: round(measuredSeconds, 1),
    api_requests_per_second: round(views / measuredSeconds, 1),
    publishes: publisher.records.length,
    butter_calls: calls,
    butter_calls_per_100k_views: round((calls / views) * 100_000, 1),
    lower_bound_fetches: bound,
    lower_bound_per_100k_views: round((bound / views) * 100_000, 1),
    ours_over_bound: round(calls / bound, 3),
    calls_by_cause: diff(after.byCause, before.byCause),
    bound_by_cause: diff(after.boundByCause, before.boundByCause),
    function_invocations: after.invocations - before.invocations,
    reader_statuses: readers.statuses,
    reader_cache: readers.cache,
    probe_requests: probes?.requests ?? 0,
    visibility: options.probes ? summariseVisibility(publisher.records, WINDOW_MS) : undefined,
    traffic: {
      posts: universe.popularity.length,
      list_pages: universe.pages,
      queries: universe.queries,
      post_extras: universe.options.postExtras.length,
    },
  };
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

/** ButterCMS down 10 minutes right after a publish's purge, every instance cold. */
export async function outageScenario(world: World, options: { seed: number; downMs: number }) {
  await world.loadFunctions();
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
  world.butter.startOutage("mixed");
  for (const pool of world.platform.pools.values()) await pool.replaceAll();
  const cdnEntriesAtStart = world.cdn.size;

  const during: Record<string, number> = {};
  let servedBeforeRequests = 0;
  let servedBeforeOk = 0;
  readers.filter = (url) => servedBefore.has(url);
  const failingUrls: Record<string, number> = {};
  readers.onAnswer = (url, response) => {
    servedBeforeRequests++;
    if (response.status === 200) servedBeforeOk++;
    else failingUrls[`${response.status} ${url}`] = (failingUrls[`${response.status} ${url}`] ?? 0) + 1;
    const key = `${response.status} ${response.cache}`;
    during[key] = (during[key] ?? 0) + 1;
  };
  const callsBefore = world.butter.calls;
  await world.clock.advance(options.downMs);
  world.butter.endOutage();
  const failedCalls = world.butter.calls - callsBefore;

  const after: Record<string, number> = {};
  readers.onAnswer = (_url, response) => {
    after[response.status] = (after[response.status] ?? 0) + 1;
  };
  await world.clock.advance(120_000);
  readers.stop();
  await world.clock.advance(10_000);
  return {
    outage_minutes: options.downMs / 60_000,
    outage_mode:
      "mixed: per call, connection refused, 503 with an HTML body, or no answer until the caller gives up",
    publish_before: { slug: record.slug, webhook: record.webhookStatus },
    urls_served_before: servedBefore.size,
    cdn_entries_at_outage_start: cdnEntriesAtStart,
    requests: servedBeforeRequests,
    answered_200: servedBeforeOk,
    share_200: round(servedBeforeOk / Math.max(1, servedBeforeRequests), 5),
    by_status_and_cache: during,
    /** The URLs served before that were not answered 200 during the outage (status, URL: count). */
    not_200_by_url: failingUrls,
    butter_calls_failed_during_outage: failedCalls,
    butter_failures_by_mode: world.butter.failuresByMode,
    after_recovery_statuses: after,
  };
}

/** A request every instance of a read function can answer (a sweep sends one to each instance). */
function sweepUrl(name: string, posts: number, round: number): string | null {
  // The oldest post: never edited by the scenario, so its page and body stay shared.
  const slug = `post-${String(posts).padStart(5, "0")}`;
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
}

/**
 * Sends one request straight to every instance of every read function (not
 * through the CDN), as if each had just served a reader: every instance
 * notices a new generation and loads what it needs.
 */
async function sweep(world: World, posts: number, round: number): Promise<number> {
  const work: Promise<unknown>[] = [];
  for (const pool of world.platform.pools.values()) {
    const path = sweepUrl(pool.name, posts, round);
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

/**
 * A 10,000-post blog with `instances` warm instances of each read function.
 * Every instance is swept (one request each) once to warm it and again after
 * every publish; light reader traffic runs throughout. ButterCMS calls are
 * counted from each publish to the next, against a control window of the
 * same length without a publish.
 */
export async function scaleScenario(
  world: World,
  options: { seed: number; posts: number; publishes: number; rate: number },
) {
  const butter = world.butterModule;
  butter.generateBlog(options.posts, world.clock.now);
  await world.loadFunctions();
  const universe = universeFor(world, options.seed + 10);
  const readers = new Readers(world, universe, options.rate, rng(options.seed + 11));
  // One request first builds what is shared (one instance at a time), then every instance warms up from it.
  const beforeWarmup = world.butter.calls;
  for (const pool of world.platform.pools.values()) {
    const path = sweepUrl(pool.name, options.posts, 0);
    if (path) await world.clock.drive(world.request(path, "warmup"));
  }
  const firstBuildCalls = world.butter.calls - beforeWarmup;
  const swept = await sweep(world, options.posts, 0);
  const warmupSweepCalls = world.butter.calls - beforeWarmup - firstBuildCalls;
  readers.start();
  await world.clock.advance(60_000);

  const gapMs = 30_000;
  const controlBefore = counters(world);
  await world.clock.advance(gapMs * options.publishes);
  const controlAfter = counters(world);

  const publisher = new Publisher(world, universe, gapMs);
  const phaseBefore = counters(world);
  const webhooks: number[] = [];
  for (let i = 0; i < options.publishes; i++) {
    const started = world.clock.now;
    const record = await world.clock.drive(publisher.publish("edit"));
    webhooks.push(record.webhookStatus);
    await world.clock.advance(5_000);
    await sweep(world, options.posts, i + 1);
    await world.clock.runUntil(started + gapMs);
  }
  const phaseAfter = counters(world);
  readers.stop();
  await world.clock.advance(10_000);

  const control = controlAfter.calls - controlBefore.calls;
  const phase = phaseAfter.calls - phaseBefore.calls;
  const phaseByCause = diff(phaseAfter.byCause, phaseBefore.byCause);
  const attributed = Object.entries(phaseByCause)
    .filter(
      ([cause]) =>
        cause.startsWith("webhook:") ||
        cause.endsWith(":purged") ||
        cause.endsWith(":sweep") ||
        cause.startsWith("scheduled:"),
    )
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    posts: options.posts,
    instances_per_function: Object.fromEntries(
      [...world.platform.pools.values()].map((pool) => [pool.name, pool.instances.length]),
    ),
    read_instances: swept,
    reader_page_views_per_second: options.rate,
    publishes: options.publishes,
    webhook_statuses: webhooks,
    butter_calls_per_publish: round(attributed / options.publishes, 2),
    butter_calls_per_publish_raw: round((phase - control) / options.publishes, 2),
    phase_calls: phase,
    control_calls: control,
    phase_calls_by_cause: phaseByCause,
    control_calls_by_cause: diff(controlAfter.byCause, controlBefore.byCause),
    first_build_calls: firstBuildCalls,
    warmup_sweep_calls: warmupSweepCalls,
  };
}

/**
 * The memory one warm instance holds on a 10,000-post blog, measured in a
 * world with one instance per function (a small heap, so full GCs are quick
 * and precise); what an instance holds does not depend on how many there are.
 */
export async function memoryScenario(world: World, options: { posts: number }) {
  world.butterModule.generateBlog(options.posts, world.clock.now);
  await world.loadFunctions();
  // Build and share what instances load (the first request of each function).
  for (const pool of world.platform.pools.values()) {
    const path = sweepUrl(pool.name, options.posts, 0);
    if (path) await world.clock.drive(world.request(path, "warmup"));
  }
  return instanceMemory(world, options.posts);
}

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error("run with --expose-gc");
  collect();
  collect();
};

/**
 * The heap a new instance holds once warm: for each read function, fresh
 * instances are imported (import delta) and then served a few requests
 * directly, with background work finished (warm delta), with full GCs
 * between. The index, caches and module state of that instance are in the
 * warm delta.
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
  await world.clock.advance(30_000);
  const results: Record<string, { import_mb: number; warm_mb: number }[]> = {};
  let largest = 0;
  for (const [name, urls] of Object.entries(warmUrls)) {
    const pool = world.platform.pools.get(name);
    if (!pool) continue;
    results[name] = [];
    for (let sample = 0; sample < 1; sample++) {
      gc();
      const base = process.memoryUsage().heapUsed;
      const instance = await pool.spawn();
      pool.instances.pop(); // measured only: never routed to
      gc();
      const imported = process.memoryUsage().heapUsed;
      for (const url of urls) {
        await world.clock.drive(
          world.platform.invoke(
            { url: `${SITE_URL}${url}`, method: "GET", headers: {} },
            { kind: "warmup", fill: "-" },
            instance,
          ),
        );
      }
      await world.clock.advance(10_000);
      gc();
      const warm = process.memoryUsage().heapUsed;
      const warmMb = round((warm - imported) / 2 ** 20, 2);
      largest = Math.max(largest, warmMb);
      results[name]?.push({ import_mb: round((imported - base) / 2 ** 20, 2), warm_mb: warmMb });
    }
  }
  return {
    method:
      "v8 heapUsed delta of a fresh instance served a few requests directly (background work finished), full GC before each reading; import_mb is the module itself",
    largest_warm_mb: largest,
    by_function: results,
    blobs: world.blobs.sizes(),
  };
}
