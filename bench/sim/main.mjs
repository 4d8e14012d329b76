#!/usr/bin/env node
// `npm run sim`: bundles the sim harness (bench/sim/cli.ts) with esbuild into
// .sim/ and runs it; see bench/SIM.md. Arguments pass through.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const outfile = join(root, ".sim", "cli.mjs");
await build({
  entryPoints: [join(root, "bench", "sim", "cli.ts")],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  logLevel: "warning",
});
const result = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, SIM_ROOT: root },
});
process.exit(result.status ?? 1);
