/**
 * Logging out revokes: the token a DELETE /api/auth was called with is
 * refused on every instance (separately bundled here), until it expires;
 * public reads never pay for the check.
 */
import { describe, expect, it } from "vitest";
import auth from "../../functions/auth.mts";
import { unpublishedPosts } from "../../sample/data.ts";
import { enableSessions } from "../helpers/auth.ts";
import { blobsRequests, UNREACHABLE, useBlobsAt } from "../helpers/blobs.ts";
import { coldInstance } from "../helpers/instances.ts";
import { invoke } from "../helpers/invoke.ts";
import { TEST_SECRETS } from "../helpers/secrets.ts";

const draft = unpublishedPosts.find((post) => post.status === "draft")!;

async function logIn(): Promise<string> {
  const res = await invoke(auth, "/api/auth", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ password: TEST_SECRETS.password }),
  });
  return res.json.token as string;
}

const logOut = (headers: Record<string, string>) => invoke(auth, "/api/auth", { method: "DELETE", headers });

describe("DELETE /api/auth revokes the session", () => {
  it.each([
    ["Bearer", (token: string) => ({ Authorization: `Bearer ${token}` })],
    ["cookie", (token: string) => ({ Cookie: `__Host-preview_session=${token}` })],
  ])("refuses the same %s token with 401 on preview=1 from a fresh instance", async (_name, carry) => {
    enableSessions();
    const token = await logIn();
    const headers = carry(token);
    const before = await invoke(await coldInstance("getPosts"), "/api/posts?preview=1&page_size=100", {
      headers,
    });
    expect(before.status).toBe(200);
    expect(before.text).toContain(draft.slug);

    const out = await logOut(headers);
    expect(out.status).toBe(204);
    expect(out.headers.get("Set-Cookie")).toContain("Max-Age=0");

    const after = await invoke(await coldInstance("getPosts"), "/api/posts?preview=1", { headers });
    expect(after.status).toBe(401);
    expect(after.json.code).toBe("unauthorized");
    const slug = draft.slug;
    const post = await invoke(await coldInstance("getPost"), `/api/posts/${slug}?preview=1`, {
      headers,
      params: { slug },
    });
    expect(post.status).toBe(401);
    expect((await invoke(auth, "/api/auth", { headers })).json).toEqual({ authenticated: false });
  });

  it("leaves other sessions alone", async () => {
    enableSessions();
    const [ended, kept] = [await logIn(), await logIn()];
    await logOut({ Authorization: `Bearer ${ended}` });
    const res = await invoke(await coldInstance("getPosts"), "/api/posts?preview=1", {
      headers: { Authorization: `Bearer ${kept}` },
    });
    expect(res.status).toBe(200);
  });

  it("makes public reads read nothing of the revocation list", async () => {
    enableSessions();
    const getPosts = await coldInstance("getPosts");
    await invoke(getPosts, "/api/posts");
    blobsRequests.length = 0;
    for (let i = 0; i < 5; i++) expect((await invoke(getPosts, "/api/posts")).status).toBe(200);
    expect(blobsRequests.filter((request) => request.key.startsWith("revoked/"))).toEqual([]);
  });

  it("fails closed for previews, not for public reads, when Netlify Blobs is unreachable", async () => {
    enableSessions();
    const token = await logIn();
    useBlobsAt(UNREACHABLE);
    const getPosts = await coldInstance("getPosts");
    const preview = await invoke(getPosts, "/api/posts?preview=1", {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(preview.status).toBe(503);
    expect(preview.json.code).toBe("session_store_unavailable");
    expect((await invoke(getPosts, "/api/posts")).status).toBe(200);
    const out = await logOut({ Authorization: `Bearer ${token}` });
    expect(out.status).toBe(503);
    expect(out.headers.get("Set-Cookie")).toContain("Max-Age=0");
  });
});
