import { describe, expect, it, vi } from "vitest";
import authHandler from "../../functions/auth.mts";
import getPostHandler from "../../functions/getPost.mts";
import getPostsHandler from "../../functions/getPosts.mts";
import ipAllowlistHandler from "../../functions/ipAllowlist.mts";
import { unpublishedPosts } from "../../sample/data.ts";
import { craftToken, enableSessions, tamperSignature, unsignedToken } from "../helpers/auth.ts";
import { butterRequests } from "../helpers/butter.ts";
import { consoleLines } from "../helpers/console.ts";
import { invoke } from "../helpers/invoke.ts";
import { expectNoSecrets, TEST_SECRETS } from "../helpers/secrets.ts";

const draft = unpublishedPosts.find((post) => post.status === "draft")!;
const nowS = () => Math.floor(Date.now() / 1000);
const bearer = async () => ({ Authorization: `Bearer ${await craftToken(nowS())}` });

describe("preview=1 on /api/posts and /api/posts/:slug", () => {
  it("answers 401 unauthorized without a session, and calls ButterCMS zero times", async () => {
    enableSessions();
    const res = await invoke(getPostsHandler, "/api/posts?preview=1");
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ status: 401, code: "unauthorized" });
    expect(butterRequests).toHaveLength(0);
  });

  it("shows drafts with a Bearer session, sends preview=1 upstream, and is private, no-store", async () => {
    enableSessions();
    const res = await invoke(getPostsHandler, "/api/posts?preview=1&page_size=100", {
      headers: await bearer(),
    });
    expect(res.status).toBe(200);
    const statuses = (res.json.data as { status: string }[]).map((post) => post.status);
    expect(statuses).toContain("draft");
    expect(butterRequests[0]?.searchParams.get("preview")).toBe("1");
    expect(res.headers.get("Cache-Control")).toBe("private, no-store");
    expect(res.headers.get("Netlify-CDN-Cache-Control")).toBeNull();
    expect(res.headers.get("Netlify-Cache-Tag")).toBeNull();
  });

  it("shows a draft by slug with a cookie session", async () => {
    enableSessions();
    const res = await invoke(getPostHandler, `/api/posts/${draft.slug}?preview=1`, {
      params: { slug: draft.slug },
      headers: { Cookie: `__Host-preview_session=${await craftToken(nowS())}` },
    });
    expect(res.status).toBe(200);
    expect((res.json.data as { slug: string }).slug).toBe(draft.slug);
    expect(res.headers.get("Cache-Control")).toBe("private, no-store");
  });

  it("still hides the draft from the same client without preview=1", async () => {
    enableSessions();
    const res = await invoke(getPostHandler, `/api/posts/${draft.slug}`, {
      params: { slug: draft.slug },
      headers: await bearer(),
    });
    expect(res.status).toBe(404);
  });

  it.each([
    ["a tampered token", async () => tamperSignature(await craftToken(nowS()))],
    ["an alg: none token", async () => unsignedToken(nowS())],
    ["an expired token", async () => craftToken(nowS() - 7200)],
  ])("answers the same 401 body for %s", async (_name, make) => {
    enableSessions();
    const res = await invoke(getPostsHandler, "/api/posts?preview=1", {
      headers: { Authorization: `Bearer ${await make()}` },
    });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({
      type: "about:blank",
      title: "Unauthorized",
      status: 401,
      detail: "A valid preview session is required.",
      code: "unauthorized",
    });
  });

  it("uses credentialed CORS for preview requests: a listed origin only", async () => {
    enableSessions();
    vi.stubEnv("ALLOWED_ORIGINS", "https://editor.example");
    const listed = await invoke(getPostsHandler, "/api/posts?preview=1", {
      headers: { ...(await bearer()), Origin: "https://editor.example" },
    });
    expect(listed.headers.get("Access-Control-Allow-Origin")).toBe("https://editor.example");
    expect(listed.headers.get("Access-Control-Allow-Credentials")).toBe("true");
    const unset = await invoke(getPostsHandler, "/api/posts?preview=1", {
      headers: { Origin: "https://x.example" },
    });
    expect(unset.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
});

describe("IP allowlist policy", () => {
  const ALLOWED = "203.0.113.9";
  const OTHER = "198.51.100.7";

  it.each([
    // scope, deploy context, preview?, expected status for a client outside the list
    ["preview", "production", false, 200],
    ["preview", "production", true, 403],
    ["preview", "deploy-preview", false, 200],
    ["all", "production", false, 403],
    ["all", "dev", false, 403],
    ["non-production", "production", false, 200],
    ["non-production", "production", true, 403],
    ["non-production", "deploy-preview", false, 403],
    ["non-production", "branch-deploy", false, 403],
    ["non-production", "dev", false, 403],
    ["non-production", "", false, 403],
  ] as const)(
    "scope %s in context %j (preview: %s) answers %i to an outside client",
    async (scope, context, preview, expected) => {
      enableSessions();
      vi.stubEnv("IP_ALLOWLIST", "203.0.113.0/24");
      vi.stubEnv("IP_ALLOWLIST_SCOPE", scope);
      const res = await invoke(getPostsHandler, `/api/posts${preview ? "?preview=1" : ""}`, {
        ip: OTHER,
        deployContext: context,
        headers: await bearer(),
      });
      expect(res.status).toBe(expected);
      if (expected === 403) {
        expect(res.json).toMatchObject({ code: "ip_not_allowed", ip: OTHER });
        expect(res.headers.get("Cache-Control")).toBe("private, no-store");
        expect(butterRequests).toHaveLength(0);
      }
    },
  );

  it("lets an allowed client through a guarded preview", async () => {
    enableSessions();
    vi.stubEnv("IP_ALLOWLIST", "203.0.113.0/24");
    const res = await invoke(getPostsHandler, "/api/posts?preview=1", {
      ip: ALLOWED,
      headers: await bearer(),
    });
    expect(res.status).toBe(200);
  });

  it("guards POST /api/auth in the preview scope", async () => {
    enableSessions();
    vi.stubEnv("IP_ALLOWLIST", "203.0.113.0/24");
    const login = (ip: string) =>
      invoke(authHandler, "/api/auth", {
        method: "POST",
        ip,
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ password: TEST_SECRETS.password }),
      });
    expect((await login(OTHER)).status).toBe(403);
    expect((await login(ALLOWED)).status).toBe(200);
  });

  it("leaves GET and DELETE /api/auth unguarded in the preview scope, as the contract guards login only", async () => {
    enableSessions();
    vi.stubEnv("IP_ALLOWLIST", "203.0.113.0/24");
    expect((await invoke(authHandler, "/api/auth", { ip: OTHER })).json).toEqual({ authenticated: false });
    expect((await invoke(authHandler, "/api/auth", { ip: OTHER, method: "DELETE" })).status).toBe(204);
    vi.stubEnv("IP_ALLOWLIST_SCOPE", "all");
    expect((await invoke(authHandler, "/api/auth", { ip: OTHER })).status).toBe(403);
  });

  it.each([
    ["X-Forwarded-For", { "X-Forwarded-For": ALLOWED }],
    ["Forwarded", { Forwarded: `for=${ALLOWED}` }],
    ["X-Real-IP", { "X-Real-IP": ALLOWED }],
    ["X-Nf-Client-Connection-Ip", { "X-Nf-Client-Connection-Ip": ALLOWED }],
  ])("ignores a spoofed %s header", async (_name, headers) => {
    vi.stubEnv("IP_ALLOWLIST", "203.0.113.0/24");
    vi.stubEnv("IP_ALLOWLIST_SCOPE", "all");
    const res = await invoke(getPostsHandler, "/api/posts", { ip: OTHER, headers });
    expect(res.status).toBe(403);
    const check = await invoke(ipAllowlistHandler, "/api/ip-allowlist", { ip: OTHER, headers });
    expect(check.status).toBe(403);
  });

  it.each([
    ["10.0.0.0/33", "10.0.0.0/33"],
    ["", "lists no address"],
    ["1.2.3", "1.2.3"],
    ["0x0a000001", "0x0a000001"],
  ])(
    "fails closed with 500 misconfigured on guarded requests when IP_ALLOWLIST=%j, logging the entry",
    async (raw, logged) => {
      vi.stubEnv("IP_ALLOWLIST", raw);
      vi.stubEnv("IP_ALLOWLIST_SCOPE", "all");
      const res = await invoke(getPostsHandler, "/api/posts", { ip: ALLOWED });
      expect(res.status).toBe(500);
      expect(res.json.code).toBe("misconfigured");
      expect(consoleLines.join("\n")).toContain(logged);
      expect(butterRequests).toHaveLength(0);
    },
  );

  it("keeps unguarded public reads working when the list is invalid in the preview scope", async () => {
    vi.stubEnv("IP_ALLOWLIST", "10.0.0.0/33");
    const res = await invoke(getPostsHandler, "/api/posts");
    expect(res.status).toBe(200);
  });

  it("fails closed everywhere when IP_ALLOWLIST_SCOPE is not a known value", async () => {
    vi.stubEnv("IP_ALLOWLIST_SCOPE", "everything");
    const res = await invoke(getPostsHandler, "/api/posts");
    expect(res.status).toBe(500);
    expect(consoleLines.join("\n")).toContain("IP_ALLOWLIST_SCOPE");
  });
});

