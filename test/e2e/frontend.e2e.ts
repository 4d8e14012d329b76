/**
 * The frontend in public/ in a real browser: Debian's Chromium driven by
 * playwright-core, against `npm start` (netlify dev with the sample blog).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { categories, publishedPosts, unpublishedPosts } from "../../sample/data.ts";
import { ROOT } from "../../tools/netlify-build.ts";
import { type DevServer, startNetlifyDev } from "../../tools/netlify-dev.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const PASSWORD = "e2e preview password";
/**
 * Under netlify dev every API call is a fresh worker thread (~250 ms, several
 * seconds on a busy machine): give pages time. Each test gets TEST_TIMEOUT.
 */
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 30_000, interval: 100 });
const TEST_TIMEOUT = 90_000;
const SCREENSHOTS = join(ROOT, "docs", "screenshots");
const newest = publishedPosts[0]!;
const draft = unpublishedPosts.find((post) => post.status === "draft")!;
const scheduled = unpublishedPosts.find((post) => post.status === "scheduled")!;

let server: DevServer;
let browser: Browser;
let page: Page;
let pageErrors: string[] = [];
/** The page's requests, printed when a test fails. */
let requestLog: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  server = await startNetlifyDev({
    PREVIEW_PASSWORD: PASSWORD,
    SESSION_SECRET: "e2e-session-secret-0123456789abcdefghij",
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * Opens a page in a fresh context. `prepare` runs before the first request
 * (to hold back or block images; the API is never stubbed).
 */
async function open(
  path: string,
  viewport = { width: 1280, height: 900 },
  prepare?: (page: Page) => Promise<unknown>,
) {
  const context = await browser.newContext({ viewport });
  page = await context.newPage();
  pageErrors = [];
  requestLog = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy/i.test(message.text()))
      pageErrors.push(message.text());
  });
  page.on("requestfailed", (request) => {
    const failure = request.failure()?.errorText ?? "";
    if (!request.url().startsWith("https://cdn.buttercms.com/"))
      requestLog.push(`FAILED ${request.url()} ${failure}`);
  });
  page.on("request", (request) => requestLog.push(`→ ${request.method()} ${request.url()}`));
  page.on("requestfinished", async (request) => {
    const response = await request.response().catch(() => null);
    requestLog.push(
      `← ${response?.status() ?? "?"} ${request.url()} ${Math.round(request.timing().responseEnd)} ms`,
    );
  });
  await prepare?.(page);
  await page.goto(`${server.url}${path}`);
  return page;
}

/** The API's own answer, straight from the server (no browser). */
async function apiJson(path: string) {
  const response = await fetch(`${server.url}${path}`, { headers: { Accept: "application/json" } });
  expect(response.status, `GET ${path}`).toBe(200);
  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON, checked field by field below
  return (await response.json()) as any;
}

/** The hero's box and load state. */
const hero = () =>
  page.locator("#featured").evaluate((img: HTMLImageElement) => {
    const box = img.getBoundingClientRect();
    return { width: box.width, height: box.height, loaded: img.complete && img.naturalWidth > 0 };
  });

/** ButterCMS's CDN is never reached from the tests (and cannot be offline): every request fails. */
const blockCdn = (target: Page) =>
  target.route("https://cdn.buttercms.com/**", (route) => route.abort("internetdisconnected"));

/** A sample post's featured image URL, or null when it has none. */
const imageOf = (post: (typeof publishedPosts)[number]) =>
  typeof post.featured_image === "string" && post.featured_image ? post.featured_image : null;

/** Whether every image of `selector` inside the viewport has finished (loaded or failed). */
const imagesInViewDone = (selector: string) =>
  page.locator(selector).evaluateAll((images) =>
    images
      .filter((img) => {
        const box = img.getBoundingClientRect();
        return box.bottom > 0 && box.top < window.innerHeight;
      })
      .every((img) => (img as HTMLImageElement).complete),
  );

const relatedLinks = () => page.locator("#related-list a");

afterEach(async (context) => {
  if (context.task.result?.state === "fail") {
    // What the server said around the failure: netlify dev's own log.
    console.error(`the page's requests:\n${requestLog.join("\n")}`);
    console.error(`netlify dev output (tail):\n${server.output().split("\n").slice(-40).join("\n")}`);
  }
  await page?.context().close();
});

const cardTitles = () => page.locator(".posts h2").allTextContents();

