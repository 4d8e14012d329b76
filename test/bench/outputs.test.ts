/**
 * `npm run sim` and `npm run bench` leave `git status` clean unless asked to
 * save (bench/outputs.ts): by default every result file they resolve is
 * git-ignored and untracked; `--save` (and the sim's `--save-as`) name the
 * tracked files the README and bench/SIM.md quote. Checked on the paths the
 * CLIs resolve, without running them.
 */
import { execFileSync } from "node:child_process";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { benchOutputs, simOutputs } from "../../bench/outputs.ts";

const root = join(import.meta.dirname, "..", "..");
const git = (...args: string[]) => execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim();

/** Whether git ignores `path` (exit status 0 of check-ignore; 1 when it does not). */
function ignored(path: string): boolean {
  try {
    execFileSync("git", ["check-ignore", "-q", "--no-index", relative(root, path)], { cwd: root });
    return true;
  } catch {
    return false;
  }
}

const tracked = (path: string): boolean => git("ls-files", "--", relative(root, path)) !== "";

describe("result files", () => {
  it.each([
    ["npm run sim", simOutputs(root, [])],
    ["npm run sim -- --rev HEAD --seed 7", simOutputs(root, ["--rev", "HEAD", "--seed", "7"])],
    ["npm run bench", benchOutputs(root, [])],
  ])("%s writes only git-ignored, untracked files", (_command, outputs) => {
    expect(outputs.save).toBe(false);
    for (const path of [outputs.results, outputs.markdown]) {
      expect(ignored(path), `${relative(root, path)} is not ignored`).toBe(true);
      expect(tracked(path), `${relative(root, path)} is tracked`).toBe(false);
    }
  });

  it("keeps the sim's and the bench's working folders (bundles, reports, exported trees) git-ignored", () => {
    for (const folder of [
      ".sim/bundles/x.mjs",
      ".sim/reports/x.json",
      ".sim/src/x",
      ".bench/x",
      ".bench-build/x.mjs",
    ]) {
      expect(ignored(join(root, folder)), folder).toBe(true);
    }
  });

  it.each([
    ["npm run sim -- --save", simOutputs(root, ["--save"]), ["bench/sim-results.json", "bench/SIM.md"]],
    [
      "npm run sim -- --save-as before",
      simOutputs(root, ["--save-as", "before"]),
      ["bench/sim-results.json", "bench/SIM.md"],
    ],
    ["npm run bench -- --save", benchOutputs(root, ["--save"]), ["bench/results.json", "bench/RESULTS.md"]],
  ])("%s writes the tracked results", (_command, outputs, files) => {
    expect(outputs.save).toBe(true);
    expect([outputs.results, outputs.markdown].map((path) => relative(root, path))).toEqual(files);
    for (const path of [outputs.results, outputs.markdown]) expect(tracked(path)).toBe(true);
  });
});
