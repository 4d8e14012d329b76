import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { deflateSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { budgetKiB } from "../../tools/bundle-budgets.ts";
import {
  isPlatformEntry,
  type ManifestFunction,
  netlifyBuild,
  ROOT,
  readZip,
} from "../../tools/netlify-build.ts";

const EXPECTED_ROUTES: Record<string, string | string[]> = {
  apiNotFound: ["/api", "/api/*"],
  getPosts: "/api/posts",
  getPost: "/api/posts/:slug",
  getRelatedPosts: "/api/posts/:slug/related",
  auth: "/api/auth",
  ipAllowlist: "/api/ip-allowlist",
  getCategories: "/api/categories",
  getTags: "/api/tags",
  getAuthors: "/api/authors",
  searchPosts: "/api/search",
  getFeed: "/api/feeds/:type",
  buttercmsWebhook: "/api/webhooks/buttercms",
  getOpenApi: "/api/openapi.json",
  getStatus: "/api/status",
};
/** Scheduled functions have no route: Netlify invokes them on their schedule (production only). */
const SCHEDULES: Record<string, string> = { reconcileIndex: "*/5 * * * *" };

/** What must never ship: test/dev packages and the sample blog (its data, its emulator). */
const FORBIDDEN_PATHS = /(^|\/)(msw|@mswjs|@bundled-es-modules|fast-check|vitest|netlify-cli|sample)(\/|$)/;
const FORBIDDEN_TEXT = [
  "ada.okafor@example.com",
  "Shipping a Headless Blog",
  "setupServer",
  "butterHandlers",
];

const run = promisify(execFile);

let functions: ManifestFunction[];
beforeAll(async () => {
  functions = await netlifyBuild();
}, 120_000);

describe("netlify build --offline", () => {
  it("bundles every file in functions/ and routes each to its path (a dropped config would leave no route)", () => {
    const sourceNames = readdirSync(join(ROOT, "functions")).map((file) => file.replace(/\.m?ts$/, ""));
    expect(functions.map((fn) => fn.name).sort()).toEqual(sourceNames.sort());
    for (const fn of functions.filter((candidate) => !(candidate.name in SCHEDULES))) {
      expect(fn.routes?.map((route) => route.pattern)).toEqual([EXPECTED_ROUTES[fn.name]].flat());
    }
  });

  it.each(Object.entries(SCHEDULES))("schedules %s (%s) and gives it no route", (name, schedule) => {
    const fn = functions.find((candidate) => candidate.name === name) as ManifestFunction & {
      schedule?: string;
    };
    expect(fn.schedule).toBe(schedule);
    expect(fn.routes ?? []).toEqual([]);
  });

  it("excludes every other function's route from the /api catch-all, so it never shadows an endpoint", () => {
    const catchAll = functions.find((fn) => fn.name === "apiNotFound") as ManifestFunction & {
      excludedRoutes?: { pattern: string }[];
    };
    const excluded = (catchAll.excludedRoutes ?? []).map((route) => route.pattern).sort();
    const owned = functions
      .filter((fn) => fn.name !== "apiNotFound")
      .flatMap((fn) => (fn.routes ?? []).map((route) => route.pattern))
      .sort();
    expect(excluded).toEqual(owned);
  });

  it.each(["auth", "searchPosts"])("declares %s's rate limit per IP and domain", (name) => {
    const fn = functions.find((candidate) => candidate.name === name);
    expect(JSON.stringify(fn?.trafficRules)).toContain('"keys":[{"type":"ip"},{"type":"domain"}]');
  });

  const ALL = [...Object.keys(EXPECTED_ROUTES), ...Object.keys(SCHEDULES)];
  it.each(ALL)("ships %s without msw, dev packages or sample data", async (name) => {
    const fn = functions.find((candidate) => candidate.name === name)!;
    const { entries } = await readZip(fn.path);
    const names = Object.keys(entries);
    expect(names.some((entry) => entry.startsWith("functions/"))).toBe(true);
    expect(names.filter((entry) => FORBIDDEN_PATHS.test(entry))).toEqual([]);
    const decoder = new TextDecoder();
    for (const [entry, content] of Object.entries(entries)) {
      if (isPlatformEntry(entry)) continue;
      const text = decoder.decode(content);
      for (const marker of FORBIDDEN_TEXT) expect(text, `${entry} contains ${marker}`).not.toContain(marker);
    }
  });

  /** Packages a function imports only when it first needs them (`import("buttercms")`): the zip must hold them too. */
  const lazyPackages = (bundle: string): string[] => [
    ...new Set([...bundle.matchAll(/\bimport\("([^".][^"]*)"\)/g)].map((match) => match[1] as string)),
  ];

  it.each(ALL)(
    "loads %s, and every package it imports on first use, from what its zip holds alone",
    async (name) => {
      const fn = functions.find((candidate) => candidate.name === name)!;
      const dir = mkdtempSync(join(tmpdir(), `zip-${name}-`));
      try {
        for (const [entry, content] of Object.entries((await readZip(fn.path)).entries)) {
          mkdirSync(dirname(join(dir, entry)), { recursive: true });
          writeFileSync(join(dir, entry), content);
        }
        const file = join(dir, "functions", `${name}.mjs`);
        const lazy = lazyPackages(readFileSync(file, "utf8"));
        if (["getPost", "getPosts", "buttercmsWebhook"].includes(name)) {
          expect(lazy).toEqual(expect.arrayContaining(["buttercms", "@netlify/functions"]));
        }
        // Resolved as the function resolves them: from the unzipped tree (cwd), not this checkout.
        const { stdout } = await run(
          process.execPath,
          [
            "--input-type=module",
            "-e",
            `const m = await import(${JSON.stringify(pathToFileURL(file).href)});
           for (const spec of ${JSON.stringify(lazy)}) await import(spec);
           console.log(typeof m.default, ${lazy.length})`,
          ],
          { cwd: dir },
        );
        expect(stdout.trim()).toBe(`function ${lazy.length}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it.each(ALL)("keeps %s's own code within its size budget", async (name) => {
    const fn = functions.find((candidate) => candidate.name === name)!;
    const { entries } = await readZip(fn.path);
    const own = Object.entries(entries)
      .filter(([entry]) => !isPlatformEntry(entry))
      .reduce((sum, [, content]) => sum + deflateSync(content, { level: 9 }).byteLength, 0);
    expect(own).toBeLessThanOrEqual(budgetKiB(name) * 1024);
  });
});
