/**
 * Functions as Netlify runs them: every function its own deployment unit,
 * every warm instance its own module state. Each instance here is the
 * function bundled on its own with esbuild (src/ inlined, packages
 * external) and imported under its own URL, so no cache, index, breaker or
 * state view is shared through vitest's module graph.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import type { Handler } from "./invoke.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const OUT = join(ROOT, ".test-instances");
const built = new Map<string, Promise<string>>();
let counter = 0;

function bundle(name: string): Promise<string> {
  let pending = built.get(name);
  if (!pending) {
    mkdirSync(OUT, { recursive: true });
    const outfile = join(OUT, `${name}-${process.pid}.mjs`);
    pending = build({
      entryPoints: [join(ROOT, "functions", `${name}.mts`)],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      packages: "external",
      logLevel: "error",
    }).then(() => outfile);
    built.set(name, pending);
  }
  return pending;
}

/** A new, cold instance of the function `name` (e.g. "getPost"). */
export async function coldInstance(name: string): Promise<Handler> {
  counter += 1;
  const url = `${pathToFileURL(await bundle(name)).href}?instance=${counter}`;
  return ((await import(url)) as { default: Handler }).default;
}
