/**
 * `npm run sim` (scripts/run-ts.mjs bundles this file and runs it).
 *
 *   npm run sim                          # the working tree; writes bench/sim-results.json
 *   npm run sim -- --rev <commit>        # a committed tree (git archive into .sim/src/)
 *   npm run sim -- --save-as baseline    # store the run under "baseline" in the results file
 *   npm run sim -- --only publish,outage # some scenarios only (nothing is written)
 *
 * Bundles every function separately (esbuild, `packages: "external"`) and the
 * ButterCMS emulation with that tree's sample data, then runs each scenario
 * in its own process, two at a time, and merges their reports.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { basename, join } from "node:path";
import { build, type Plugin } from "esbuild";
import { round } from "./random.ts";
import { renderTable } from "./report.ts";
import { runWorker, SCALE, type ScenarioName } from "./worker.ts";
import { MODEL } from "./world.ts";

const ROOT = process.env.SIM_ROOT ?? process.env.BENCH_ROOT ?? process.cwd();
const WORK = join(ROOT, ".sim");
const RESULTS = join(ROOT, "bench", "sim-results.json");
const SIM_MD = join(ROOT, "bench", "SIM.md");
const ALL: ScenarioName[] = ["scale", "visibility", "publish", "scale-small", "outage", "memory", "naive"];
/** A worker that runs longer than this is stopped and reported as failed (a hang, not a slow machine). */
const WORKER_LIMIT_MS = Number(process.env.SIM_WORKER_LIMIT_MS ?? 900_000);

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

const git = (...args: string[]) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();

/** The tree under test: the working tree, or a commit exported with git archive. */
function sourceTree(rev: string | undefined) {
  if (!rev) {
    const dirty = git("status", "--porcelain", "--", "functions", "src", "sample").length > 0;
    return { dir: ROOT, id: "worktree", rev: git("rev-parse", "--short", "HEAD"), dirty };
  }
  const sha = git("rev-parse", "--verify", `${rev}^{commit}`);
  const dir = join(WORK, "src", sha);
  if (!existsSync(join(dir, "functions"))) {
    mkdirSync(dir, { recursive: true });
    const archive = spawnSync("git", ["archive", "--format=tar", sha], { cwd: ROOT, maxBuffer: 1 << 30 });
    if (archive.status !== 0) throw new Error(`git archive failed: ${archive.stderr}`);
    execFileSync("tar", ["-x", "-C", dir], { input: archive.stdout });
  }
  return { dir, id: sha.slice(0, 12), rev: sha.slice(0, 7), dirty: false };
}

/** The bench/sim/butter-entry.ts imports ../../sample/*: take them from the tree under test. */
function sampleFrom(dir: string): Plugin {
  return {
    name: "sample-from-tree",
    setup(b) {
      b.onResolve({ filter: /\/sample\/[^/]+\.ts$/ }, (args) => {
        if (!args.importer.endsWith("butter-entry.ts")) return undefined;
        return { path: join(dir, "sample", basename(args.path)) };
      });
    },
  };
}

async function bundle(source: { dir: string; id: string }): Promise<string> {
  const out = join(WORK, "bundles", source.id);
  rmSync(out, { recursive: true, force: true });
  const common = {
    bundle: true,
    platform: "node" as const,
    format: "esm" as const,
    packages: "external" as const,
    target: "node20",
    logLevel: "warning" as const,
  };
  const functions = readdirSync(join(source.dir, "functions")).filter((f) => /\.m?[jt]s$/.test(f));
  for (const file of functions) {
    await build({
      ...common,
      entryPoints: [join(source.dir, "functions", file)],
      outfile: join(out, "functions", `${file.replace(/\.m?[jt]s$/, "")}.mjs`),
    });
  }
  const naive = existsSync(join(source.dir, "bench", "naive-handler.mts"))
    ? join(source.dir, "bench", "naive-handler.mts")
    : join(ROOT, "bench", "naive-handler.mts");
  await build({ ...common, entryPoints: [naive], outfile: join(out, "functions", "naive.mjs") });
  await build({
    ...common,
    entryPoints: [join(ROOT, "bench", "sim", "butter-entry.ts")],
    outfile: join(out, "butter.mjs"),
    plugins: [sampleFrom(source.dir)],
  });
  return out;
}

