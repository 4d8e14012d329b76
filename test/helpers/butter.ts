/**
 * msw for the test suite: ButterCMS emulated over the sample blog (the same
 * handlers `npm start` uses), `onUnhandledRequest: "error"` so that no test
 * reaches the network, and a log of every request that reached ButterCMS.
 */
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { BUTTER_API, butterHandlers } from "../../sample/msw-handlers.ts";

export const TEST_TOKEN = "tok_live_4f9c2b7e1d3a8c6f5e0b9d2a7c4e1f8b";

export const server = setupServer(...butterHandlers({ token: TEST_TOKEN }));

/** URLs of the requests that reached ButterCMS in the current test. */
export const butterRequests: URL[] = [];
server.events.on("request:start", ({ request }) => {
  if (request.url.startsWith(BUTTER_API)) butterRequests.push(new URL(request.url));
});

export { BUTTER_API, HttpResponse, http };

/** Every upstream fault the wrapper must absorb, and what the client must see. */
export const FAULTS = [
  { name: "a network error", status: 502, code: "upstream_error", reply: () => HttpResponse.error() },
  {
    name: "401 (bad token)",
    status: 502,
    code: "upstream_error",
    reply: () => HttpResponse.json({ detail: "Invalid token." }, { status: 401 }),
  },
  {
    name: "403",
    status: 502,
    code: "upstream_error",
    reply: () => HttpResponse.json({ detail: "Forbidden." }, { status: 403 }),
  },
  {
    name: "429 with Retry-After",
    status: 503,
    code: "upstream_unavailable",
    retryAfter: "100",
    reply: () =>
      HttpResponse.json(
        { detail: "API Calls limit reached." },
        { status: 429, headers: { "Retry-After": "100" } },
      ),
  },
  {
    name: "429 without Retry-After",
    status: 503,
    code: "upstream_unavailable",
    reply: () => HttpResponse.json({ detail: "API Calls limit reached." }, { status: 429 }),
  },
  {
    name: "500",
    status: 502,
    code: "upstream_error",
    reply: () => HttpResponse.json({ detail: "Server error." }, { status: 500 }),
  },
  {
    name: "502 with an HTML body",
    status: 502,
    code: "upstream_error",
    reply: () =>
      new HttpResponse("<html><body>Bad gateway</body></html>", {
        status: 502,
        headers: { "Content-Type": "text/html" },
      }),
  },
  {
    name: "200 with malformed JSON",
    status: 502,
    code: "upstream_error",
    reply: () =>
      new HttpResponse('{"data": [', { status: 200, headers: { "Content-Type": "application/json" } }),
  },
  {
    name: "200 with JSON of the wrong shape",
    status: 502,
    code: "upstream_error",
    reply: () => HttpResponse.json({ unexpected: true }),
  },
] as const;
