// Bundles the ButterCMS emulation over the sample blog (sample/preload.ts)
// into one ESM file that `node --import` can load (Node 20 cannot import the
// TypeScript sources directly). `netlify dev` loads it in every request's
// worker thread, so it imports nothing heavy (no msw).
import { join } from "node:path";
import { build } from "esbuild";

/** Builds `<root>/<outDir>/preload.mjs` and returns its path. */
export async function buildSamplePreload(root, outDir = ".sample") {
  const outfile = join(root, outDir, "preload.mjs");
  await build({
    entryPoints: [join(root, "sample", "preload.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
  });
  return outfile;
}
