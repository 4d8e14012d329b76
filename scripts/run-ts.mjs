#!/usr/bin/env node
// Runs a TypeScript tool script (bench/run.ts, bench/load.ts, bench/sim/cli.ts): bundles it with
// esbuild (src/ and functions/ inlined, packages external) into .bench-build/ (git-ignored)
// and runs it in a fresh Node process with --expose-gc. The bundle is named after this
// process, so two runs at once never swap each other's code, and removed when the run ends.
// `--deploy-node` first (the bench): run it on the Node major deployed functions run on
// (scripts/deploy-node.mjs); BENCH_NODE=current keeps the running Node.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { deployNode } from "./deploy-node.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const onDeployNode = process.argv[2] === "--deploy-node";
const [entry, ...args] = process.argv.slice(onDeployNode ? 3 : 2);
const outfile = join(root, ".bench-build", `${basename(entry).replace(/\.ts$/, "")}.${process.pid}.mjs`);
let node = process.execPath;
const env = { ...process.env, BENCH_ROOT: root };
delete env.BENCH_NODE_WHY; // only this run's reason reaches the bench
if (onDeployNode) {
  const deploy = deployNode(root, { keepCurrent: process.env.BENCH_NODE === "current" });
  if (deploy.node) node = deploy.node;
  else {
    env.BENCH_NODE_WHY = deploy.why;
    console.error(`running on ${process.version}, not the deploy's Node ${deploy.major}: ${deploy.why}`);
  }
}
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
const result = spawnSync(node, ["--expose-gc", outfile, ...args], { cwd: root, stdio: "inherit", env });
rmSync(outfile, { force: true });
process.exit(result.status ?? 1);
