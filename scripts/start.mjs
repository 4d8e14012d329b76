#!/usr/bin/env node
// `npm start`: the backend under `netlify dev`, offline, on port 8888.
// Without BUTTERCMS_API_TOKEN (in the environment or .env) it serves the
// bundled sample blog: the ButterCMS emulation is bundled to .sample/ and
// preloaded into netlify dev's processes with NODE_OPTIONS=--import (plain
// `netlify dev` gets the same through netlify.toml and scripts/sample-loader.mjs).
// The CLI's main process also loads scripts/dev-guard.mjs, which keeps an
// aborted request body, a malformed URL or a huge Content-Length from killing
// netlify dev (docs/development.md, "Known issues of `netlify dev`").
// With the sample blog, an unset PREVIEW_PASSWORD or SESSION_SECRET gets its
// demo value (scripts/sample-preload.mjs), and the demo password is printed.
// Extra arguments are passed on: `npm start -- --port 9999`.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseEnv } from "node:util";
import { buildSamplePreload, demoPreviewDefaults } from "./sample-preload.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dotenv = existsSync(join(root, ".env")) ? parseEnv(readFileSync(join(root, ".env"), "utf8")) : {};
const setting = (name) => process.env[name] ?? dotenv[name];
const sample = setting("BUTTERCMS_SAMPLE") === "1" || !setting("BUTTERCMS_API_TOKEN")?.trim();

/** The port netlify dev will listen on: the last `--port` passed on, else 8888. */
function listeningPort(args) {
  let port = "8888";
  args.forEach((arg, index) => {
    if (arg === "--port" && args[index + 1]) port = args[index + 1];
    else if (arg.startsWith("--port=")) port = arg.slice("--port=".length);
  });
  return port;
}
const address = `http://localhost:${listeningPort(process.argv.slice(2))}`;

const env = { ...process.env, NO_UPDATE_NOTIFIER: "1", BROWSER: "none" };
if (sample) {
  const preload = await buildSamplePreload(root);
  env.NODE_OPTIONS = [process.env.NODE_OPTIONS, `--import=${pathToFileURL(preload).href}`]
    .filter(Boolean)
    .join(" ");
  // The sample blog has a Spanish translation: let `?locale=es` work unless told otherwise.
  env.BUTTERCMS_LOCALES = setting("BUTTERCMS_LOCALES") ?? "en,es";
  // Set here, not in .env: netlify dev lets the environment win over .env, whose lines may be empty.
  const demo = demoPreviewDefaults({
    PREVIEW_PASSWORD: setting("PREVIEW_PASSWORD"),
    SESSION_SECRET: setting("SESSION_SECRET"),
  });
  Object.assign(env, demo);
  console.log(`butter-netlify: serving the SAMPLE blog (no BUTTERCMS_API_TOKEN set) on ${address}`);
  if (demo.PREVIEW_PASSWORD) {
    console.log(
      `butter-netlify: previews: log in with the demo password "${demo.PREVIEW_PASSWORD}" ` +
        "(PREVIEW_PASSWORD is unset; set it and SESSION_SECRET to choose your own)",
    );
  }
} else {
  console.log(`butter-netlify: serving LIVE ButterCMS content (BUTTERCMS_API_TOKEN is set) on ${address}`);
}
console.log(`butter-netlify: static pages from it: BLOG_API_URL=${address} npm run example`);

// --internal-disable-edge-functions: netlify dev --offline otherwise needs a Deno
// binary it cannot download here; this project has no edge functions (README).
const args = [
  "dev",
  "--offline",
  "--internal-disable-edge-functions",
  "--port",
  "8888",
  ...process.argv.slice(2),
];
const cli = join(root, "node_modules", "netlify-cli", "bin", "run.js");
// An option of the CLI's own process, not NODE_OPTIONS; its worker threads inherit it but skip it.
const guard = `--import=${pathToFileURL(join(root, "scripts", "dev-guard.mjs")).href}`;
const child = spawn(process.execPath, [guard, cli, ...args], { cwd: root, env, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
