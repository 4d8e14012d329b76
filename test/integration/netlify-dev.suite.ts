/**
 * Through real HTTP: `npm start` (netlify dev, offline, the sample blog) as
 * configured for previews and the webhook (on the shared boot), the
 * configurations that need a boot of their own, and plain `netlify dev` as
 * a user types it.
 */
import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishedPosts, unpublishedPosts } from "../../sample/data.ts";
import { ROOT } from "../../tools/netlify-build.ts";
import { call, type DevServer, startNetlifyDev } from "../../tools/netlify-dev.ts";
import { tamperSignature, unsignedToken } from "../helpers/auth.ts";
import { TEST_SECRETS } from "../helpers/secrets.ts";

const draft = unpublishedPosts.find((post) => post.status === "draft")!;
/** The helper waits this long for a boot; the boot test holds it to less. */
const BOOT_WAIT_MS = 90_000;
const BOOT_BUDGET_MS = 60_000;

/**
 * A request through node:http, for what fetch refuses to send (TRACE, a
 * Content-Length its body never reaches). `end: false` leaves the body
 * unfinished; the answer must come anyway.
 */
function rawCall(
  server: DevServer,
  method: string,
  path: string,
  { headers = {}, body, end = true }: { headers?: Record<string, string>; body?: string; end?: boolean } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: server.port, method, path, headers, agent: false },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text });
          req.destroy();
        });
      },
    );
    req.on("error", reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer to ${method} ${path} within 10 s`)));
    if (body !== undefined) req.write(body);
    if (end) req.end();
  });
}

/** Announces a 1000-byte body, sends 10 bytes of it, and closes the connection. */
function abortedPost(server: DevServer, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, "127.0.0.1", () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: localhost:${server.port}\r\nContent-Type: application/json\r\n` +
          'Content-Length: 1000\r\n\r\n{"passwor',
      );
      setTimeout(() => {
        socket.destroy();
        // Give netlify dev time to see the close (and, unguarded, to crash).
        setTimeout(resolve, 500);
      }, 200);
    });
    socket.on("error", reject);
  });
}

/** netlify dev still runs and answers a normal request. */
async function expectStillServing(server: DevServer) {
  const res = await call(server, "/api/ip-allowlist");
  expect(res.status).toBe(200);
  expect(server.output()).not.toContain("terminated unexpectedly");
  expect(server.running()).toBe(true);
}

function expectNoSecretsIn(server: DevServer, ...texts: string[]) {
  for (const secret of Object.values(TEST_SECRETS)) {
    for (const text of [...texts, server.output()]) expect(text).not.toContain(secret);
  }
}

/** Nothing of the machine's file system or a stack trace in an answer. */
function expectNoInternals(text: string) {
  expect(text).not.toContain(ROOT);
  expect(text).not.toContain("node_modules");
  expect(text).not.toMatch(/\n\s+at /);
}

/**
 * On the shared `npm start` (test/integration/npm-start.test.ts): the sample
 * blog with PREVIEW_PASSWORD, SESSION_SECRET and WEBHOOK_SECRET set from
 * TEST_SECRETS.
 */
