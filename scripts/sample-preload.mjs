// Bundles the ButterCMS emulation over the sample blog (sample/preload.ts)
// into one ESM file that `node --import` can load (Node 20 cannot import the
// TypeScript sources directly). `netlify dev` loads it in every request's
// worker thread, so it imports nothing heavy (no msw).
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { threadId } from "node:worker_threads";
import { build } from "esbuild";

const BUNDLE = "preload.mjs";

/**
 * Preview settings for the sample blog, so that previews work out of the box
 * wherever the emulation is loaded: `npm start` and plain `netlify dev`
 * (scripts/sample-loader.mjs). A deploy loads neither script, so there an
 * unset PREVIEW_PASSWORD or SESSION_SECRET still means `503
 * auth_not_configured`. Public on purpose: the README prints the password.
 */
export const DEMO_PREVIEW = Object.freeze({
  PREVIEW_PASSWORD: "sample-preview",
  SESSION_SECRET: "sample-blog-demo-session-secret-never-for-a-deploy",
});

/**
 * The demo values for the preview settings `env` lacks (unset or empty, as
 * src/core/config.ts counts them), to be added to it.
 * @param {Record<string, string | undefined>} env
 * @returns {Partial<Record<keyof typeof DEMO_PREVIEW, string>>}
 */
export function demoPreviewDefaults(env) {
  /** @type {Partial<Record<keyof typeof DEMO_PREVIEW, string>>} */
  const missing = {};
  for (const name of /** @type {(keyof typeof DEMO_PREVIEW)[]} */ (Object.keys(DEMO_PREVIEW))) {
    if (!env[name]) missing[name] = DEMO_PREVIEW[name];
  }
  return missing;
}
const INPUTS = "preload.inputs.json";

/**
 * Builds `<root>/<outDir>/preload.mjs` and returns its path. The files it was
 * built from are listed next to it (`preload.inputs.json`), so that
 * `ensureSamplePreload` can tell whether it is stale. Both files are written
 * under a temporary name and renamed: several worker threads may build at once.
 */
export async function buildSamplePreload(root, outDir = ".sample") {
  const dir = join(root, outDir);
  const outfile = join(dir, BUNDLE);
  const result = await build({
    absWorkingDir: root,
    entryPoints: [join(root, "sample", "preload.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
    metafile: true,
    write: false,
  });
  mkdirSync(dir, { recursive: true });
  const unique = `${process.pid}-${threadId}`;
  const writeAtomically = (path, contents) => {
    writeFileSync(`${path}.${unique}.tmp`, contents);
    renameSync(`${path}.${unique}.tmp`, path);
  };
  // The inputs first: a bundle on disk is never newer than its inputs list.
  writeAtomically(join(dir, INPUTS), JSON.stringify(Object.keys(result.metafile.inputs)));
  writeAtomically(outfile, result.outputFiles[0].contents);
  return outfile;
}

/** The path of an up-to-date `<root>/<outDir>/preload.mjs`, built only when missing or stale. */
export async function ensureSamplePreload(root, outDir = ".sample") {
  const outfile = join(root, outDir, BUNDLE);
  try {
    const builtAt = statSync(outfile).mtimeMs;
    const inputs = JSON.parse(readFileSync(join(root, outDir, INPUTS), "utf8"));
    if (inputs.every((input) => statSync(join(root, input)).mtimeMs <= builtAt)) return outfile;
  } catch {
    // missing bundle, missing list, or an input that moved away: build
  }
  return buildSamplePreload(root, outDir);
}
