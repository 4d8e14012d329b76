/**
 * `npm run smoke -- <base-url>` (tools/smoke.ts), run as a user runs it
 * (scripts/run-ts.mjs, a separate process; its report and exit code are
 * what is asserted): against `npm start`, and against a small proxy in
 * front of it (its reads replayed once asked) that breaks the contract,
 * answers CORS as with ALLOWED_ORIGINS set, or plays Netlify's CDN (a cache
 * keyed by URL, `Cache-Status`, purges by tag on the webhook's answer).
 */
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ROOT } from "../../tools/netlify-build.ts";
import type { DevServer } from "../../tools/netlify-dev.ts";

/** One smoke run against netlify dev takes a few seconds; the CDN checks wait up to ~12 s more. */
const RUN_MS = 60_000;

interface Run {
  code: number | null;
  out: string;
}

/** `node scripts/run-ts.mjs tools/smoke.ts <base> …args`, with WEBHOOK_SECRET only when given. */
function smoke(base: string, { secret, args = [] }: { secret?: string; args?: string[] } = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: "true" };
  delete env.WEBHOOK_SECRET;
  delete env.NODE_OPTIONS;
  delete env.VITEST;
  if (secret !== undefined) env.WEBHOOK_SECRET = secret;
  return new Promise((resolve, reject) => {
    // Asynchronous: the proxy below lives in this process and must keep answering.
    const child = spawn(
      process.execPath,
      [join(ROOT, "scripts", "run-ts.mjs"), "tools/smoke.ts", base, ...args],
      {
        cwd: ROOT,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.stderr.on("data", (chunk) => {
      out += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out }));
  });
}

/** The report's line for a check (its first line; problems follow, indented). */
function lineOf(out: string, name: string): string {
  return (
    out.split("\n").find((line) => /^(ok|FAIL|note) /.test(line) && line.slice(6).startsWith(`${name}:`)) ??
    ""
  );
}

/** The names of the checks that failed. */
function failed(out: string): string[] {
  return out
    .split("\n")
    .filter((line) => line.startsWith("FAIL  ") && line.includes(": "))
    .map((line) => line.slice(6, line.indexOf(": ")));
}

// ---------------------------------------------------------------- a proxy in front of npm start

interface ProxyOptions {
  /** Netlify's CDN played: `caching` stores and purges; `never-hits` misses every time; `no-purge` ignores purges. */
  cdn?: "caching" | "never-hits" | "no-purge";
  /** An email on the first author: the body breaks openapi.json. */
  breakSchema?: boolean;
  /** No Access-Control-Allow-Origin on /api/tags. */
  dropCors?: boolean;
  /** A path no endpoint owns answers the site's HTML with 200, as when the catch-all function is missing. */
  htmlForUnknown?: boolean;
  /** The webhook fails with a problem that echoes the secret it was sent. */
  echoSecret?: boolean;
  /** CORS as the backend answers with ALLOWED_ORIGINS set to these (src/http/cors.ts). */
  allowedOrigins?: string[];
}

interface Stored {
  status: number;
  headers: [string, string][];
  body: Buffer;
  tags: string[];
}

const ROUTES =
  /^\/api\/(posts(\/[^/]+(\/related)?)?|search|categories|tags|authors|feeds\/[^/]+|auth|ip-allowlist|webhooks\/buttercms|openapi\.json)$/;
/** What Netlify's CDN keeps to itself. */
const CDN_ONLY = ["netlify-cdn-cache-control", "netlify-cache-tag", "netlify-vary"];

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

const EXPOSE: [string, string] = ["access-control-expose-headers", "ETag, Retry-After, X-Content-Stale"];

/** What npm start answers with ALLOWED_ORIGINS unset, turned into what it answers with it set. */
function restrictCors(
  headers: [string, string][],
  req: IncomingMessage,
  url: URL,
  allowed: string[],
): [string, string][] {
  const origin = req.headers.origin;
  const listed = typeof origin === "string" && allowed.includes(origin);
  const anyOrigin = headers.some(([name, value]) => name === "access-control-allow-origin" && value === "*");
  if (url.pathname === "/api/auth" && listed) {
    return [
      ...headers,
      ["access-control-allow-origin", origin],
      EXPOSE,
      ["access-control-allow-credentials", "true"],
    ];
  }
  if (!anyOrigin) return headers;
  const rest = headers
    .filter(([name]) => !["access-control-allow-origin", "access-control-expose-headers"].includes(name))
    .map(([name, value]): [string, string] => [
      name,
      name === "netlify-vary" ? `${value},header=Origin` : value,
    ]);
  return [
    ...rest,
    ["vary", "Origin"],
    ...(listed ? [["access-control-allow-origin", origin], EXPOSE] : []),
  ] as [string, string][];
}

