import { afterAll, afterEach, beforeAll, beforeEach, vi } from "vitest";
import { markSampleBlogLoaded } from "../../src/butter/sample-flag.ts";
import { resetInstanceState } from "../../src/content/instance-state.ts";
import { blobsEnv, blobsRequests, startBlobsServer, stopBlobsServer } from "./blobs.ts";
import { butterRequests, server, TEST_TOKEN } from "./butter.ts";
import { consoleLines } from "./console.ts";

/** A clean, deployed-like environment per test: tests opt in to what they need. */
const BASE_ENV: Record<string, string | undefined> = {
  BUTTERCMS_API_TOKEN: TEST_TOKEN,
  BUTTERCMS_SAMPLE: undefined,
  NETLIFY_DEV: undefined,
  ALLOWED_ORIGINS: undefined,
  CDN_MAX_AGE: undefined,
  CDN_SWR: undefined,
  UPSTREAM_TIMEOUT_MS: undefined,
  UPSTREAM_DEADLINE_MS: undefined,
  PREVIEW_PASSWORD: undefined,
  SESSION_SECRET: undefined,
  SESSION_TTL: undefined,
  IP_ALLOWLIST: undefined,
  IP_ALLOWLIST_SCOPE: undefined,
  WEBHOOK_SECRET: undefined,
  BUTTERCMS_LOCALES: undefined,
  LAST_KNOWN_GOOD: undefined,
};

/** Loopback (the integration tests' own netlify dev) passes; anything else unhandled fails the test. */
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);
beforeAll(async () => {
  await startBlobsServer();
  server.listen({
    onUnhandledRequest: (request, print) => {
      if (!LOOPBACK.has(new URL(request.url).hostname)) print.error();
    },
  });
});
beforeEach(() => {
  for (const [name, value] of Object.entries(BASE_ENV)) vi.stubEnv(name, value);
  for (const [name, value] of Object.entries(blobsEnv())) vi.stubEnv(name, value);
  blobsRequests.length = 0;
  butterRequests.length = 0;
  consoleLines.length = 0;
  markSampleBlogLoaded(false);
  resetInstanceState();
});
afterEach(() => {
  server.resetHandlers();
  vi.useRealTimers();
});
afterAll(async () => {
  server.close();
  await stopBlobsServer();
});
