// @ts-check
/**
 * Builds a static blog from the backend, as a static site generator would at
 * build time: an index of every published post and one page per post, plain
 * HTML files in an output directory.
 *
 *   npm start                      # the backend with the sample blog, in another terminal
 *   npm run example                # writes examples/out/ from http://localhost:8888
 *   BLOG_API_URL=https://blog.example.com npm run example -- [outDir]
 *
 * BLOG_API_URL is where the backend is; unset, it is http://localhost:8888,
 * the address `npm start` prints. It uses the typed client (client/), so it
 * follows every page of the list and fails with the problem's code and
 * detail when the API answers an error. Everything from the API is
 * HTML-escaped, except post bodies: they are the editors' CMS HTML and are
 * inserted as they are (serve the result with a Content-Security-Policy such
 * as the one in netlify.toml).
 *
 * Images the site serves itself (root-relative URLs such as
 * `/images/sample/cover-1.svg`, in featured images and bodies) are copied
 * into the output and linked relatively, so the pages work when opened from
 * disk; absolute URLs (ButterCMS's CDN) are left as they are.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BlogApiError, createBlogClient } from "../client/index.js";

/** @typedef {import("../client/index.js").BlogClient} BlogClient */
/** @typedef {import("../client/index.js").Post} Post */
/** @typedef {import("../client/index.js").PostDetail} PostDetail */

const HERE = dirname(fileURLToPath(import.meta.url));
/** What `npm start` prints as its address (scripts/start.mjs, port 8888 unless told otherwise). */
export const DEFAULT_API_URL = "http://localhost:8888";
const DEFAULT_OUT_DIR = join(HERE, "out");
/** Post pages fetched at once: enough to be quick, few enough to stay polite to the backend. */
const CONCURRENCY = 4;

