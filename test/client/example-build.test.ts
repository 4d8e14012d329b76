/**
 * examples/build-static-site.mjs in CI: its `buildSite` renders the sample
 * blog through the typed client and the in-process functions, and the files
 * it writes are checked (a page per published post, titles escaped, bodies
 * kept as CMS HTML).
 */
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBlogClient } from "../../client/index.js";
import { buildSite } from "../../examples/build-static-site.mjs";
import { publishedPosts, unpublishedPosts } from "../../sample/data.ts";
import { BASE_URL, inProcessFetch } from "./in-process-fetch.ts";

const HOSTILE_TITLE = `<script>alert("x")</script> & 'Friends'`;
const target = publishedPosts[1]!;

/**
 * The in-process fetch, with one post's title turned hostile wherever the
 * API names it (lists, the post, its neighbours' links): what an editor could type.
 */
async function hostileFetch(request: Request): Promise<Response> {
  const response = await inProcessFetch(request);
  if (!response.ok || !new URL(request.url).pathname.startsWith("/api/posts")) return response;
  const body = (await response.json()) as { data: unknown; meta?: Record<string, unknown> };
  const rename = (item: unknown) => {
    const post = item as { slug?: string; title?: string } | null;
    if (post?.slug === target.slug) post.title = HOSTILE_TITLE;
  };
  for (const item of [body.data, body.meta?.next_post, body.meta?.previous_post].flat()) rename(item);
  const headers = new Headers(response.headers);
  headers.delete("Content-Length");
  headers.delete("ETag");
  return new Response(JSON.stringify(body), { status: response.status, headers });
}

let outDir: string;
beforeEach(async () => {
  outDir = await mkdtemp(join(tmpdir(), "static-site-"));
});
afterEach(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe("examples/build-static-site.mjs", () => {
  it("writes an index and one page per published post", async () => {
    const client = createBlogClient({ baseUrl: BASE_URL, fetch: inProcessFetch });
    const result = await buildSite({ client, outDir, siteTitle: "Sample blog" });

    expect(result.posts).toBe(publishedPosts.length);
    expect(result.files).toHaveLength(publishedPosts.length + 1);
    expect(await readdir(join(outDir, "posts"))).toHaveLength(publishedPosts.length);
    for (const post of publishedPosts) {
      const html = await readFile(join(outDir, "posts", post.slug, "index.html"), "utf8");
      expect(html).toContain(`<h1>${post.title}</h1>`);
      expect(html).toContain("<h2>Why it matters</h2>"); // the CMS body, as HTML
    }
    for (const post of unpublishedPosts) expect(existsSync(join(outDir, "posts", post.slug))).toBe(false);

    const index = await readFile(join(outDir, "index.html"), "utf8");
    expect(index.match(/<li>/g)).toHaveLength(publishedPosts.length);
    for (const post of publishedPosts) expect(index).toContain(`href="posts/${post.slug}/"`);
  });

  it("escapes titles (and every other text) but keeps bodies as HTML", async () => {
    const client = createBlogClient({ baseUrl: BASE_URL, fetch: hostileFetch });
    await buildSite({ client, outDir });
    const escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Friends&#39;";

    const page = await readFile(join(outDir, "posts", target.slug, "index.html"), "utf8");
    expect(page).toContain(`<h1>${escaped}</h1>`);
    expect(page).toContain(`<title>${escaped} · Blog</title>`);
    const index = await readFile(join(outDir, "index.html"), "utf8");
    expect(index).toContain(escaped);
    // Its neighbours link to it by its title, escaped too.
    const neighbour = await readFile(join(outDir, "posts", publishedPosts[0]!.slug, "index.html"), "utf8");
    expect(neighbour).toContain(escaped);
    for (const html of [page, index, neighbour]) expect(html).not.toContain("<script>");
    expect(page).toContain("<h2>Why it matters</h2>");
  });
});
