/**
 * `npm run bench` measures on the Node major deployed functions run on
 * (scripts/deploy-node.mjs): the major is read from `.nvmrc`; the running
 * Node is used when it is that major; otherwise a copy under the
 * git-ignored .bench-build/ is used when it is that major, and installed
 * (again) when it is missing or not; a failed install gives no binary and
 * npm's reason. The installer is replaced here by one that writes a fake
 * `node` printing a version: no registry is asked.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { deployMajor, deployNode, installedNode, runningMajor } from "../../scripts/deploy-node.mjs";

const root = join(import.meta.dirname, "..", "..");
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function withNvmrc(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "nvmrc-"));
  made.push(dir);
  writeFileSync(join(dir, ".nvmrc"), text);
  return dir;
}

/** A `node` at `binary` that prints `version` for `--version`. */
function fakeNode(binary: string, version: string) {
  mkdirSync(dirname(binary), { recursive: true });
  writeFileSync(binary, `#!/bin/sh\necho ${version}\n`);
  chmodSync(binary, 0o755);
}

/** An installer that records its calls and leaves a fake `node` of `version` (none when null). */
function installer(root: string, major: number, version: string | null) {
  const calls: string[] = [];
  const install = (pkg: string, prefix: string) => {
    calls.push(`${pkg} → ${relative(root, prefix)}`);
    if (version === null) throw new Error("npm install node-x@99: code E404; 404 Not Found");
    fakeNode(installedNode(root, major).binary, version);
  };
  return { calls, install };
}

const otherMajor = runningMajor() + 7;
const pkg = `node-${process.platform}-${process.arch}@${otherMajor}`;

describe.skipIf(process.platform === "win32")("the deploy's Node for the bench", () => {
  it("reads the major from .nvmrc in its usual spellings, and refuses one that names no version", () => {
    expect(deployMajor(root)).toBe(22);
    expect(deployMajor(withNvmrc("v22.12.0\n"))).toBe(22);
    expect(deployMajor(withNvmrc("20"))).toBe(20);
    expect(() => deployMajor(withNvmrc("lts/*"))).toThrow(/names no Node version/);
  });

  it("uses the running Node when it is the deploy's major, installing nothing", () => {
    const major = runningMajor();
    const { calls, install } = installer(root, major, null);
    expect(deployNode(withNvmrc(`${major}\n`), { install })).toEqual({ node: process.execPath, major });
    expect(calls).toEqual([]);
  });

  it("installs another major once into .bench-build/, then reuses it", () => {
    const dir = withNvmrc(`${otherMajor}\n`);
    const { calls, install } = installer(dir, otherMajor, `v${otherMajor}.1.0`);
    const { binary } = installedNode(dir, otherMajor);
    expect(deployNode(dir, { install })).toEqual({ node: binary, major: otherMajor });
    expect(deployNode(dir, { install })).toEqual({ node: binary, major: otherMajor });
    expect(calls).toEqual([`${pkg} → .bench-build/node-${otherMajor}`]);
  });

  it("installs again over a copy that is not the deploy's major, and gives up when it still is not", () => {
    const dir = withNvmrc(`${otherMajor}\n`);
    fakeNode(installedNode(dir, otherMajor).binary, "v1.0.0");
    const mended = installer(dir, otherMajor, `v${otherMajor}.2.0`);
    expect(deployNode(dir, mended).node).toBe(installedNode(dir, otherMajor).binary);
    expect(mended.calls).toHaveLength(1);

    const other = withNvmrc(`${otherMajor}\n`);
    const wrong = installer(other, otherMajor, "v1.0.0");
    const result = deployNode(other, wrong);
    expect(result.node).toBeNull();
    expect(result.why).toMatch(new RegExp(`is not Node ${otherMajor} after installing`));
  });

  it("installs nothing and says why when asked to keep the running Node (BENCH_NODE=current)", () => {
    const dir = withNvmrc(`${otherMajor}\n`);
    const { calls, install } = installer(dir, otherMajor, `v${otherMajor}.1.0`);
    expect(deployNode(dir, { install, keepCurrent: true })).toEqual({
      node: null,
      major: otherMajor,
      why: "BENCH_NODE=current",
    });
    expect(calls).toEqual([]);
  });

  it("gives no binary and npm's reason when the install fails", () => {
    const dir = withNvmrc(`${otherMajor}\n`);
    const { install } = installer(dir, otherMajor, null);
    expect(deployNode(dir, { install })).toEqual({
      node: null,
      major: otherMajor,
      why: "npm install node-x@99: code E404; 404 Not Found",
    });
  });

  it("keeps its copy where git ignores it", () => {
    const { binary } = installedNode(root, 22);
    const path = relative(root, binary);
    expect(
      execFileSync("git", ["check-ignore", "--no-index", path], { cwd: root, encoding: "utf8" }).trim(),
    ).toBe(path);
  });
});
