/** One scenario in one process (the clock, fetch and the module cache are process-wide). */
import { writeFileSync } from "node:fs";
import { blobsSelfTest } from "./blobs-selftest.ts";
import { realNow } from "./clock.ts";
import {
  diagnostics,
  memoryScenario,
  naiveScenario,
  outageScenario,
  publishScenario,
  scaleScenario,
} from "./scenarios.ts";
import { World } from "./world.ts";

export type ScenarioName = "publish" | "visibility" | "naive" | "outage" | "scale" | "scale-small" | "memory";

export const SCALE = {
  posts: Number(process.env.SIM_SCALE_POSTS ?? 10_000),
  /**
   * 50 warm instances of the read functions in all, shared out as reader
   * traffic is (post pages and their related posts 60 %, lists 30 %);
   * `small` is the same site with 10, to show the cost does not grow with
   * the count. Functions not named get `otherInstances` each.
   */
  instances: { getPost: 16, getRelatedPosts: 12, getPosts: 12 },
  otherInstances: 2,
  small: { getPost: 2, getRelatedPosts: 2, getPosts: 1 },
  smallOtherInstances: 1,
  publishes: Number(process.env.SIM_SCALE_PUBLISHES ?? 3),
  /** Reader page views per second during the scale run (light: the sweeps make every instance work). */
  rate: 10,
};

/** Functions readers never reach get one instance; the webhook a few. */
const FEW = { auth: 1, ipAllowlist: 1, getOpenApi: 1, buttercmsWebhook: 2 };

export async function runWorker(
  scenario: ScenarioName,
  bundles: string,
  out: string,
  seed: number,
): Promise<void> {
  const started = realNow();
  const scale = scenario === "scale" || scenario === "scale-small";
  const defaultInstances = scale
    ? scenario === "scale"
      ? SCALE.otherInstances
      : SCALE.smallOtherInstances
    : scenario === "memory"
      ? 1
      : 4;
  const world = new World({
    bundles,
    instances: { ...FEW, ...(scale ? (scenario === "scale" ? SCALE.instances : SCALE.small) : {}) },
    defaultInstances,
    seed,
    naive: scenario === "naive",
    only: scenario === "naive" ? ["naive"] : undefined,
  });
  await world.start();
  const selftest = await world.clock.drive(blobsSelfTest(world.clock));
  let result: unknown;
  switch (scenario) {
    case "publish":
      result = await publishScenario(world, { probes: false, seed });
      break;
    case "visibility":
      result = await publishScenario(world, { probes: true, seed });
      break;
    case "naive":
      result = await naiveScenario(world, { seed });
      break;
    case "outage":
      result = await outageScenario(world, { seed, downMs: 600_000 });
      break;
    case "scale":
    case "scale-small":
      result = await scaleScenario(world, {
        seed,
        posts: SCALE.posts,
        publishes: SCALE.publishes,
        rate: SCALE.rate,
      });
      break;
    case "memory":
      result = await memoryScenario(world, { posts: SCALE.posts });
      break;
  }
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
