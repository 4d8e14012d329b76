// The Node binary of the major version deployed functions run on (`.nvmrc`: a deploy's functions
// run on the Node version of its build), for `npm run bench`: a warm hit's cost is mostly Node's
// own Response and stream code, which differs between majors (Node 20 builds every body stream
// through `makeTransferable`, about a third of a hit there; Node 22 does not), so the bench
// measures on the Node production runs. When the running Node is another major, that major is
// installed once from the npm registry into .bench-build/ (git-ignored), as .ci/run does.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The major version in `.nvmrc` ("22", "v22", "22.12.0" → 22). */
export function deployMajor(root) {
  const text = readFileSync(join(root, ".nvmrc"), "utf8").trim();
  const major = Number(/^v?(\d+)/.exec(text)?.[1]);
  if (!Number.isInteger(major)) throw new Error(`.nvmrc names no Node version: ${JSON.stringify(text)}`);
  return major;
}

/**
 * `{ node, major }`: a Node binary of the deploy's major, or `{ node: null, major, why }` when
 * none could be had (no registry): the caller runs on the current Node and says so.
 */
export function deployNode(root) {
  const major = deployMajor(root);
  if (Number(process.versions.node.split(".")[0]) === major) return { node: process.execPath, major };
  const pkg = `node-${process.platform}-${process.arch}`;
  const prefix = join(root, ".bench-build", `node-${major}`);
  const binary = join(prefix, "node_modules", pkg, "bin", process.platform === "win32" ? "node.exe" : "node");
  try {
    if (!existsSync(binary)) {
      console.error(`installing Node ${major} (${pkg}@${major}) into .bench-build/ for the bench…`);
      execFileSync(
        "npm",
        [
          "install",
          "--prefix",
          prefix,
          "--no-save",
          "--no-package-lock",
          "--no-audit",
          "--no-fund",
          `${pkg}@${major}`,
        ],
        { stdio: ["ignore", "ignore", "pipe"], shell: process.platform === "win32" },
      );
    }
    const version = execFileSync(binary, ["--version"], { encoding: "utf8" }).trim();
    if (!version.startsWith(`v${major}.`)) throw new Error(`${binary} is ${version}`);
    return { node: binary, major };
  } catch (error) {
    const why = String(error instanceof Error ? error.message : error).split("\n")[0];
    return { node: null, major, why };
  }
}