interface Upstream {
  status: number;
  headers: [string, string][];
  body: Buffer;
}

/**
 * npm start's answers to reads, kept across proxies: its sample blog answers
 * a read the same way every time, and netlify dev is slow (a worker per
 * request), so each proxied run asks it only what no run asked before.
 */
const upstreamReads = new Map<string, Upstream>();

async function forward(upstream: string, req: IncomingMessage, key: string, body: Buffer): Promise<Upstream> {
  const method = req.method ?? "GET";
  const read = method === "GET" || method === "HEAD" || method === "OPTIONS";
  const memo = `${method} ${key} ${req.headers["if-none-match"] ?? ""} ${req.headers.origin ?? ""}`;
  const known = read ? upstreamReads.get(memo) : undefined;
  if (known) return { ...known, headers: [...known.headers] };
  const headers = Object.entries(req.headers).filter(
    (entry): entry is [string, string] =>
      typeof entry[1] === "string" && !["host", "connection"].includes(entry[0]),
  );
  const answer = await fetch(`${upstream}${key}`, {
    method,
    headers,
    ...(body.length ? { body: new Uint8Array(body) } : {}),
    redirect: "manual",
  });
  const result = {
    status: answer.status,
    headers: [...answer.headers.entries()].filter(
      ([name]) => !["content-encoding", "content-length", "transfer-encoding", "connection"].includes(name),
    ),
    body: Buffer.from(await answer.arrayBuffer()),
  };
  if (read) upstreamReads.set(memo, { ...result, headers: [...result.headers] });
  return result;
}

