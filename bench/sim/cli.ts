/**
 * `npm run sim` (scripts/run-ts.mjs bundles this file and runs it).
 *
 *   npm run sim                          # the working tree; writes .sim/results.json (git-ignored)
 *   npm run sim -- --rev <commit>        # a committed tree (git archive into .sim/src/)
 *   npm run sim -- --save                # also rewrite bench/sim-results.json and bench/SIM.md's table
 *   npm run sim -- --only publish,outage # some scenarios only (.sim/reports/summary.json)
 *
 * Bundles every function separately (esbuild, `packages: "external"`) and the
 * ButterCMS emulation with that tree's sample data, then runs each scenario
 * in its own process, two at a time, and merges their reports.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { simOutputs } from "../outputs.ts";
import { round } from "./random.ts";
import { renderTable } from "./report.ts";
import { summarise } from "./summary.ts";
import { DEFAULT_SCENARIOS, isScenario, runWorker, SCENARIOS, type ScenarioName } from "./worker.ts";
import { MODEL } from "./world.ts";

const ROOT = process.env.SIM_ROOT ?? process.env.BENCH_ROOT ?? process.cwd();
const WORK = join(ROOT, ".sim");
/** The tracked files `--save` rewrites (`--render` too). */
const SAVED = simOutputs(ROOT, ["--save"]);
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
  // ButterCMS is the sim's, whatever tree is under test: this checkout's emulation (sample/), which
  // has what the scenarios need (generated locales, the stemming search).
  await build({
    ...common,
    entryPoints: [join(ROOT, "bench", "sim", "butter-entry.ts")],
    outfile: join(out, "butter.mjs"),
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
  const running = new Map<ScenarioName, number>();
  const started = Date.now();
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
  // Progress: what finished as it finishes, and every 20 s what is still running.
  const heartbeat = setInterval(() => {
    const now = Date.now();
    const list = [...running].map(([name, at]) => `${name} (${Math.round((now - at) / 1000)} s)`);
    console.log(`  [${elapsed()}] running: ${list.join(", ")}; ${queue.length} waiting`);
  }, 20_000);
  const lane = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      running.set(next, Date.now());
      const outcome = await runScenario(next, bundles, seed);
      running.delete(next);
      console.log(
        `  [${elapsed()}] ${outcome.scenario.padEnd(19)} ${outcome.error ? `FAILED (${outcome.error.split("\n")[0]})` : "done"} in ${outcome.wallSeconds} s (${outcomes.length + 1}/${scenarios.length})`,
      );
      outcomes.push(outcome);
    }
  };
  try {
    await Promise.all(Array.from({ length: parallel }, lane));
  } finally {
    clearInterval(heartbeat);
  }
  return Object.fromEntries(outcomes.map((o) => [o.scenario, o])) as Record<string, WorkerOutcome>;
}

type Json = Record<string, unknown>;
const get = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((at, key) => (at && typeof at === "object" ? (at as Json)[key] : undefined), value);

