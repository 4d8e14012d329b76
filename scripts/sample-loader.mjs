// The sample blog for plain `netlify dev`. netlify.toml sets
// `[context.dev.environment] NODE_OPTIONS = "--import=#sample-loader"` (package.json's
// "imports" entry for this file);
// netlify dev puts that into its environment at start (only in the `dev`
// context: `netlify build` and deploys never see it, and variables in
// netlify.toml never reach deployed functions), and every function worker
// thread it starts then imports this file before the function.
//
// When no ButterCMS token is set (or BUTTERCMS_SAMPLE=1), it loads the
// ButterCMS emulation (sample/preload.ts, bundled to .sample/ on first use and
// whenever a sample file changed), exactly as `npm start` does, and gives an
// unset PREVIEW_PASSWORD or SESSION_SECRET its demo value (DEMO_PREVIEW in
// sample-preload.mjs), as `npm start` does too. With a token it does nothing,
// so live content, and its drafts, are untouched.
//
// `npm start` sets NODE_OPTIONS itself; netlify dev then ignores this one.
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const wantsSample = process.env.BUTTERCMS_SAMPLE === "1" || !process.env.BUTTERCMS_API_TOKEN?.trim();

if (wantsSample) {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  try {
    const { demoPreviewDefaults, ensureSamplePreload } = await import("./sample-preload.mjs");
    await import(pathToFileURL(await ensureSamplePreload(root)).href);
    // This worker thread's own environment, read by src/core/config.ts when the function runs.
    Object.assign(process.env, demoPreviewDefaults(process.env));
  } catch (error) {
    // The function then answers 500 misconfigured, and its log says why.
    console.error(`sample blog not loaded (run \`npm ci\`, or use \`npm start\`): ${error}`);
  }
}