async function startProxy(upstream: string, options: ProxyOptions) {
  const cache = new Map<string, Stored>();
  const send = (res: ServerResponse, status: number, headers: [string, string][], body: Buffer | string) => {
    for (const [name, value] of headers) res.appendHeader(name, value);
    res.writeHead(status);
    res.end(body);
  };
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://proxy.invalid");
      const body = await readBody(req);
      const secret = req.headers["x-webhook-secret"];
      if (options.echoSecret && url.pathname === "/api/webhooks/buttercms" && typeof secret === "string") {
        const problem = {
          type: "about:blank",
          title: "Internal Server Error",
          status: 500,
          code: "internal_error",
        };
        send(
          res,
          500,
          [["content-type", "application/problem+json"]],
          JSON.stringify({ ...problem, detail: `bad ${secret}` }),
        );
        return;
      }
      if (options.htmlForUnknown && url.pathname.startsWith("/api") && !ROUTES.test(url.pathname)) {
        send(
          res,
          200,
          [["content-type", "text/html; charset=utf-8"]],
          "<!doctype html><title>Not found</title>",
        );
        return;
      }
      const key = `${url.pathname}${url.search}`;
      const stored = req.method === "GET" && options.cdn !== "never-hits" ? cache.get(key) : undefined;
      if (stored) {
        const headers: [string, string][] = [...stored.headers, ["cache-status", '"Netlify Edge"; hit']];
        const etag = stored.headers.find(([name]) => name === "etag")?.[1];
        if (etag && req.headers["if-none-match"] === etag) send(res, 304, headers, "");
        else send(res, stored.status, headers, stored.body);
        return;
      }
      const answer = await forward(upstream, req, key, body);
      let payload = answer.body;
      let headers = answer.headers;
      if (options.breakSchema && url.pathname === "/api/authors" && answer.status === 200) {
        const json = JSON.parse(payload.toString());
        json.data[0].email = "ada@example.com";
        payload = Buffer.from(JSON.stringify(json));
      }
      if (options.allowedOrigins) headers = restrictCors(headers, req, url, options.allowedOrigins);
      if (options.dropCors && url.pathname === "/api/tags") {
        headers = headers.filter(([name]) => name !== "access-control-allow-origin");
      }
      if (options.cdn) {
        const header = (wanted: string) => answer.headers.find(([name]) => name === wanted)?.[1] ?? "";
        const directive = header("netlify-cdn-cache-control");
        const tags = header("netlify-cache-tag").split(",").filter(Boolean);
        headers = headers.filter(([name]) => !CDN_ONLY.includes(name));
        const cacheable = req.method === "GET" && answer.status === 200 && directive.startsWith("public");
        if (cacheable) cache.set(key, { status: answer.status, headers: [...headers], body: payload, tags });
        headers.push(["cache-status", `"Netlify Edge"; fwd=${cacheable ? "miss" : "bypass"}`]);
        if (
          options.cdn === "caching" &&
          url.pathname === "/api/webhooks/buttercms" &&
          answer.status === 200
        ) {
          const purged: string[] = JSON.parse(payload.toString()).purged ?? [];
          for (const [cached, entry] of cache) {
            if (entry.tags.some((tag) => purged.includes(tag))) cache.delete(cached);
          }
        }
      }
      send(res, answer.status, headers, payload);
    } catch (error) {
      send(res, 599, [["content-type", "text/plain"]], `proxy: ${String(error)}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// ---------------------------------------------------------------- the tests

/**
 * On the shared `npm start` (test/integration/npm-start.test.ts), whose
 * WEBHOOK_SECRET is `secret`. One run at a time: netlify dev's workers
 * are CPU-bound, and concurrent runs only made each slower.
 */
export function smokeTests(server: () => DevServer, SECRET: string) {
  let dev: DevServer;
  const proxies: { close: () => Promise<void> }[] = [];
  const proxy = async (options: ProxyOptions) => {
    const started = await startProxy(dev.url, options);
    proxies.push(started);
    return started.url;
  };

  beforeAll(() => {
    dev = server();
  });
  afterAll(async () => {
    for (const started of proxies) await started.close();
  });

  // One run does both (a run against netlify dev costs about 9 s): the skipped round trip is
  // checked on a run without the secret below.
  it(
    "passes against npm start, says plainly that it is not behind Netlify's CDN, and with WEBHOOK_SECRET publishes an existing post (200, purged) and never prints the secret",
    async () => {
      const { code, out } = await smoke(dev.url, { secret: SECRET });
      expect(failed(out)).toEqual([]);
      expect(code).toBe(0);
      expect(out).toMatch(/^PASS {2}\d+ checks ok, 2 notes$/m);
      for (const name of [
        "GET /api/posts",
        "GET /api/categories",
        "GET /api/tags",
        "GET /api/authors?include=recent_posts",
        "GET /api/feeds/rss",
        "GET /api/feeds/atom",
        "GET /api/feeds/sitemap",
        "GET /api/openapi.json",
        "unknown /api path",
        "CORS",
        "cache headers",
        "ETag and 304",
      ]) {
        expect(lineOf(out, name), name).toMatch(/^ok {4}/);
      }
      expect(out).toMatch(
        /^ok {4}GET \/api\/posts\/[\w-]+: 200 application\/json, valid per openapi\.json$/m,
      );
      expect(lineOf(out, "unknown /api path")).toMatch(/→ 404 application\/problem\+json not_found/);
      expect(lineOf(out, "CDN")).toBe(
        "note  CDN: not behind Netlify's CDN (no Cache-Status header): caching not checked",
      );
      const slug = /^ok {4}GET \/api\/posts\/([\w-]+): /m.exec(out)?.[1] as string;
      expect(lineOf(out, "publish round trip")).toMatch(
        new RegExp(
          `^ok {4}publish round trip: POST /api/webhooks/buttercms post\\.published ${slug} → 200, purged posts, post:${slug} in `,
        ),
      );
      expect(lineOf(out, "after the publish")).toBe(
        `note  after the publish: GET /api/posts/${slug} 200 as documented; not behind Netlify's CDN (no Cache-Status header): its miss and hit not checked`,
      );
      expect(out).not.toContain(SECRET);
    },
    RUN_MS,
  );

  it(
    "fails the publish round trip when WEBHOOK_SECRET is not the deploy's",
    async () => {
      const wrong = "whsec_not_the_deploys_one_0123";
      const { code, out } = await smoke(dev.url, { secret: wrong });
      expect(code).toBe(1);
      expect(failed(out)).toEqual(["publish round trip"]);
      expect(out).toContain("the deploy refused X-Webhook-Secret: this WEBHOOK_SECRET is not the deploy's");
      expect(out).not.toContain(wrong);
    },
    RUN_MS,
  );

  it(
    "fails against a server that breaks the contract, naming each broken check, with the secret redacted",
    async () => {
      const url = await proxy({ breakSchema: true, dropCors: true, htmlForUnknown: true, echoSecret: true });
      const { code, out } = await smoke(url, { secret: SECRET });
      expect(code).toBe(1);
      expect(failed(out).sort()).toEqual(
        [
          "GET /api/authors?include=recent_posts",
          "unknown /api path",
          "CORS",
          "cache headers",
          "publish round trip",
        ].sort(),
      );
      // The email breaks the Author schema.
      expect(lineOf(out, "GET /api/authors?include=recent_posts")).toBe(
        "FAIL  GET /api/authors?include=recent_posts: 200 application/json, not as documented",
      );
      expect(out).toMatch(/^ {8}body: \/data\/0\/email /m);
      // HTML with 200 where a problem belongs.
      expect(lineOf(out, "unknown /api path")).toMatch(
        /^FAIL {2}unknown \/api path: GET \/api\/smoke-\w+ → 200 text\/html, expected 404$/,
      );
      expect(out).toContain("not a problem: 200 text/html (the site's HTML?)");
      // The missing header, named where it is missing.
      expect(out).toMatch(/^ {8}GET \/api\/tags \(200\): Access-Control-Allow-Origin is missing, not \*$/m);
      expect(lineOf(out, "GET /api/tags")).toMatch(/^ok {4}/);
      // The echoed secret is redacted.
      expect(out).toContain("detail: bad [redacted]");
      expect(out).not.toContain(SECRET);
      expect(out).toMatch(/^FAIL {2}5 of \d+ checks failed \(/m);
    },
    RUN_MS,
  );

  it(
    "behind a CDN: a repeated request is a hit, and a publish is a miss and then a hit",
    async () => {
      const url = await proxy({ cdn: "caching" });
      const { code, out } = await smoke(url, { secret: SECRET });
      expect(failed(out)).toEqual([]);
      expect(code).toBe(0);
      expect(lineOf(out, "CDN")).toMatch(
        /^ok {4}CDN: GET \/api\/posts came from the cache on request 1: Cache-Status: "Netlify Edge"; hit$/,
      );
      expect(lineOf(out, "cache headers")).toContain(
        "Netlify-CDN-Cache-Control, Netlify-Cache-Tag and Netlify-Vary are not visible behind the CDN, as expected",
      );
      expect(lineOf(out, "after the publish")).toMatch(
        /^ok {4}after the publish: GET \/api\/posts\/[\w-]+ missed the CDN \d+\.\d s after \("Netlify Edge"; fwd=miss\), then hit \("Netlify Edge"; hit\)$/,
      );
      expect(out).not.toContain("not behind Netlify's CDN");
    },
    RUN_MS,
  );

  it(
    "fails when the CDN never answers from its cache",
    async () => {
      const url = await proxy({ cdn: "never-hits" });
      const { code, out } = await smoke(url);
      expect(code).toBe(1);
      expect(failed(out)).toEqual(["CDN"]);
      expect(lineOf(out, "CDN")).toBe("FAIL  CDN: GET /api/posts never came from the cache in 6 requests");
      expect(out).toContain('last Cache-Status: "Netlify Edge"; fwd=miss');
      expect(lineOf(out, "publish round trip")).toBe(
        "note  publish round trip: skipped: set WEBHOOK_SECRET to run it",
      );
    },
    RUN_MS,
  );

  it(
    "fails when a publish leaves the post's page in the CDN",
    async () => {
      const url = await proxy({ cdn: "no-purge" });
      const { code, out } = await smoke(url, { secret: SECRET, args: ["--wait", "1"] });
      expect(code).toBe(1);
      expect(failed(out)).toEqual(["after the publish"]);
      expect(lineOf(out, "after the publish")).toMatch(
        /^FAIL {2}after the publish: GET \/api\/posts\/[\w-]+ still came from the CDN \d+\.\d s after the publish$/,
      );
    },
    RUN_MS,
  );

  it(
    "with ALLOWED_ORIGINS set, fails CORS with a hint unless given a listed origin, and passes with one",
    async () => {
      const url = await proxy({ allowedOrigins: ["https://app.example"] });
      const without = await smoke(url);
      expect(without.code).toBe(1);
      expect(failed(without.out)).toEqual(["CORS"]);
      expect(without.out).toMatch(
        /^ {8}GET \/api\/posts \(200\): Access-Control-Allow-Origin is missing, not \* \(it varies on Origin: ALLOWED_ORIGINS seems set; run with --origin <a listed origin>\)$/m,
      );
      const listed = await smoke(url, { args: ["--origin", "https://app.example"] });
      expect(failed(listed.out)).toEqual([]);
      expect(listed.code).toBe(0);
      expect(lineOf(listed.out, "CORS")).toMatch(
        /^ok {4}CORS: \d+ answers and a preflight allow the listed origin https:\/\/app\.example echoed/,
      );
    },
    RUN_MS,
  );

  it("refuses bad usage with exit 2 and prints the usage", async () => {
    const { code, out } = await smoke("ftp://example.invalid");
    expect(code).toBe(2);
    expect(out).toContain("the base URL must be http(s)");
    expect(out).toContain("usage: npm run smoke -- <base-url>");
  });

  it(
    "fails at once, naming the address, when nothing answers there",
    async () => {
      const closed = await startProxy(dev.url, {});
      await closed.close();
      const { code, out } = await smoke(closed.url);
      expect(code).toBe(1);
      expect(failed(out)).toEqual([`reach ${closed.url}`]);
      expect(out).toContain("ECONNREFUSED");
    },
    RUN_MS,
  );
}