const USAGE = `npm run sim [-- options]   (bench/SIM.md)
  --rev <commit>        simulate a committed tree (default: the working tree)
  --save                write bench/sim-results.json and bench/SIM.md's table (default: .sim/results.json and .sim/results.md only)
  --save-as <name>      store this run under <name> in bench/sim-results.json (implies --save)
  --only <a,b>          run some scenarios only; writes .sim/reports/summary.json only
                        default set: ${DEFAULT_SCENARIOS.join(", ")}
                        also: ${Object.keys(SCENARIOS)
                          .filter((name) => !DEFAULT_SCENARIOS.includes(name as ScenarioName))
                          .join(", ")}
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
    updateSimMd(SAVED.markdown, JSON.parse(readFileSync(SAVED.results, "utf8")) as Json);
    console.log(`rewrote the results table of ${SAVED.markdown} from ${SAVED.results}`);
    return;
  }
  const known = new Set(["--rev", "--save-as", "--only", "--seed", "--parallel"]);
  const flags = new Set(["--save"]);
  const unknown = args.filter(
    (arg, i) => arg.startsWith("-") && !known.has(arg) && !flags.has(arg) && !known.has(args[i - 1] ?? ""),
  );
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(" ")}\n${USAGE}`);
  const only = option(args, "--only")?.split(",");
  const bad = only?.filter((name) => !isScenario(name)) ?? [];
  if (bad.length > 0) throw new Error(`unknown scenario ${bad.join(", ")}\n${USAGE}`);
  const outputs = simOutputs(ROOT, args);
  if (only && outputs.save) throw new Error("--save needs every scenario: drop --only");
  const started = Date.now();
  const rev = option(args, "--rev");
  const saveAs = option(args, "--save-as") ?? "current";
  const seed = Number(option(args, "--seed") ?? 20261201);
  const parallel = Number(option(args, "--parallel") ?? 2);
  const source = sourceTree(rev);
  const contentLayer = existsSync(join(source.dir, "src", "content"));
  const scenarios = (only as ScenarioName[] | undefined) ?? DEFAULT_SCENARIOS;
  console.log(
    `sim: ${source.id === "worktree" ? `working tree (HEAD ${source.rev}${source.dirty ? ", uncommitted changes" : ""})` : `commit ${source.rev}`}; ${scenarios.length} scenarios, ${parallel} at a time`,
  );
  mkdirSync(join(WORK, "reports"), { recursive: true });
  const bundles = await bundle(source);
  console.log(`  bundled in ${round((Date.now() - started) / 1000, 1)} s`);
  const outcomes = await runAll(scenarios, bundles, seed, parallel);
  const reports = Object.fromEntries(
    Object.values(outcomes).map((o) => [o.scenario, (get(o.report, "result") as Json | undefined) ?? null]),
  );
  const summary = {
    generated: new Date().toISOString(),
    source: {
      tree: source.id === "worktree" ? "working tree" : "commit",
      rev: source.rev,
      uncommitted_changes: source.dirty,
      src_content_present: contentLayer,
      scheduled_function_present: existsSync(join(source.dir, "functions", "reconcileIndex.mts")),
    },
    /** The sim itself and its ButterCMS emulation: this checkout's bench/ and sample/. */
    sim: {
      rev: git("rev-parse", "--short", "HEAD"),
      uncommitted_changes: git("status", "--porcelain", "--", "bench/sim", "sample").length > 0,
    },
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? "", node: process.version },
    wall_seconds: round((Date.now() - started) / 1000, 1),
    seed,
    ...summarise(reports),
    model: MODEL,
    scenario_wall_seconds: Object.fromEntries(
      Object.values(outcomes).map((o) => [o.scenario, o.wallSeconds]),
    ),
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
    console.log("(--only: see .sim/reports/summary.json)");
    return;
  }
  const existing =
    outputs.save && existsSync(outputs.results)
      ? (JSON.parse(readFileSync(outputs.results, "utf8")) as Json)
      : {};
  // Runs kept under a name (--save-as) stay if this sim measured them (older ones have no plans).
  const named = Object.fromEntries(
    Object.entries(existing).filter(
      ([, value]) => value && typeof value === "object" && "generated" in value && "plans" in value,
    ),
  );
  const next: Json =
    saveAs === "current"
      ? { ...summary, ...named }
      : { ...existing, [saveAs]: { ...summary, details: undefined } };
  mkdirSync(join(WORK), { recursive: true });
  writeFileSync(outputs.results, `${JSON.stringify(next, null, 2)}\n`);
  if (outputs.save) {
    spawnSync(join(ROOT, "node_modules", ".bin", "biome"), ["format", "--write", outputs.results], {
      cwd: ROOT,
    });
    updateSimMd(outputs.markdown, next);
  } else {
    writeFileSync(outputs.markdown, `${renderTable(next)}\n`);
  }
  console.log(
    `wrote ${outputs.results}${outputs.save ? ` and the table of ${outputs.markdown}` : ` and ${outputs.markdown} (--save writes bench/sim-results.json and bench/SIM.md)`}`,
  );
}

function printSummary(summary: ReturnType<typeof summarise> & { wall_seconds: number; failures: Json }) {
  console.log("");
  for (const line of summary.checks) console.log(line);
  console.log(
    `sim took ${summary.wall_seconds} s${Object.keys(summary.failures).length ? `; FAILED: ${Object.keys(summary.failures).join(", ")}` : ""}`,
  );
}

function updateSimMd(file: string, results: Json) {
  if (!existsSync(file)) return;
  const text = readFileSync(file, "utf8");
  const start = "<!-- sim-results:start -->";
  const end = "<!-- sim-results:end -->";
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) return;
  writeFileSync(file, `${text.slice(0, a + start.length)}\n${renderTable(results)}\n${text.slice(b)}`);
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
  if (!scenario || !isScenario(scenario)) throw new Error(`unknown scenario ${scenario}`);
  runWorker(scenario, bundles as string, out as string, Number(seed)).then(
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
