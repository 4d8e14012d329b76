/**
 * Loaded with `node --import` by `npm start` when no ButterCMS token is set:
 * intercepts ButterCMS in every process and worker thread of `netlify dev`
 * and answers from the sample blog. Other traffic passes through.
 */
import { setupServer } from "msw/node";
import { markSampleBlogLoaded, SAMPLE_TOKEN } from "../src/sample-flag.ts";
import { butterHandlers } from "./butter-emulator.ts";

setupServer(...butterHandlers({ token: SAMPLE_TOKEN })).listen({ onUnhandledRequest: "bypass" });
markSampleBlogLoaded(true);