interface WorkerOutcome {
  scenario: ScenarioName;
  report?: Record<string, unknown>;
  error?: string;
  wallSeconds: number;
}

function runScenario(scenario: ScenarioName, bundles: string, seed: number): Promise<WorkerOutcome> {
  const out = join(WORK, "reports", `${scenario}.json`);
  const log = join(WORK, "reports", `${scenario}.log`);
  rmSync(out, { force: true });
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        "--expose-gc",
        "--max-old-space-size=12288",
        "--max-semi-space-size=64",
        process.argv[1] as string,
        "worker",
        scenario,
        bundles,
        out,
        String(seed),
      ],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          SIM_ROOT: ROOT,
          ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith("SIM_"))),
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), WORKER_LIMIT_MS);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      writeFileSync(log, output);
      const wallSeconds = round((Date.now() - started) / 1000, 1);
      if (code === 0 && existsSync(out)) {
        resolve({ scenario, report: JSON.parse(readFileSync(out, "utf8")), wallSeconds });
      } else {
        const why =
          signal === "SIGKILL" ? `stopped after ${WORKER_LIMIT_MS / 1000} s` : `exit ${code ?? signal}`;
        resolve({
          scenario,
          error: `${why}: ${output.trim().split("\n").slice(-8).join("\n")}`,
          wallSeconds,
        });
      }
    });
  });
}

async function runAll(scenarios: ScenarioName[], bundles: string, seed: number, parallel: number) {
  const queue = [...scenarios];
  const outcomes: WorkerOutcome[] = [];
  const lane = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const outcome = await runScenario(next, bundles, seed);
      console.log(
        `  ${outcome.scenario.padEnd(12)} ${outcome.error ? `FAILED (${outcome.error.split("\n")[0]})` : "done"} in ${outcome.wallSeconds} s`,
      );
      outcomes.push(outcome);
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  return Object.fromEntries(outcomes.map((o) => [o.scenario, o])) as Record<string, WorkerOutcome>;
}

type Json = Record<string, unknown>;
const get = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((at, key) => (at && typeof at === "object" ? (at as Json)[key] : undefined), value);
const num = (value: unknown): number | null => (typeof value === "number" ? value : null);

function summarise(outcomes: Record<string, WorkerOutcome>) {
  const result = (scenario: string) => get(outcomes[scenario]?.report, "result") as Json | undefined;
  const vis = get(result("visibility"), "visibility") as Json | undefined;
  const pub = result("publish");
  const naive = result("naive");
  const outage = result("outage");
  const scale = result("scale");
  const small = result("scale-small");
  const memoryRun = result("memory");
  const visMax = num(vis?.max);
  const ours = num(pub?.butter_calls_per_100k_views);
  const bound = num(pub?.lower_bound_per_100k_views);
  const share = num(outage?.share_200);
  const perPublish = num(scale?.butter_calls_per_publish);
  const memory = memoryRun as Json | undefined;
  const heapMb = num(memory?.largest_warm_mb);
  const blobBytes = num(get(memory, "blobs", "largestBytes"));
  return {
    publish_to_visible_s: {
      p50: num(vis?.p50),
      p99: num(vis?.p99),
      max: visMax,
      publishes: num(vis?.publishes),
      not_visible_within_window: num(vis?.not_visible_within_window),
      window_s: num(vis?.window_s),
      webhook_2xx: num(vis?.webhook_2xx),
      target_max: 10,
      meets_target: visMax !== null && visMax <= 10 && vis?.not_visible_within_window === 0,
    },
    butter_calls_per_100k_views: {
      ours,
      naive: num(naive?.butter_calls_per_100k_views),
      lower_bound: bound,
      ours_over_bound: num(pub?.ours_over_bound),
      views: num(pub?.views),
      publishes: num(pub?.publishes),
      target: "ours <= 1.2 x lower_bound",
      meets_target: ours !== null && bound !== null && ours <= 1.2 * bound,
    },
    outage_drill: {
      share_200: share,
      requests: num(outage?.requests),
      outage_minutes: num(outage?.outage_minutes),
      target: 0.999,
      meets_target: share !== null && share >= 0.999,
    },
    scale: {
      posts: SCALE.posts,
      instances: num(scale?.read_instances),
      butter_calls_per_publish: perPublish,
      butter_calls_per_publish_raw: num(scale?.butter_calls_per_publish_raw),
      butter_calls_per_publish_with_10_instances: num(small?.butter_calls_per_publish),
      small_instances: num(small?.read_instances),
      target_calls_per_publish: 10,
      index_memory_mb: {
        heap_delta_largest_instance: heapMb,
        largest_blob_serialised: blobBytes === null ? null : round(blobBytes / 2 ** 20, 2),
        method: memory?.method ?? null,
      },
      target_mb: 64,
      meets_target: perPublish !== null && perPublish <= 10 && heapMb !== null && heapMb <= 64,
    },
  };
}

