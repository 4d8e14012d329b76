/** One scenario in one process (the clock, fetch and the module cache are process-wide). */
import { writeFileSync } from "node:fs";
import { emptyReadStats } from "./blobs.ts";
import { blobsSelfTest } from "./blobs-selftest.ts";
import { realNow } from "./clock.ts";
import {
  diagnostics,
  lostWebhookScenario,
  memoryScenario,
  naiveScenario,
  outageScenario,
  PLANS,
  planScenario,
  publishScenario,
  scaleScenario,
} from "./scenarios.ts";
import { World, type WorldOptions } from "./world.ts";

/** The scale site: 10,000 posts in each of 3 locales (ButterCMS Professional's limits), 50 warm read instances. */
export const SCALE = {
  posts: Number(process.env.SIM_SCALE_POSTS ?? 10_000),
  locales: ["en", "es", "fr"],
  /**
   * 50 warm instances of the read functions in all, shared out as reader
   * traffic is (post pages and their related posts 60 %, lists 30 %);
   * functions not named get `otherInstances` each.
   */
  instances: { getPost: 16, getRelatedPosts: 12, getPosts: 12 },
  otherInstances: 2,
  /** The optional `scale-small` twins: the same site with 10 read instances. */
  small: { getPost: 2, getRelatedPosts: 2, getPosts: 1 },
  smallOtherInstances: 1,
  publishes: Number(process.env.SIM_SCALE_PUBLISHES ?? 5),
  /** The windows the twins differ in: 5 minutes with or without publishes, 10 with Blobs down or up. */
  publishWindowMs: 300_000,
  blobsWindowMs: 600_000,
  /**
   * Reader page views per second during the scale runs: light, because the
   * sweeps make every instance work after each publish, and because related
   * posts rank the whole index per request (tens of ms of real CPU at
   * 10,000 posts), which would make the twins too slow for `npm run sim`.
   */
  rate: 5,
};

/** Virtual days the scheduler runs alone for a plan's row (at least 2: the brief; 3 smooths a daily full pass). */
export const PLAN_DAYS = Number(process.env.SIM_PLAN_DAYS ?? 3);

/** Functions readers never reach get one instance; the webhook a few. */
const FEW = { auth: 1, ipAllowlist: 1, getOpenApi: 1, buttercmsWebhook: 2 };

type Run = (world: World, seed: number) => Promise<unknown>;

interface ScenarioSpec {
  world: Partial<WorldOptions> & { defaultInstances: number };
  run: Run;
}

const scale = (publish: boolean, blobs: "down" | "slow" | "up", small = false): ScenarioSpec => ({
  world: {
    instances: { ...FEW, ...(small ? SCALE.small : SCALE.instances) },
    defaultInstances: small ? SCALE.smallOtherInstances : SCALE.otherInstances,
    locales: SCALE.locales,
    env: { BUTTERCMS_PLAN_QUOTA: String(PLANS.professional?.quota) },
  },
  run: (world, seed) =>
    scaleScenario(world, {
      seed,
      posts: SCALE.posts,
      publish,
      blobs,
      publishes: SCALE.publishes,
      publishWindowMs: SCALE.publishWindowMs,
      blobsWindowMs: SCALE.blobsWindowMs,
      rate: SCALE.rate,
    }),
});

const plan = (key: keyof typeof PLANS, butterLatencyMs?: number, days = PLAN_DAYS): ScenarioSpec => {
  const p = PLANS[key];
  if (!p) throw new Error(`no plan ${key}`);
  return {
    world: {
      instances: { reconcileIndex: 1 },
      defaultInstances: 1,
      // The scheduler and what the first reader needs; nothing else runs.
      only: ["reconcileIndex", "getPosts"],
      ...(p.locales.length > 1 ? { locales: p.locales } : {}),
      env: { BUTTERCMS_PLAN_QUOTA: String(p.quota) },
      ...(butterLatencyMs ? { butterLatencyMs } : {}),
    },
    run: (world) => planScenario(world, { plan: p, days }),
  };
};

