/**
 * examples/build-static-site.mjs in CI: its `buildSite` renders the sample
 * blog through the typed client and the in-process functions, and the files
 * it writes are checked (a page per published post, titles escaped, bodies
 * kept as CMS HTML, the site's own images copied and linked so that the
 * pages work from disk). `npm run example` itself runs against a local HTTP
 * server in front of the same functions, at the address BLOG_API_URL gives.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBlogClient } from "../../client/index.js";
import { buildSite, DEFAULT_API_URL } from "../../examples/build-static-site.mjs";
import { publishedPosts, unpublishedPosts } from "../../sample/data.ts";
import { BASE_URL, inProcessFetch } from "./in-process-fetch.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const imageOf = (post: object): string => {
  const image = (post as Record<string, unknown>).featured_image;
  return typeof image === "string" ? image : "";
};

/** The site's static files (public/), as Netlify serves them next to the functions. */
async function publicFile(path: string): Promise<Response> {
  const file = join(ROOT, "public", ...path.split("/").filter(Boolean));
  if (!file.startsWith(join(ROOT, "public")) || !existsSync(file)) return new Response("", { status: 404 });
  return new Response(readFileSync(file));
}

/** Every `src` of a page's images, resolved as a browser does for a page opened from disk. */
function imageFilesOf(pageFile: string, html: string): string[] {
  return [...html.matchAll(/<img\b[^>]*?\ssrc="([^"]+)"/g)]
    .map((match) => match[1]!)
    .filter((src) => !/^https?:/.test(src))
    .map((src) => fileURLToPath(new URL(src, pathToFileURL(pageFile))));
}

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

  it("copies the site's own images into the output and links them relatively, so pages work from disk", async () => {
    const client = createBlogClient({ baseUrl: BASE_URL, fetch: inProcessFetch });
    const result = await buildSite({ client, outDir, fetchAsset: publicFile });
    expect(result.missing).toEqual([]);
    expect(result.files.filter((file) => file.startsWith("images/sample/")).length).toBeGreaterThan(0);

    let localImages = 0;
    for (const post of publishedPosts) {
      const page = join(outDir, "posts", post.slug, "index.html");
      const html = await readFile(page, "utf8");
      expect(html).not.toMatch(/\ssrc="\/(?!\/)/);
      for (const file of imageFilesOf(page, html)) {
        expect(existsSync(file), `${file} (from ${post.slug})`).toBe(true);
        localImages += 1;
      }
    }
    expect(localImages).toBeGreaterThan(publishedPosts.length);
    // A ButterCMS CDN image stays absolute.
    const onCdn = publishedPosts.find((post) => imageOf(post).startsWith("https://cdn.buttercms.com/"))!;
    const cdnPage = await readFile(join(outDir, "posts", onCdn.slug, "index.html"), "utf8");
    expect(cdnPage).toContain(`src="${onCdn.featured_image}"`);
  });

  it("leaves an image it cannot fetch as it was, and says which", async () => {
    const client = createBlogClient({ baseUrl: BASE_URL, fetch: inProcessFetch });
    const result = await buildSite({
      client,
      outDir,
      fetchAsset: async () => new Response("", { status: 404 }),
    });
    expect(result.missing.length).toBeGreaterThan(0);
    expect(result.missing.every((url: string) => url.startsWith("/images/"))).toBe(true);
    const local = publishedPosts.find((post) => imageOf(post).startsWith("/"))!;
    const html = await readFile(join(outDir, "posts", local.slug, "index.html"), "utf8");
    expect(html).toContain(`src="${local.featured_image}"`);
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

describe("npm run example", () => {
  let server: Server;
  let address: string;
  beforeEach(async () => {
    // The functions in-process, and public/ beside them: what `npm start` serves.
    server = createServer(async (req, res) => {
      const path = req.url ?? "/";
      const response = path.startsWith("/api/")
        ? await inProcessFetch(new Request(`${BASE_URL}${path}`, { method: req.method ?? "GET" }))
        : await publicFile(path);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    address = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it("builds from the backend at BLOG_API_URL, images included", async () => {
    const { stdout } = await promisify(execFile)("npm", ["run", "--silent", "example", "--", outDir], {
      cwd: ROOT,
      env: { ...process.env, BLOG_API_URL: address },
      timeout: 60_000,
    });
    expect(stdout).toContain(`from ${address}`);
    expect(existsSync(join(outDir, "index.html"))).toBe(true);
    const post = publishedPosts.find((each) => imageOf(each).startsWith("/"))!;
    const page = join(outDir, "posts", post.slug, "index.html");
    const images = imageFilesOf(page, await readFile(page, "utf8"));
    expect(images.length).toBeGreaterThan(0);
    for (const file of images) expect(existsSync(file)).toBe(true);
    expect(dirname(images[0]!).startsWith(outDir)).toBe(true);
  }, 60_000);

  it("defaults to http://localhost:8888, where npm start listens unless told otherwise", () => {
    expect(DEFAULT_API_URL).toBe("http://localhost:8888");
    const toml = readFileSync(join(ROOT, "netlify.toml"), "utf8");
    expect(toml.match(/\[dev\][^[]*?\bport = (\d+)/)?.[1]).toBe("8888");
  });
});
