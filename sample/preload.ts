/**
 * Loaded with `node --import` by `npm start` when no ButterCMS token is set:
 * in every process and worker thread of `netlify dev`, ButterCMS's fetches
 * are answered from the sample blog; every other fetch passes through.
 * No msw here: `netlify dev` loads this in each request's worker thread.
 *
 * - SAMPLE_LATENCY_MS adds a fixed delay to every answer.
 * - SAMPLE_FAULT_FILE names a file whose content is the current fault
 *   (`down`, `500`, `503`, `quota`, `timeout`; empty or missing: none), read
 *   again on every request, so a test can make ButterCMS fail while
 *   `netlify dev` runs. Without it, SAMPLE_FAULT sets one fault for good.
 * - SAMPLE_SEARCH=stemming makes the search match words by their stem
 *   ("running" finds "run"); unset or `substring`, a word matches where it
 *   occurs as a substring (sample/butter-emulator.ts, `SearchMode`).
 */
import { markSampleBlogLoaded, SAMPLE_TOKEN } from "../src/butter/sample-flag.ts";
import { parseSearchMode } from "./butter-emulator.ts";
import { emulatingFetch } from "./emulating-fetch.ts";
import { faultFromEnvironment } from "./faults.ts";

globalThis.fetch = emulatingFetch(globalThis.fetch, {
  token: SAMPLE_TOKEN,
  latencyMs: Number(process.env.SAMPLE_LATENCY_MS ?? 0),
  fault: faultFromEnvironment(process.env),
  search: parseSearchMode(process.env.SAMPLE_SEARCH),
});
markSampleBlogLoaded(true);
