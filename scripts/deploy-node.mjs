// The Node binary of the major version deployed functions run on (`.nvmrc`: a deploy's functions
// run on the Node version of its build), for `npm run bench`: a warm hit's cost is mostly Node's
// own Response and stream code, which differs between majors (Node 20 builds every body stream
// through `makeTransferable`, about a third of a hit there; Node 22 does not), so the bench
// measures on the Node production runs. When the running Node is another major, that major's
// platform package is installed once from the npm registry (as .ci/run gets its Node 22) into
// .bench-build/ (git-ignored), and reused.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

/** How long one `npm install` of Node may take before the bench runs on the current Node instead. */
const INSTALL_TIMEOUT_MS = 180_000;

/** The major version in `.nvmrc` ("22", "v22", "22.12.0" → 22). */
export function deployMajor(root) {
  const text = readFileSync(join(root, ".nvmrc"), "utf8").trim();
  const major = Number(/^v?(\d+)/.exec(text)?.[1]);
  if (!Number.isInteger(major)) throw new Error(`.nvmrc names no Node version: ${JSON.stringify(text)}`);
  return major;
}

/** The major version of the Node running this. */
export const runningMajor = () => Number(process.versions.node.split(".")[0]);

/** Where the bench keeps Node `major`: the install prefix, its npm package and its binary. */
export function installedNode(root, major) {
  const pkg = `node-${process.platform}-${process.arch}`;
  const prefix = join(root, ".bench-build", `node-${major}`);
  return { pkg, prefix, binary: join(prefix, "node_modules", pkg, "bin", "node") };
}

/** `npm install` of the package into the prefix; on failure, npm's own reason. */
function npmInstall(pkg, prefix) {
  try {
    execFileSync(
      "npm",
      ["install", "--prefix", prefix, "--no-save", "--no-package-lock", "--no-audit", "--no-fund", pkg],
      { stdio: ["ignore", "ignore", "pipe"], timeout: INSTALL_TIMEOUT_MS },
    );
  } catch (error) {
    const stderr = String(error?.stderr ?? "");
    // "npm error code ETARGET", "npm error notarget No matching version found for …": the first two.
    const reasons = stderr
      .split("\n")
      .filter((line) => /^npm (error|ERR!) /.test(line) && !/A complete log/.test(line))
      .slice(0, 2)
      .map((line) => line.replace(/^npm (error|ERR!) /, ""));
    if (reasons.length > 0) throw new Error(`npm install ${pkg}: ${reasons.join("; ")}`);
    throw new Error(error?.signal ? `npm install ${pkg} timed out` : String(error?.message ?? error));
  }
}

const versionOf = (binary) => {
  try {
    return execFileSync(binary, ["--version"], { encoding: "utf8", timeout: 10_000 }).trim();
  } catch {
    return "";
  }
};

/**
 * `{ node, major }`: a Node binary of the deploy's major, or `{ node: null, major, why }` when
 * none could be had (no registry, an unsupported platform) or `keepCurrent` asks for none: the
 * caller runs on the current Node and says so. A copy that is missing or not that major (a
 * half-finished install) is installed again, once. `install` is npm's, replaced in tests.
 */
export function deployNode(root, { install = npmInstall, keepCurrent = false } = {}) {
  const major = deployMajor(root);
  if (runningMajor() === major) return { node: process.execPath, major };
  if (keepCurrent) return { node: null, major, why: "BENCH_NODE=current" };
  if (process.platform === "win32") {
    return { node: null, major, why: "installing Node for the bench is not supported on Windows" };
  }
  const { pkg, prefix, binary } = installedNode(root, major);
  const ofMajor = () => versionOf(binary).startsWith(`v${major}.`);
  if (existsSync(binary) && ofMajor()) return { node: binary, major };
  try {
    rmSync(prefix, { recursive: true, force: true });
    console.error(`installing Node ${major} (${pkg}@${major}) into .bench-build/ for the bench…`);
    install(`${pkg}@${major}`, prefix);
    if (!ofMajor()) throw new Error(`${binary} is not Node ${major} after installing ${pkg}@${major}`);
    return { node: binary, major };
  } catch (error) {
    return { node: null, major, why: String(error instanceof Error ? error.message : error) };
  }
}