/** @param {unknown} value */
export function escapeHtml(value) {
  return String(value ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** A URL fit for `src`/`href`: http(s) or site-relative, never `javascript:` and friends. */
function safeUrl(/** @type {string | null | undefined} */ url) {
  if (!url) return null;
  if (url.startsWith("/") && !url.startsWith("//")) return url;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}

/** A root-relative URL of the site's own files that can be copied under the output directory as is. */
const LOCAL_ASSET = /^\/(?!\/)(?:[A-Za-z0-9_~-][A-Za-z0-9._~-]*\/)*[A-Za-z0-9_~-][A-Za-z0-9._~-]*$/;
/** `src="/…"` in a post body (CMS HTML). */
const ROOT_RELATIVE_SRC = /(\ssrc=)(["'])(\/(?!\/)[^"'<>]*)\2/g;

/**
 * The site's own files the pages link to, copied under the output
 * directory: `link` gives what to link to from a page at `root`.
 */
class LocalAssets {
  /** @param {((path: string) => Promise<Response>) | undefined} fetchAsset */
  constructor(fetchAsset) {
    this.fetchAsset = fetchAsset;
    /** @type {Map<string, Promise<Uint8Array | null>>} */
    this.files = new Map();
  }

  /** @param {string} url */
  want(url) {
    if (!this.fetchAsset || !LOCAL_ASSET.test(url) || this.files.has(url)) return;
    const fetchAsset = this.fetchAsset;
    this.files.set(
      url,
      fetchAsset(url).then(
        async (response) => (response.ok ? new Uint8Array(await response.arrayBuffer()) : null),
        () => null,
      ),
    );
  }

  /**
   * Every root-relative image of a post: its featured image and the `src` attributes of its body.
   * @param {Post} post
   */
  wantAllOf(post) {
    if (post.featured_image) this.want(post.featured_image);
    for (const match of (post.body ?? "").matchAll(ROOT_RELATIVE_SRC))
      this.want(/** @type {string} */ (match[3]));
  }

  /**
   * The URL to use from a page `root` away from the output's top: relative
   * when the file was copied, unchanged otherwise.
   * @param {string} url @param {string} root @param {Set<string>} copied
   */
  static link(url, root, copied) {
    return copied.has(url) ? `${root}${url.slice(1)}` : url;
  }
}

/** Slugs become directory names: only the characters the API allows, so no `..` or `/`. */
function pagePath(/** @type {string} */ slug) {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,199}$/.test(slug))
    throw new Error(`unexpected slug ${JSON.stringify(slug)}`);
  return `posts/${slug}/index.html`;
}

function formatDate(/** @type {string | null | undefined} */ iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const text = date.toLocaleDateString("en-GB", {
    year: "numeric",
    month: "long",
    day: "numeric",
    timeZone: "UTC",
  });
  return `<time datetime="${escapeHtml(date.toISOString())}">${escapeHtml(text)}</time>`;
}

/** @param {{ title: string, body: string, root: string }} page */
function layout({ title, body, root }) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
</head>
<body>
<header><a href="${root}index.html">Home</a></header>
<main>
${body}
</main>
</body>
</html>
`;
}

/** @param {Post} post */
function byline(post) {
  const author = post.author ? `${post.author.first_name} ${post.author.last_name}`.trim() : "";
  return [formatDate(post.published), author ? `by ${escapeHtml(author)}` : ""].filter(Boolean).join(" ");
}

/** @param {Post} post @param {string} root @param {Set<string>} copied */
function featuredImage(post, root, copied) {
  const safe = safeUrl(post.featured_image);
  const src = safe && LocalAssets.link(safe, root, copied);
  if (!src) return "";
  const srcset = post.featured_image_srcset
    ? ` srcset="${escapeHtml(post.featured_image_srcset)}" sizes="(max-width: 800px) 100vw, 800px"`
    : "";
  return `<img src="${escapeHtml(src)}"${srcset} alt="${escapeHtml(post.featured_image_alt ?? "")}">`;
}

/** @param {{ siteTitle: string, posts: Post[] }} site */
export function renderIndex({ siteTitle, posts }) {
  const items = posts
    .map(
      (post) => `<li>
<h2><a href="${escapeHtml(pagePath(post.slug).replace(/index\.html$/, ""))}">${escapeHtml(post.title)}</a></h2>
<p>${byline(post)}</p>
${post.summary ? `<p>${escapeHtml(post.summary)}</p>` : ""}
</li>`,
    )
    .join("\n");
  const body = `<h1>${escapeHtml(siteTitle)}</h1>\n<ul class="posts">\n${items}\n</ul>`;
  return layout({ title: siteTitle, body, root: "" });
}

/**
 * @param {{ siteTitle: string, detail: PostDetail, copied?: Set<string> }} page `copied`: the
 *   root-relative image URLs copied into the output, linked relatively.
 */
export function renderPost({ siteTitle, detail, copied = new Set() }) {
  const post = detail.data;
  const root = "../../";
  const terms = [...(post.categories ?? []), ...(post.tags ?? [])]
    .map((term) => escapeHtml(term.name))
    .join(", ");
  const link = (
    /** @type {{ slug: string, title: string } | null | undefined} */ other,
    /** @type {string} */ rel,
  ) =>
    other
      ? `<a rel="${rel}" href="${root}${escapeHtml(pagePath(other.slug).replace(/index\.html$/, ""))}">${escapeHtml(other.title)}</a>`
      : "";
  const neighbours = [link(detail.meta.previous_post, "prev"), link(detail.meta.next_post, "next")].filter(
    Boolean,
  );
  const body = `<article>
<h1>${escapeHtml(post.title)}</h1>
<p>${byline(post)}</p>
${featuredImage(post, root, copied)}
<div class="body">
${(post.body ?? "").replace(ROOT_RELATIVE_SRC, (_, attribute, quote, url) => `${attribute}${quote}${LocalAssets.link(url, root, copied)}${quote}`)}
</div>
${terms ? `<p>Filed under ${terms}</p>` : ""}
</article>
${neighbours.length ? `<nav>${neighbours.join(" ")}</nav>` : ""}`;
  return layout({ title: `${post.title} · ${siteTitle}`, body, root });
}

/**
 * Renders every published post into `outDir`: `index.html` and
 * `posts/<slug>/index.html`, plus the site's own images they show (fetched
 * with `fetchAsset`, given a root-relative URL; without it they are left
 * root-relative). Returns the files written, relative to `outDir`, and the
 * images that could not be fetched.
 *
 * @param {{ client: BlogClient, outDir: string, siteTitle?: string,
 *   fetchAsset?: (path: string) => Promise<Response> }} options
 */
export async function buildSite({ client, outDir, siteTitle = "Blog", fetchAsset }) {
  /** @type {Post[]} */
  const posts = [];
  for await (const post of client.allPosts({ page_size: 100 })) posts.push(post);

  /** @type {string[]} */
  const written = [];
  /** @param {string} path @param {string | Uint8Array} html */
  const write = async (path, html) => {
    const file = join(outDir, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, html);
    written.push(path);
  };

  await write("index.html", renderIndex({ siteTitle, posts }));
  const assets = new LocalAssets(fetchAsset);
  /** @type {PostDetail[]} */
  const details = [];
  let next = 0;
  const worker = async () => {
    while (next < posts.length) {
      const post = /** @type {Post} */ (posts[next++]);
      const detail = await client.getPost(post.slug);
      assets.wantAllOf(detail.data);
      details.push(detail);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, posts.length) }, worker));

  /** @type {Set<string>} */
  const copied = new Set();
  /** @type {string[]} */
  const missing = [];
  for (const [url, pending] of assets.files) {
    const bytes = await pending;
    if (bytes === null) {
      missing.push(url);
      continue;
    }
    await write(url.slice(1), bytes);
    copied.add(url);
  }
  for (const detail of details) {
    await write(pagePath(detail.data.slug), renderPost({ siteTitle, detail, copied }));
  }
  return { posts: posts.length, files: written.sort(), missing: missing.sort() };
}

async function main() {
  const baseUrl = process.env.BLOG_API_URL || DEFAULT_API_URL;
  const outDir = resolve(process.argv[2] ?? DEFAULT_OUT_DIR);
  try {
    const { posts, files, missing } = await buildSite({
      client: createBlogClient({ baseUrl }),
      outDir,
      fetchAsset: (path) => fetch(new URL(path, baseUrl)),
    });
    console.log(`Wrote ${files.length} files (${posts} posts) to ${outDir} from ${baseUrl}`);
    if (missing.length)
      console.warn(`Could not copy ${missing.length} images, left as links: ${missing.join(", ")}`);
  } catch (error) {
    if (error instanceof BlogApiError) {
      console.error(`The API answered ${error.status} ${error.code ?? ""}: ${error.detail}`);
    } else {
      console.error(`Could not build from ${baseUrl}: ${error instanceof Error ? error.message : error}`);
    }
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