/** Every scenario: the world it runs in and what it does (bench/SIM.md, "Scenarios"). */
export const SCENARIOS = {
  visibility: {
    world: { defaultInstances: 4 },
    run: (world, seed) => publishScenario(world, { probes: true, seed, windowMs: 300_000 }),
  },
  publish: {
    world: { defaultInstances: 4 },
    run: (world, seed) => publishScenario(world, { probes: false, seed }),
  },
  naive: {
    world: { defaultInstances: 4, naive: true, only: ["naive"] },
    run: (world, seed) => naiveScenario(world, { seed }),
  },
  "slow-butter": {
    world: { defaultInstances: 4, butterLatencyMs: 300 },
    run: (world, seed) => publishScenario(world, { probes: true, seed, publishes: 20, windowMs: 120_000 }),
  },
  outage: {
    world: { defaultInstances: 4 },
    run: (world, seed) => outageScenario(world, { seed, downMs: 600_000 }),
  },
  "slow-blobs": {
    world: { defaultInstances: 4 },
    run: (world, seed) =>
      publishScenario(world, { probes: true, seed, publishes: 20, windowMs: 120_000, blobsSlowFactor: 10 }),
  },
  "outage-slow-blobs": {
    world: { defaultInstances: 4 },
    run: (world, seed) =>
      outageScenario(world, { seed, downMs: 600_000, blobsSlowFactor: 10, unpublishes: 2 }),
  },
  scale: scale(true, "down"),
  "scale-control": scale(false, "up"),
  "slow-blobs-scale": scale(true, "slow"),
  "scale-small": scale(true, "down", true),
  "scale-small-control": scale(false, "up", true),
  memory: {
    world: { defaultInstances: 1, locales: SCALE.locales },
    run: (world) => memoryScenario(world, { posts: SCALE.posts }),
  },
  "plan-free": plan("free"),
  "plan-basic": plan("basic"),
  "plan-advanced": plan("advanced"),
  "plan-professional": plan("professional"),
  // Two days: a full pass at least once (the reconciler plans one within a day), at 300 ms per call.
  "reconcile-300ms": plan("professional", 300, 2),
  "lost-webhook": {
    world: {
      defaultInstances: 1,
      instances: { ...FEW, reconcileIndex: 1 },
      locales: SCALE.locales,
      env: { BUTTERCMS_PLAN_QUOTA: String(PLANS.professional?.quota) },
    },
    run: (world, seed) =>
      lostWebhookScenario(world, {
        seed,
        posts: SCALE.posts,
        edits: 120,
        gapMs: 90_000,
        watchMs: 25 * 3_600_000,
      }),
  },
} satisfies Record<string, ScenarioSpec>;

export type ScenarioName = keyof typeof SCENARIOS;

/** What `npm run sim` runs without `--only`, the longest first (two at a time). */
export const DEFAULT_SCENARIOS: ScenarioName[] = [
  "scale",
  "scale-control",
  "lost-webhook",
  "visibility",
  "memory",
  "plan-professional",
  "reconcile-300ms",
  "publish",
  "outage-slow-blobs",
  "outage",
  "slow-butter",
  "slow-blobs",
  "naive",
  "plan-advanced",
  "plan-basic",
  "plan-free",
];

export const isScenario = (name: string): name is ScenarioName => Object.hasOwn(SCENARIOS, name);

export async function runWorker(
  scenario: ScenarioName,
  bundles: string,
  out: string,
  seed: number,
): Promise<void> {
  const started = realNow();
  const spec: ScenarioSpec = SCENARIOS[scenario];
  const world = new World({ bundles, seed, instances: { ...FEW }, ...spec.world });
  await world.start();
  const selftest = await world.clock.drive(blobsSelfTest(world.clock));
  Object.assign(world.blobs.stats, emptyReadStats()); // the self-test's reads are not the scenario's
  const result = await spec.run(world, seed);
  const report = {
    scenario,
    result,
    blobs_selftest: selftest,
    diagnostics: diagnostics(world),
    wall_seconds: Math.round((realNow() - started) / 100) / 10,
    cpu_seconds: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1e5) / 10,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  writeFileSync(out, JSON.stringify(report, null, 2));
}