const USAGE = `npm run sim [-- options]   (bench/SIM.md)
  --rev <commit>        simulate a committed tree (default: the working tree)
  --save-as <name>      store this run under <name> in bench/sim-results.json (default: the top level)
  --only <a,b>          run some scenarios only (${ALL.join(", ")}); writes .sim/reports/summary.json only
  --seed <n>            another seed (default 20261201)
  --parallel <n>        scenarios run at once (default 2)
  --render              only rewrite bench/SIM.md's results table from bench/sim-results.json
environment: SIM_TRACE=<regex of URLs> [SIM_TRACE_SLUG=<slug>] [SIM_TRACE_HITS=1] adds a CDN trace to each report`;

async function orchestrate(args: string[]) {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(USAGE);
    return;
  }
  if (args.includes("--render")) {
    updateSimMd(JSON.parse(readFileSync(RESULTS, "utf8")) as Json);
    console.log(`rewrote the results table of ${SIM_MD} from ${RESULTS}`);
    return;
  }
  const known = new Set(["--rev", "--save-as", "--only", "--seed", "--parallel"]);
  const unknown = args.filter(
    (arg, i) => arg.startsWith("-") && !known.has(arg) && !known.has(args[i - 1] ?? ""),
  );
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(" ")}\n${USAGE}`);
  const started = Date.now();
  const rev = option(args, "--rev");
  const saveAs = option(args, "--save-as") ?? "current";
  const only = option(args, "--only")?.split(",") as ScenarioName[] | undefined;
  const seed = Number(option(args, "--seed") ?? 20261201);
  const parallel = Number(option(args, "--parallel") ?? 2);
  const source = sourceTree(rev);
  const contentLayer = existsSync(join(source.dir, "src", "content"));
  console.log(
    `sim: ${source.id === "worktree" ? `working tree (HEAD ${source.rev}${source.dirty ? ", uncommitted changes" : ""})` : `commit ${source.rev}`}`,
  );
  mkdirSync(join(WORK, "reports"), { recursive: true });
  const bundles = await bundle(source);
  const scenarios = only ?? ALL;
  const outcomes = await runAll(scenarios, bundles, seed, parallel);
  const summary = {
    generated: new Date().toISOString(),
    source: {
      tree: source.id === "worktree" ? "working tree" : "commit",
      rev: source.rev,
      uncommitted_changes: source.dirty,
      src_content_present: contentLayer,
    },
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? "", node: process.version },
    wall_seconds: round((Date.now() - started) / 1000, 1),
    ...summarise(outcomes),
    model: MODEL,
    blobs_emulation_selftest_failures: Object.values(outcomes).flatMap((o) =>
      ((get(o.report, "blobs_selftest", "failed") as string[] | undefined) ?? []).map(
        (f) => `${o.scenario}: ${f}`,
      ),
    ),
    failures: Object.fromEntries(
      Object.values(outcomes)
        .filter((o) => o.error)
        .map((o) => [o.scenario, o.error]),
    ),
    details: Object.fromEntries(Object.values(outcomes).map((o) => [o.scenario, o.report ?? null])),
  };
  printSummary(summary);
  if (only) {
    writeFileSync(join(WORK, "reports", "summary.json"), JSON.stringify(summary, null, 2));
    console.log("(--only: bench/sim-results.json not written; see .sim/reports/summary.json)");
    return;
  }
  const existing = existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, "utf8")) as Json) : {};
  const next: Json =
    saveAs === "current"
      ? { ...summary, ...(existing.baseline ? { baseline: existing.baseline } : {}) }
      : { ...existing, [saveAs]: { ...summary, details: undefined } };
  writeFileSync(RESULTS, `${JSON.stringify(next, null, 2)}\n`);
  spawnSync(join(ROOT, "node_modules", ".bin", "biome"), ["format", "--write", RESULTS], { cwd: ROOT });
  updateSimMd(next);
  console.log(`wrote ${RESULTS}`);
}

function printSummary(summary: ReturnType<typeof summarise> & { wall_seconds: number; failures: Json }) {
  const v = summary.publish_to_visible_s;
  const c = summary.butter_calls_per_100k_views;
  const o = summary.outage_drill;
  const s = summary.scale;
  const mark = (ok: boolean) => (ok ? "ok  " : "MISS");
  console.log(`
