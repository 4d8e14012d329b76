/**
 * `npm run load`: autocannon against `netlify dev` (the sample blog) on
 * loopback with 50 connections and ~100 requests (~25 s) rotating through a
 * mix of list, single-post and 404 requests. Bounded: a fixed number of
 * requests, each with a 60 s timeout; exits non-zero on any error, timeout or
 * unexpected status. Under `netlify dev` every request runs in a fresh worker
 * thread, so this measures the dev server, not production throughput.
 */
import autocannon from "autocannon";
import { publishedPosts } from "../sample/data.ts";
import { startNetlifyDev } from "../tools/netlify-dev.ts";

const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 50);
/**
 * A fixed amount rather than a duration: requests still in flight when a
 * duration ends are dropped, and under `netlify dev` those are the slow 404s.
 * autocannon 8 completes half of `amount` with `setupRequest` (seen here: 200
 * gives 100 responses, ~25 s); the summary reports what completed.
 */
const AMOUNT = Number(process.env.LOAD_AMOUNT ?? 4 * CONNECTIONS);
/** netlify dev retries every 404 four times (src/dev-retry.ts): give those room. */
const TIMEOUT_S = 60;

const server = await startNetlifyDev();
console.log(`netlify dev answered after ${server.bootMs} ms at ${server.url}`);

const slugs = publishedPosts.slice(0, 5).map((post) => post.slug);
const requests = [
  { path: "/api/posts", expect: 200 },
  { path: "/api/posts?page=2&page_size=5", expect: 200 },
  { path: "/api/posts?category=performance", expect: 200 },
  ...slugs.map((slug) => ({ path: `/api/posts/${slug}`, expect: 200 })),
  { path: "/api/posts/no-such-post", expect: 404 },
];

// autocannon runs a `requests` list in order per connection; one shared
// counter instead rotates every request through the whole mix.
let next = 0;
let unexpected = 0;
const byStatus: Record<number, number> = {};
const result = await autocannon({
  url: server.url,
  connections: CONNECTIONS,
  amount: AMOUNT,
  timeout: TIMEOUT_S,
  requests: [
    {
      method: "GET",
      setupRequest: (request, context) => {
        const pick = requests[next++ % requests.length] as (typeof requests)[number];
        (context as { expect?: number }).expect = pick.expect;
        return { ...request, path: pick.path };
      },
      onResponse: (status, _body, context) => {
        byStatus[status] = (byStatus[status] ?? 0) + 1;
        if (status !== (context as { expect?: number }).expect) unexpected += 1;
      },
    },
  ],
});
await server.stop();

const summary = {
  duration_s: result.duration,
  connections: CONNECTIONS,
  requests: result.requests.total,
  requests_per_s: result.requests.average,
  latency_ms: {
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
  },
  errors: result.errors,
  timeouts: result.timeouts,
  non_2xx: result.non2xx,
  unexpected_status: unexpected,
  by_status: byStatus,
};
console.log(JSON.stringify(summary, null, 2));
console.log(
  `${summary.requests} requests, ${summary.requests_per_s} req/s, p50 ${summary.latency_ms.p50} ms, p99 ${summary.latency_ms.p99} ms; ${summary.errors} errors, ${summary.timeouts} timeouts, ${unexpected} unexpected statuses`,
);
if (summary.errors > 0 || summary.timeouts > 0 || unexpected > 0 || summary.requests === 0) process.exit(1);
