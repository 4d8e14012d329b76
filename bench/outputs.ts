/**
 * Where `npm run sim` and `npm run bench` write their results. By default
 * under `.sim/` and `.bench/` (git-ignored), so that a run leaves
 * `git status` clean; only with `--save` (or the sim's `--save-as`) do they
 * rewrite the tracked files that the README and bench/SIM.md quote.
 */
import { join } from "node:path";

export interface OutputPaths {
  /** Whether the tracked files are the target. */
  save: boolean;
  /** The results JSON. */
  results: string;
  /** The Markdown written from it: a whole file (bench) or a table inside one (sim). */
  markdown: string;
}

/** `npm run sim`: bench/sim-results.json and the table in bench/SIM.md with `--save` or `--save-as`. */
export function simOutputs(root: string, args: readonly string[]): OutputPaths {
  const save = args.includes("--save") || args.includes("--save-as");
  return save
    ? { save, results: join(root, "bench", "sim-results.json"), markdown: join(root, "bench", "SIM.md") }
    : { save, results: join(root, ".sim", "results.json"), markdown: join(root, ".sim", "results.md") };
}

/** `npm run bench`: bench/results.json and bench/RESULTS.md with `--save`. */
export function benchOutputs(root: string, args: readonly string[]): OutputPaths {
  const save = args.includes("--save");
  return save
    ? { save, results: join(root, "bench", "results.json"), markdown: join(root, "bench", "RESULTS.md") }
    : { save, results: join(root, ".bench", "results.json"), markdown: join(root, ".bench", "RESULTS.md") };
}