${mark(v.meets_target)} publish_to_visible_s   p50 ${v.p50}  p99 ${v.p99}  max ${v.max}  (not visible within ${v.window_s} s: ${v.not_visible_within_window})
${mark(c.meets_target)} butter_calls/100k views ours ${c.ours}  naive ${c.naive}  bound ${c.lower_bound}  (ours/bound ${c.ours_over_bound})
${mark(o.meets_target)} outage_drill share_200 ${o.share_200} of ${o.requests}
${mark(s.meets_target)} scale                  ${s.butter_calls_per_publish} calls/publish (${s.butter_calls_per_publish_with_10_instances} with 10 instances), index heap ${s.index_memory_mb.heap_delta_largest_instance} MB, largest blob ${s.index_memory_mb.largest_blob_serialised} MB
sim took ${summary.wall_seconds} s${Object.keys(summary.failures).length ? `; FAILED: ${Object.keys(summary.failures).join(", ")}` : ""}`);
}

function updateSimMd(results: Json) {
  if (!existsSync(SIM_MD)) return;
  const text = readFileSync(SIM_MD, "utf8");
  const start = "<!-- sim-results:start -->";
  const end = "<!-- sim-results:end -->";
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) return;
  writeFileSync(SIM_MD, `${text.slice(0, a + start.length)}\n${renderTable(results)}\n${text.slice(b)}`);
}

const argv = process.argv.slice(2);
if (argv[0] === "worker") {
  const [, scenario, bundles, out, seed] = argv;
  process.on("SIGTERM", () => process.exit(2)); // flushes --cpu-prof when a run is stopped
  process.on("beforeExit", () => {
    console.error(
      "sim worker: the event loop emptied while waiting on virtual time (an await outside the clock)",
    );
    process.exit(3);
  });
  runWorker(scenario as ScenarioName, bundles as string, out as string, Number(seed)).then(
    () => process.exit(0),
    (error) => {
      // console is the functions' (captured) from here on: write to stderr directly.
      process.stderr.write(`${error?.stack ?? error}\n`);
      process.exit(1);
    },
  );
} else {
  orchestrate(argv).catch((error) => {
    console.error(error?.stack ?? error);
    process.exit(1);
  });
}