describe("GET /api/ip-allowlist", () => {
  it("answers configured: false when IP_ALLOWLIST is unset", async () => {
    const res = await invoke(ipAllowlistHandler, "/api/ip-allowlist", { ip: "198.51.100.7" });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ip: "198.51.100.7", allowed: true, configured: false });
    expect(res.headers.get("Cache-Control")).toBe("private, no-store");
  });

  it("answers 200 for an allowed IP and 403 with the IP for another", async () => {
    vi.stubEnv("IP_ALLOWLIST", "203.0.113.0/24, 2001:db8::/32");
    const ok = await invoke(ipAllowlistHandler, "/api/ip-allowlist", { ip: "::ffff:203.0.113.5" });
    expect(ok.json).toEqual({ ip: "::ffff:203.0.113.5", allowed: true, configured: true });
    const no = await invoke(ipAllowlistHandler, "/api/ip-allowlist", { ip: "2001:db9::1" });
    expect(no.status).toBe(403);
    expect(no.json).toMatchObject({ code: "ip_not_allowed", ip: "2001:db9::1", status: 403 });
  });

  it("answers 500 misconfigured for an invalid list", async () => {
    vi.stubEnv("IP_ALLOWLIST", "10.0.0.0/33");
    const res = await invoke(ipAllowlistHandler, "/api/ip-allowlist");
    expect(res.status).toBe(500);
    expectNoSecrets(res);
  });

  it("answers 400 to an unknown query parameter and 405 to POST", async () => {
    expect((await invoke(ipAllowlistHandler, "/api/ip-allowlist?x=1")).status).toBe(400);
    const post = await invoke(ipAllowlistHandler, "/api/ip-allowlist", { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("Allow")).toBe("GET, HEAD, OPTIONS");
  });
});
