#!/usr/bin/env node
// `prestart` and `pretest`: on a fresh clone, install from the lockfile first,
// so that the README's quick start really is two commands.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const installed = ["netlify-cli", "vitest", "buttercms"].every((name) =>
  existsSync(join(root, "node_modules", name, "package.json")),
);
if (!installed) {
  console.log("Installing dependencies from package-lock.json (npm ci)…");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
