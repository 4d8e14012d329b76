/**
 * Loaded with `node --import` by `npm start` when no ButterCMS token is set:
 * in every process and worker thread of `netlify dev`, ButterCMS's fetches
 * are answered from the sample blog; every other fetch passes through.
 * No msw here: `netlify dev` loads this in each request's worker thread.
 * SAMPLE_LATENCY_MS adds a fixed delay to every answer.
 */
import { markSampleBlogLoaded, SAMPLE_TOKEN } from "../src/butter/sample-flag.ts";
import { emulateButter } from "./butter-emulator.ts";

const options = { token: SAMPLE_TOKEN, latencyMs: Number(process.env.SAMPLE_LATENCY_MS ?? 0) };
const passThrough = globalThis.fetch;

globalThis.fetch = async (input, init) => {
  const request = new Request(input, init);
  const answer = await emulateButter(request, options);
  if (!answer) return passThrough(input, init);
  // The SDK reads response.url (and parses it on errors): give it the request's.
  Object.defineProperty(answer, "url", { value: request.url });
  return answer;
};
markSampleBlogLoaded(true);
