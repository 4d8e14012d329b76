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
/** Under netlify dev every API call is a fresh worker thread (~250 ms): give pages time. */
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000, interval: 100 });
const SCREENSHOTS = join(ROOT, "docs", "screenshots");
const newest = publishedPosts[0]!;
const draft = unpublishedPosts.find((post) => post.status === "draft")!;

let server: DevServer;
let browser: Browser;
let page: Page;
let pageErrors: string[] = [];

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

async function open(path: string, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport });
  page = await context.newPage();
  pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  await page.goto(`${server.url}${path}`);
  return page;
}

afterEach(async () => {
  await page?.context().close();
});

const cardTitles = () => page.locator(".posts h2").allTextContents();

describe("the blog in a browser", () => {
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

  it.each([
    ["desktop", { width: 1280, height: 900 }],
    ["mobile", { width: 390, height: 844 }],
  ])("writes screenshots of the home and post pages (%s)", async (name, viewport) => {
    await open("/", viewport);
    await poll(cardTitles).toHaveLength(10);
    await page.screenshot({ path: join(SCREENSHOTS, `home-${name}.png`) });
    await page.goto(`${server.url}/posts/${newest.slug}`);
    await poll(() => page.locator("h1").textContent()).toBe(newest.title);
    await page.screenshot({ path: join(SCREENSHOTS, `post-${name}.png`) });
  });
});
