/**
 * Runs `netlify build --offline` (no account needed) and reads what it
 * produced: `.netlify/functions/manifest.json` and one zip per function.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { unzipSync } from "fflate";

export const ROOT = join(import.meta.dirname, "..");
const CLI = join(ROOT, "node_modules", "netlify-cli", "bin", "run.js");

export interface ManifestFunction {
  name: string;
  path: string;
  routes?: { pattern: string }[];
  trafficRules?: unknown;
}

/** Builds the site at `cwd` (default: this repo) and returns its manifest's functions. */
export async function netlifyBuild(cwd = ROOT): Promise<ManifestFunction[]> {
  await promisify(execFile)(process.execPath, [CLI, "build", "--offline"], {
    cwd,
    env: { ...process.env, CI: "true", NO_UPDATE_NOTIFIER: "1" },
    maxBuffer: 16 * 1024 * 1024,
  });
  const manifest = JSON.parse(await readFile(join(cwd, ".netlify", "functions", "manifest.json"), "utf8"));
  return manifest.functions as ManifestFunction[];
}

/** Entries that Netlify adds to every zip (bootstrap, telemetry), not our code. */
export const isPlatformEntry = (name: string): boolean => name.startsWith("___netlify-");

export async function readZip(path: string): Promise<{ bytes: number; entries: Record<string, Uint8Array> }> {
  const buffer = await readFile(path);
  return { bytes: buffer.byteLength, entries: unzipSync(new Uint8Array(buffer)) };
}