describe("the blog in a browser", { timeout: TEST_TIMEOUT }, () => {
  it("shows the newest post on the home page; clicking it opens a page whose h1 is its title; back returns", async () => {
    await open("/");
    await poll(cardTitles).toContain(newest.title);
    await page.getByRole("link", { name: newest.title, exact: true }).click();
    await page.waitForURL(`**/posts/${newest.slug}`);
    await poll(() => page.locator("h1").textContent()).toBe(newest.title);
    expect(await page.locator("#body h2").count()).toBeGreaterThan(0);
    expect(await page.locator("#draft").isVisible()).toBe(false);
    expect(await page.locator("#preview-form").isVisible()).toBe(false);
    expect(await page.locator("#byline").textContent()).toContain("Ada Okafor");
    await page.goBack();
    await poll(cardTitles).toContain(newest.title);
    expect(pageErrors).toEqual([]);
  });

  it("pages through older posts", async () => {
    await open("/");
    await poll(cardTitles).toHaveLength(10);
    await page.getByRole("link", { name: "Older posts →" }).click();
    await page.waitForURL("**/?page=2");
    await poll(async () => (await cardTitles())[0]).toBe(publishedPosts[10]!.title);
    expect(pageErrors).toEqual([]);
  });

  it("filters by category", async () => {
    const category = categories[1]!;
    await open("/");
    await poll(() => page.locator("#category option").count()).toBeGreaterThan(1);
    await page.selectOption("#category", category.slug);
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(`**/?category=${category.slug}**`);
    const expected = publishedPosts.filter((post) => post.categories?.some((c) => c.slug === category.slug));
    await poll(cardTitles).toEqual(expected.slice(0, 10).map((post) => post.title));
  });

  it("searches posts by a word of a title", async () => {
    const post = publishedPosts[15]!; // not on the first page, so only the search can show it
    const word = post.title.split(" ").find((w) => w.length > 5)!;
    await open("/");
    await page.fill("#q", word);
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(`**/?q=${word}`);
    await poll(cardTitles).toContain(post.title);
    expect(await page.locator("h1").textContent()).toContain(word);
  });

  it("serves the pages with a Content-Security-Policy that forbids inline scripts", async () => {
    const response = await (await open("/")).goto(`${server.url}/`);
    const csp = response?.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("script-src 'self'");
    const injected = await page.evaluate(() => {
      const probe = document.createElement("div");
      probe.innerHTML = '<img src="x" onerror="window.__pwned = true">';
      document.body.append(probe);
      return new Promise((resolve) =>
        setTimeout(() => resolve((window as { __pwned?: boolean }).__pwned ?? false), 300),
      );
    });
    expect(injected).toBe(false);
  });

  it("shows a real not-found state for an unknown slug", async () => {
    await open("/posts/no-such-post");
    await poll(() => page.locator("h1").textContent()).toBe("Post not found");
    expect(await page.title()).toBe("Post not found · Blog");
    expect(await page.locator("#related").isVisible()).toBe(false);
    expect(await page.locator("#featured").isVisible()).toBe(false);
    expect(pageErrors).toEqual([]);
  });

  it("lists the API's related posts under a post, never the post itself; clicking one opens it", async () => {
    await open(`/posts/${newest.slug}`);
    await poll(() => page.locator("h1").textContent()).toBe(newest.title);
    const expected = (await apiJson(`/api/posts/${newest.slug}/related?limit=3`)).data as {
      slug: string;
      title: string;
    }[];
    expect(expected.length).toBeGreaterThan(0);
    await poll(() => relatedLinks().count()).toBe(expected.length);
    expect(await page.getByRole("heading", { name: "Related posts" }).isVisible()).toBe(true);
    const hrefs = await relatedLinks().evaluateAll((links) => links.map((a) => a.getAttribute("href")));
    expect(hrefs).toEqual(expected.map((post) => `/posts/${post.slug}`));
    expect(hrefs).not.toContain(`/posts/${newest.slug}`);
    const titles = await page.locator("#related-list .related-title").allTextContents();
    expect(titles).toEqual(expected.map((post) => post.title));
    for (const img of await page.locator("#related-list img").all()) {
      expect(await img.getAttribute("width")).toBe("1200");
      expect(await img.getAttribute("height")).toBe("630");
      if (await img.getAttribute("srcset")) expect(await img.getAttribute("sizes")).toBe("112px");
    }
    expect(await page.locator("#related-status").textContent()).toBe("");
    expect(await page.locator("#related").getAttribute("aria-busy")).toBe("false");

    const target = expected[0]!;
    await page.getByRole("link", { name: target.title }).first().click();
    await page.waitForURL(`**/posts/${target.slug}`);
    await poll(() => page.locator("h1").textContent()).toBe(target.title);
    await poll(() => relatedLinks().count()).toBeGreaterThan(0);
    const next = await relatedLinks().evaluateAll((links) => links.map((a) => a.getAttribute("href")));
    expect(next).not.toContain(`/posts/${target.slug}`);
    expect(pageErrors).toEqual([]);
  });

  it("reserves the hero image's 1200×630 box before the image loads and keeps it after (no layout shift)", async () => {
    const post = publishedPosts.find((p) => imageOf(p)?.startsWith("/images/"))!;
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await open(`/posts/${post.slug}`, undefined, (target) =>
      target.route("**/images/sample/*.svg", async (route) => {
        await held;
        await route.continue();
      }),
    );
    await poll(() => page.locator("h1").textContent()).toBe(post.title);
    const image = page.locator("#featured");
    expect(await image.getAttribute("width")).toBe("1200");
    expect(await image.getAttribute("height")).toBe("630");
    expect(await image.getAttribute("src")).toBe(post.featured_image);
    expect(await image.getAttribute("alt")).toBe(post.featured_image_alt);
    const { data } = await apiJson(`/api/posts/${post.slug}`);
    if (data.featured_image_srcset) {
      expect(await image.getAttribute("srcset")).toBe(data.featured_image_srcset);
      expect(await image.getAttribute("sizes")).toBeTruthy();
    } else {
      expect(await image.getAttribute("srcset")).toBeNull();
    }

    const before = await hero();
    expect(before.loaded).toBe(false);
    expect(before.width).toBeGreaterThan(300);
    expect(before.height).toBeCloseTo((before.width * 630) / 1200, 0);
    const bodyTop = await page.locator("#body").evaluate((body) => body.getBoundingClientRect().top);

    release();
    await poll(async () => (await hero()).loaded).toBe(true);
    const after = await hero();
    expect(after.width).toBe(before.width);
    expect(after.height).toBe(before.height);
    expect(await page.locator("#body").evaluate((body) => body.getBoundingClientRect().top)).toBe(bodyTop);
    expect(pageErrors).toEqual([]);
  });

  it("gives a ButterCMS CDN hero a srcset and sizes, and keeps its box and alt text when the CDN fails", async () => {
    const post = publishedPosts.find((p) => imageOf(p)?.startsWith("https://cdn.buttercms.com/"));
    expect(post, "the sample blog has a post with a ButterCMS CDN image").toBeDefined();
    const { data } = await apiJson(`/api/posts/${post!.slug}`);
    expect(data.featured_image_srcset, "the API sends featured_image_srcset for a CDN image").toMatch(
      /^https:\/\/cdn\.buttercms\.com\/\S+ \d+w(, \S+ \d+w)*$/,
    );
    await open(`/posts/${post!.slug}`, undefined, blockCdn);
    await poll(() => page.locator("h1").textContent()).toBe(post!.title);
    const image = page.locator("#featured");
    expect(await image.getAttribute("srcset")).toBe(data.featured_image_srcset);
    expect(await image.getAttribute("sizes")).toBe("(min-width: 960px) 880px, 92vw");
    expect(await image.getAttribute("width")).toBe("1200");
    expect(await image.getAttribute("height")).toBe("630");
    expect(await image.getAttribute("alt")).toBe(post!.featured_image_alt);
    // The browser chose a candidate from the srcset, which failed (offline): the box stays.
    await poll(() => image.evaluate((img: HTMLImageElement) => img.complete)).toBe(true);
    const candidates = String(data.featured_image_srcset)
      .split(", ")
      .map((candidate) => candidate.split(" ")[0]);
    expect(candidates).toContain(await image.evaluate((img: HTMLImageElement) => img.currentSrc));
    const box = await hero();
    expect(box.loaded).toBe(false);
    expect(box.height).toBeCloseTo((box.width * 630) / 1200, 0);
    expect(await page.locator("#body h2").count()).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
  });

  it("renders a post without a featured image with no image and no errors, on its page and in the list", async () => {
    const post = publishedPosts.find((p) => imageOf(p) === null);
    expect(post, "the sample blog has a published post without a featured image").toBeDefined();
    await open(`/posts/${post!.slug}`, undefined, blockCdn);
    await poll(() => page.locator("h1").textContent()).toBe(post!.title);
    expect(await page.locator("#featured").count()).toBe(0);
    expect(await page.locator("#post > .image-frame, #post > img").count()).toBe(0);
    expect(await page.locator("#body h2").count()).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);

    const index = publishedPosts.indexOf(post!);
    await page.goto(`${server.url}/?page=${Math.floor(index / 10) + 1}`);
    const card = page.locator(".card", { hasText: post!.title });
    await poll(() => card.count()).toBe(1);
    expect(await card.locator("img").count()).toBe(0);
    expect(await page.locator(".card img").count()).toBeGreaterThan(0);
    for (const img of await page.locator(".card img").all()) {
      expect(await img.getAttribute("width")).toBe("1200");
      expect(await img.getAttribute("height")).toBe("630");
      if (await img.getAttribute("srcset")) expect(await img.getAttribute("sizes")).toBeTruthy();
    }
    expect(pageErrors).toEqual([]);
  });

  it("shows the API's problem detail when a request fails, never a blank page", async () => {
    await open("/?page=0");
    const alert = page.getByRole("alert").filter({ hasText: "page" });
    await poll(() => alert.textContent()).toContain("The parameter 'page' is invalid.");
  });

  it("signs in for previews, shows a draft marked as a draft, and signs out", async () => {
    await open("/");
    await page.getByRole("button", { name: "Preview drafts" }).click();
    await page.fill("#preview-password", "wrong");
    await page.getByRole("button", { name: "Sign in" }).click();
    await poll(() => page.locator("#preview-message").textContent()).toContain("password");

    await page.fill("#preview-password", PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await poll(() => page.locator("#previewing").textContent()).toBe("Previewing drafts");
    await poll(cardTitles).toContain(draft.title);
    const draftCard = page.locator(".card", { hasText: draft.title });
    expect(await draftCard.locator(".draft-badge").textContent()).toBe("Draft");

    await draftCard.getByRole("link").click();
    await poll(() => page.locator("h1").textContent()).toBe(draft.title);
    expect(await page.locator("#draft").isVisible()).toBe(true);

    await page.getByRole("button", { name: "Sign out" }).click();
    await poll(() => page.locator("h1").textContent()).toBe("Post not found");
    expect(pageErrors).toEqual([]);
  });

  it("labels a scheduled post as scheduled, with its date, in the list and on its page", async () => {
    await open("/");
    const signIn = await page.request.post(`${server.url}/api/auth`, { data: { password: PASSWORD } });
    expect(signIn.ok()).toBe(true);
    await page.goto(`${server.url}/`);
    await poll(cardTitles).toContain(scheduled.title);
    // The date as this browser writes it (its own time zone), from the post's `scheduled`.
    const when = await page.evaluate(
      (iso) => new Intl.DateTimeFormat("en", { dateStyle: "long" }).format(new Date(iso)),
      scheduled.scheduled as string,
    );
    expect(when).toMatch(/\d{4}/);
    const card = page.locator(".card", { hasText: scheduled.title });
    expect(await card.locator(".draft-badge").textContent()).toBe(`Scheduled for ${when}`);
    const draftCard = page.locator(".card", { hasText: draft.title });
    expect(await draftCard.locator(".draft-badge").textContent()).toBe("Draft");

    await card.getByRole("link").click();
    await poll(() => page.locator("h1").textContent()).toBe(scheduled.title);
    expect(await page.locator("#draft").isVisible()).toBe(true);
    expect(await page.locator("#draft").textContent()).toBe(`Scheduled for ${when}`);
    expect(pageErrors).toEqual([]);
  });

  it("asks for a draft's related posts with preview=1 and lists published posts only", async () => {
    await open("/");
    const signIn = await page.request.post(`${server.url}/api/auth`, { data: { password: PASSWORD } });
    expect(signIn.ok()).toBe(true);
    const related = page.waitForRequest((request) => request.url().includes(`/${draft.slug}/related?`));
    await page.goto(`${server.url}/posts/${draft.slug}`);
    await poll(() => page.locator("h1").textContent()).toBe(draft.title);
    expect(await page.locator("#draft").isVisible()).toBe(true);
    const query = new URL((await related).url()).searchParams;
    expect(query.get("preview")).toBe("1");
    expect(query.get("limit")).toBe("3");
    await poll(() => relatedLinks().count()).toBeGreaterThan(0);
    const hrefs = await relatedLinks().evaluateAll((links) => links.map((a) => a.getAttribute("href")));
    const published = new Set(publishedPosts.map((post) => `/posts/${post.slug}`));
    for (const href of hrefs) expect(published.has(href ?? ""), `${href} is a published post`).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it.each([
    ["desktop", { width: 1280, height: 900 }],
    ["mobile", { width: 390, height: 844 }],
  ])("writes screenshots of the home and post pages (%s)", async (name, viewport) => {
    await open("/", viewport, blockCdn);
    await poll(cardTitles).toHaveLength(10);
    await poll(() => imagesInViewDone(".card img")).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, `home-${name}.png`) });
    await page.goto(`${server.url}/posts/${newest.slug}`);
    await poll(() => page.locator("h1").textContent()).toBe(newest.title);
    await poll(async () => (await hero()).loaded).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, `post-${name}.png`) });
    // Whatever the related posts' state (listed, none, failed), once it is settled.
    await poll(() => page.locator("#related").getAttribute("aria-busy")).toBe("false");
    await page.locator("#neighbours").scrollIntoViewIfNeeded();
    await poll(() => imagesInViewDone("#related-list img")).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, `post-related-${name}.png`) });
  });
});
