#!/usr/bin/env node
// Runs a TypeScript tool script (bench/run.ts, bench/load.ts, bench/sim/cli.ts): bundles it with
// esbuild (src/ and functions/ inlined, packages external) into .bench-build/ (git-ignored)
// and runs it in a fresh Node process with --expose-gc. The bundle is named after this
// process, so two runs at once never swap each other's code, and removed when the run ends.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [entry, ...args] = process.argv.slice(2);
const outfile = join(root, ".bench-build", `${basename(entry).replace(/\.ts$/, "")}.${process.pid}.mjs`);
await build({
  entryPoints: [join(root, entry)],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  logLevel: "warning",
});
const result = spawnSync(process.execPath, ["--expose-gc", outfile, ...args], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, BENCH_ROOT: root },
});
rmSync(outfile, { force: true });
process.exit(result.status ?? 1);