export function sampleBlogTests(dev: () => DevServer) {
  let server: DevServer;
  const get = (path: string, init: RequestInit = {}) => call(server, path, init);

  beforeAll(() => {
    server = dev();
  });

  it(`answers within ${BOOT_BUDGET_MS / 1000} s of starting`, () => {
    expect(server.bootMs).toBeLessThan(BOOT_BUDGET_MS);
  });

  it("says it serves the sample blog", () => {
    expect(server.output()).toContain("serving the SAMPLE blog");
    expect(server.output()).not.toContain("serving LIVE");
  });

  it("lists sample posts with the public cache headers", async () => {
    const res = await get("/api/posts");
    expect(res.status).toBe(200);
    const data = res.json.data as { slug: string }[];
    expect(data).toHaveLength(10);
    expect(data[0]?.slug).toBe(publishedPosts[0]?.slug);
    expect(res.headers.get("netlify-cdn-cache-control")).toContain("durable");
    expect(res.headers.get("netlify-cache-tag")).toBe("posts");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("etag")).toMatch(/^"/);
  });

  it("answers 304 to If-None-Match", async () => {
    const etag = (await get("/api/posts")).headers.get("etag") as string;
    expect((await get("/api/posts", { headers: { "If-None-Match": etag } })).status).toBe(304);
  });

  it("serves one post, and 404 for unknown slugs and drafts (despite netlify dev's .html retries)", async () => {
    const slug = publishedPosts[3]!.slug;
    const one = await get(`/api/posts/${slug}`);
    expect(one.status).toBe(200);
    expect((one.json.data as { slug: string }).slug).toBe(slug);
    expect(one.headers.get("netlify-cache-tag")).toBe(`posts,post:${slug}`);
    for (const missing of ["no-such-post", draft.slug]) {
      const res = await get(`/api/posts/${missing}`);
      expect(res.status).toBe(404);
      expect(res.json.code).toBe("not_found");
    }
  });

  it("validates input and methods over HTTP", async () => {
    const typo = await get("/api/posts?pagesize=5");
    expect(typo.status).toBe(400);
    expect(typo.headers.get("content-type")).toBe("application/problem+json");
    const bad = await get("/api/posts/bad.slug!");
    expect(bad.status).toBe(400);
    const post = await get("/api/posts", { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
    const preflight = await get("/api/posts", {
      method: "OPTIONS",
      headers: { Origin: "https://app.example" },
    });
    expect(preflight.status).toBe(204);
  });

  it("never shows an author's email", async () => {
    const res = await get("/api/posts?page_size=100&exclude_body=false");
    expect(res.status).toBe(200);
    const data = res.json.data as { author?: unknown }[];
    expect(data.length).toBeGreaterThan(0);
    expect(data.every((post) => post.author !== undefined)).toBe(true);
    expect(res.text).not.toContain("@example.com");
  });

  it("runs the preview flow: 401 without a session, login, drafts with the session, logout", async () => {
    expect((await get("/api/posts?preview=1")).status).toBe(401);

    const json = { "Content-Type": "application/json" };
    const wrong = await get("/api/auth", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ password: "nope" }),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.json.code).toBe("invalid_credentials");

    const login = await get("/api/auth", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ password: TEST_SECRETS.password }),
    });
    expect(login.status).toBe(200);
    const setCookie = login.headers.get("set-cookie") as string;
    expect(setCookie).toMatch(
      /^__Host-preview_session=[\w.-]+; HttpOnly; Secure; SameSite=Strict; Path=\/; Max-Age=3600$/,
    );
    const token = login.json.token as string;

    const cookie = setCookie.split(";")[0] as string;
    expect((await get("/api/auth", { headers: { Cookie: cookie } })).json.authenticated).toBe(true);

    const publicSlugs = ((await get("/api/posts?page_size=100")).json.data as { slug: string }[]).map(
      (p) => p.slug,
    );
    expect(publicSlugs).not.toContain(draft.slug);
    const previewList = await get("/api/posts?preview=1&page_size=100", {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(previewList.status).toBe(200);
    expect((previewList.json.data as { slug: string }[]).map((p) => p.slug)).toContain(draft.slug);
    expect(previewList.headers.get("cache-control")).toBe("private, no-store");
    const previewPost = await get(`/api/posts/${draft.slug}?preview=1`, { headers: { Cookie: cookie } });
    expect(previewPost.status).toBe(200);

    for (const forged of [tamperSignature(token), unsignedToken(Math.floor(Date.now() / 1000))]) {
      const res = await get("/api/posts?preview=1", { headers: { Authorization: `Bearer ${forged}` } });
      expect(res.status).toBe(401);
      expect(res.json.code).toBe("unauthorized");
    }

    const logout = await get("/api/auth", { method: "DELETE", headers: { Cookie: cookie } });
    expect(logout.status).toBe(204);
    expect(logout.headers.get("set-cookie")).toContain("Max-Age=0");
  });

  it.each(["/api/categories", "/api/tags", "/api/authors?include=recent_posts"])(
    "lists items at %s, with no email anywhere",
    async (path) => {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect((res.json.data as unknown[]).length).toBeGreaterThan(0);
      expect(res.text).not.toContain("@example.com");
      expect(res.text).not.toContain('"email"');
    },
  );

  it("finds a post by a word of its title, and answers 400 without q", async () => {
    const post = publishedPosts[7]!;
    const word = post.title.split(" ").find((w) => w.length > 5)!;
    const found = await get(`/api/search?q=${encodeURIComponent(word)}`);
    expect(found.status).toBe(200);
    expect((found.json.data as { slug: string }[]).map((p) => p.slug)).toContain(post.slug);
    expect((await get("/api/search")).status).toBe(400);
  });

  it.each([
    ["rss", "application/rss+xml; charset=utf-8"],
    ["atom", "application/atom+xml; charset=utf-8"],
    ["sitemap", "application/xml; charset=utf-8"],
  ])("serves the %s feed as XML with %s", async (type, contentType) => {
    const res = await get(`/api/feeds/${type}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(contentType);
    expect(res.text.startsWith("<?xml")).toBe(true);
    expect(res.text).not.toContain("@example.com");
  });

  it("refuses the webhook without the secret (401), and serves the OpenAPI document", async () => {
    const res = await get("/api/webhooks/buttercms", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ data: { id: "x" }, webhook: { event: "post.published" } }),
    });
    expect(res.status).toBe(401);
    const openapi = await get("/api/openapi.json");
    expect(openapi.status).toBe(200);
    expect(openapi.json.openapi).toBe("3.1.0");
  });

  it("reports the loopback IP as allowed when no allowlist is set", async () => {
    const res = await get("/api/ip-allowlist");
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ allowed: true, configured: false });
    expect(String(res.json.ip)).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
  });

  it("never puts a secret in a response, a header or a log line", async () => {
    const json = { "Content-Type": "application/json" };
    const answers = [
      await get("/api/auth", { method: "POST", headers: json, body: JSON.stringify({ password: "nope" }) }),
      await get("/api/auth", {
        method: "POST",
        headers: json,
        body: JSON.stringify({ password: TEST_SECRETS.password }),
      }),
      await get("/api/webhooks/buttercms", {
        method: "POST",
        headers: { ...json, "X-Webhook-Secret": TEST_SECRETS.webhookSecret },
        body: JSON.stringify({ data: { id: "about-us" }, webhook: { event: "page.published" } }),
      }),
    ];
    const [wrong, login, webhook] = answers;
    // The secrets really were in play: a refused and an accepted password, a signed session, an accepted webhook.
    expect(wrong?.status).toBe(401);
    expect(login?.status).toBe(200);
    const session = await get("/api/posts?preview=1", {
      headers: { Authorization: `Bearer ${login?.json.token}` },
    });
    expect(session.status).toBe(200);
    expect(webhook?.status).toBe(202);
    const texts = [...answers, session].flatMap((res) => [res.text, [...res.headers.entries()].join("\n")]);
    expectNoSecretsIn(server, ...texts);
  });

  it("keeps serving after a POST body to a function is cut short", async () => {
    await abortedPost(server, "/api/auth");
    await expectStillServing(server);
  });

  it("keeps serving after a POST body to a static path is cut short", async () => {
    await abortedPost(server, "/index.html");
    await expectStillServing(server);
  });

  it("answers 413 at once to a Content-Length over 6 MB that the body never reaches", async () => {
    const started = Date.now();
    const res = await rawCall(server, "POST", "/api/auth", {
      headers: { "Content-Type": "application/json", "Content-Length": "1000000000000" },
      body: "{}",
      end: false,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(res.status).toBe(413);
    expect(res.headers["content-type"]).toBe("application/problem+json");
    expect(JSON.parse(res.text).code).toBe("payload_too_large");
    await expectStillServing(server);
  });

  it.each(["/api/posts/%E0%A4%A", "/%E0%A4%A"])(
    "answers the malformed percent-encoding %s with 400 and no stack trace, and keeps serving",
    async (path) => {
      const res = await rawCall(server, "GET", path);
      expect(res.status).toBe(400);
      if (path.startsWith("/api/")) {
        expect(res.headers["content-type"]).toBe("application/problem+json");
        expect(JSON.parse(res.text).code).toBe("invalid_parameter");
      }
      expectNoInternals(res.text);
      await expectStillServing(server);
    },
  );

  it.each([
    ["/api/posts", "GET, HEAD, OPTIONS"],
    ["/api/auth", "POST, GET, DELETE, HEAD, OPTIONS"],
  ])("answers TRACE %s with 405, the function's Allow and no stack trace", async (path, allow) => {
    const res = await rawCall(server, "TRACE", path);
    expect(res.status).toBe(405);
    expect(res.headers["content-type"]).toBe("application/problem+json");
    expect(res.headers.allow).toBe(allow);
    expect(JSON.parse(res.text).code).toBe("method_not_allowed");
    expectNoInternals(res.text);
  });
}

/** The configurations that need a boot of their own, one after another. */
export function otherConfigurationTests() {
  describe("npm start with IP_ALLOWLIST=203.0.113.0/24 and IP_ALLOWLIST_SCOPE=all", () => {
    let server: DevServer;
    beforeAll(async () => {
      server = await startNetlifyDev(
        {
          IP_ALLOWLIST: "203.0.113.0/24",
          IP_ALLOWLIST_SCOPE: "all",
          PREVIEW_PASSWORD: TEST_SECRETS.password,
          SESSION_SECRET: TEST_SECRETS.sessionSecret,
        },
        { timeoutMs: BOOT_WAIT_MS },
      );
    }, BOOT_WAIT_MS + 10_000);
    afterAll(async () => {
      await server?.stop();
    });

    it.each([
      ["GET", "/api/posts"],
      ["GET", `/api/posts/${publishedPosts[0]?.slug}`],
      ["GET", "/api/auth"],
      ["POST", "/api/auth"],
      ["GET", "/api/ip-allowlist"],
    ])("answers %s %s from loopback with 403 ip_not_allowed", async (method, path) => {
      const res = await call(server, path, { method, headers: { "X-Forwarded-For": "203.0.113.5" } });
      expect(res.status).toBe(403);
      expect(res.json.code).toBe("ip_not_allowed");
    });
  });

  // One boot for both (a boot costs about 9 s): an invalid IP_ALLOWLIST in the default `preview`
  // scope leaves the public reads that plain `netlify dev` is checked on untouched.
  describe("plain `netlify dev` in a fresh clone (no token, no npm start), with an invalid IP_ALLOWLIST=10.0.0.0/33", () => {
    let server: DevServer;
    beforeAll(async () => {
      server = await startNetlifyDev(
        { IP_ALLOWLIST: "10.0.0.0/33" },
        { plain: true, timeoutMs: BOOT_WAIT_MS },
      );
    }, BOOT_WAIT_MS + 10_000);
    afterAll(async () => {
      await server?.stop();
    });

    it("serves the sample blog's posts from /api/posts", async () => {
      const res = await call(server, "/api/posts");
      expect(res.status, `${res.text}\n${server.output().slice(-2000)}`).toBe(200);
      const data = res.json.data as { slug: string }[];
      expect(data).toHaveLength(10);
      expect(data[0]?.slug).toBe(publishedPosts[0]?.slug);
    });

    it("serves one sample post", async () => {
      const slug = publishedPosts[1]!.slug;
      const res = await call(server, `/api/posts/${slug}`);
      expect(res.status).toBe(200);
      expect((res.json.data as { slug: string }).slug).toBe(slug);
    });

    // Previews are configured: the sample blog's demo PREVIEW_PASSWORD and SESSION_SECRET.
    it.each([
      ["GET", "/api/posts?preview=1"],
      ["POST", "/api/auth"],
      ["GET", "/api/ip-allowlist"],
    ])("answers the guarded %s %s with 500 misconfigured and logs the bad entry", async (method, path) => {
      const res = await call(server, path, { method });
      expect(res.status).toBe(500);
      expect(res.json.code).toBe("misconfigured");
      expect(res.text).not.toContain("10.0.0.0/33");
      expect(server.output()).toContain("10.0.0.0/33");
    });
  });
}
