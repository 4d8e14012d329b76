/**
 * `npm run bench` measures on the Node major deployed functions run on
 * (scripts/deploy-node.mjs): the major is read from `.nvmrc`, the running
 * Node is used when it is that major, and the installed copy lives under
 * the git-ignored .bench-build/.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deployMajor, deployNode } from "../../scripts/deploy-node.mjs";

const root = join(import.meta.dirname, "..", "..");

function withNvmrc(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "nvmrc-"));
  writeFileSync(join(dir, ".nvmrc"), text);
  return dir;
}

describe("the deploy's Node for the bench", () => {
  it("reads the major from .nvmrc in its usual spellings, and refuses one that names no version", () => {
    expect(deployMajor(root)).toBe(22);
    expect(deployMajor(withNvmrc("v22.12.0\n"))).toBe(22);
    expect(deployMajor(withNvmrc("20"))).toBe(20);
    expect(() => deployMajor(withNvmrc("lts/*"))).toThrow(/names no Node version/);
  });

  it("uses the running Node when it is the deploy's major, installing nothing", () => {
    const major = process.versions.node.split(".")[0] as string;
    const dir = withNvmrc(`${major}\n`);
    expect(deployNode(dir)).toEqual({ node: process.execPath, major: Number(major) });
  });

  it("installs another major under .bench-build/, which git ignores", () => {
    const ignored = execFileSync("git", ["check-ignore", "--no-index", ".bench-build/node-22/node_modules"], {
      cwd: root,
      encoding: "utf8",
    });
    expect(ignored.trim()).toBe(".bench-build/node-22/node_modules");
  });
});
