/**
 * A newcomer's first hour, through real HTTP on one `npm start` boot with
 * no preview settings: it says where it listens and what the demo password
 * is, previews work with that password, and the typed client, packed as a
 * tarball and installed into an empty project (none of the backend's
 * dependencies), type-checks and runs against it.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishedPosts, unpublishedPosts } from "../../sample/data.ts";
import { DEMO_PREVIEW } from "../../scripts/sample-preload.mjs";
import { ROOT } from "../../tools/netlify-build.ts";
import { call, type DevServer, startNetlifyDev } from "../../tools/netlify-dev.ts";

const run = promisify(execFile);
const BOOT_WAIT_MS = 90_000;
const draft = unpublishedPosts.find((post) => post.status === "draft")!;

export function newcomerTests() {
  describe("a newcomer on npm start", () => {
    let server: DevServer;
    beforeAll(async () => {
      server = await startNetlifyDev({}, { timeoutMs: BOOT_WAIT_MS });
    }, BOOT_WAIT_MS + 10_000);
    afterAll(async () => {
      await server?.stop();
    });

    describe("npm start with the sample blog and no preview settings", () => {
      it("prints its address, the demo password and the example command", () => {
        const output = server.output();
        expect(output).toContain(
          `serving the SAMPLE blog (no BUTTERCMS_API_TOKEN set) on http://localhost:${server.port}`,
        );
        expect(output).toContain(`log in with the demo password "${DEMO_PREVIEW.PREVIEW_PASSWORD}"`);
        expect(output).toContain(`BLOG_API_URL=http://localhost:${server.port} npm run example`);
        expect(output).not.toContain(DEMO_PREVIEW.SESSION_SECRET);
      });

      it("logs in with the demo password and previews drafts; a wrong one is 401", async () => {
        const wrong = await call(server, "/api/auth", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ password: "not the demo one" }),
        });
        expect(wrong.status).toBe(401);
        expect(wrong.json.code).toBe("invalid_credentials");

        const login = await call(server, "/api/auth", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ password: DEMO_PREVIEW.PREVIEW_PASSWORD }),
        });
        expect(login.status, login.text).toBe(200);
        const authorization = { Authorization: `Bearer ${login.json.token as string}` };
        const preview = await call(server, "/api/posts?preview=1&page_size=100", { headers: authorization });
        expect(preview.status).toBe(200);
        expect((preview.json.data as { slug: string }[]).map((post) => post.slug)).toContain(draft.slug);
        expect(preview.headers.get("cache-control")).toBe("private, no-store");
        expect(server.output()).not.toContain(login.json.token as string);
      });
    });

    describe("the client package, packed and installed on its own", () => {
      let project: string;
      beforeAll(async () => {
        project = await mkdtemp(join(tmpdir(), "blog-client-user-"));
      });
      afterAll(async () => {
        await rm(project, { recursive: true, force: true });
      });

      it("installs from its tarball with openapi-fetch as its only dependency, type-checks a use and runs it", async () => {
        const npm = {
          cwd: project,
          timeout: 120_000,
          env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false" },
        };
        const { stdout: packed } = await run(
          "npm",
          ["pack", join(ROOT, "client"), "--pack-destination", project],
          npm,
        );
        const tarball = packed.trim().split("\n").at(-1) as string;
        expect(tarball).toMatch(/^butter-netlify-blog-client-\d+\.\d+\.\d+\.tgz$/);

        await writeFile(
          join(project, "package.json"),
          JSON.stringify({ name: "blog-client-user", private: true, type: "module" }),
        );
        await run("npm", ["install", "--prefer-offline", `./${tarball}`], npm);
        const installed = (await readdir(join(project, "node_modules"))).filter(
          (name) => !name.startsWith("."),
        );
        expect(installed.sort()).toEqual([
          "butter-netlify-blog-client",
          "openapi-fetch",
          "openapi-typescript-helpers",
        ]);
        const shipped = readdirSync(join(project, "node_modules", "butter-netlify-blog-client")).sort();
        expect(shipped).toEqual(["README.md", "index.d.ts", "index.js", "package.json", "schema.d.ts"]);

        await writeFile(
          join(project, "use.ts"),
          `import { BlogApiError, createBlogClient, type Post } from "butter-netlify-blog-client";

  const blog = createBlogClient({ baseUrl: process.env.BLOG_API_URL ?? "" });
  const page = await blog.listPosts({ page_size: 3, exclude_body: false });
  const first: Post | undefined = page.data[0];
  // @ts-expect-error page_size is a number: the package's types are in force
  await blog.listPosts({ page_size: "three" }).catch(() => undefined);
  let code: string | null = null;
  try {
    await blog.getPost("no-such-post");
  } catch (error) {
    if (error instanceof BlogApiError) code = error.code;
  }
  console.log(JSON.stringify({ count: page.meta.count, slug: first?.slug, hasBody: typeof first?.body, code }));
  `,
        );
        // process.env without @types/node: declare just that.
        await writeFile(
          join(project, "env.d.ts"),
          "declare const process: { env: Record<string, string | undefined> };\n",
        );
        await writeFile(
          join(project, "tsconfig.json"),
          JSON.stringify({
            compilerOptions: {
              target: "ES2022",
              module: "NodeNext",
              moduleResolution: "NodeNext",
              lib: ["ES2022", "DOM"],
              types: [],
              strict: true,
              outDir: "dist",
            },
            files: ["use.ts", "env.d.ts"],
          }),
        );
        const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
        const checked = await run(process.execPath, [tsc, "-p", project], {
          cwd: project,
          timeout: 60_000,
        }).catch((error: { stdout?: string }) => ({ stdout: `tsc failed:\n${error.stdout ?? ""}` }));
        expect(checked.stdout).toBe("");
        expect(existsSync(join(project, "dist", "use.js"))).toBe(true);

        const { stdout } = await run(process.execPath, [join(project, "dist", "use.js")], {
          cwd: project,
          env: { ...process.env, BLOG_API_URL: server.url },
          timeout: 30_000,
        }).catch((error: Error) => {
          // What the server logged says why it answered an error.
          throw new Error(`${error.message}\nnetlify dev output (tail):\n${server.output().slice(-3000)}`);
        });
        expect(JSON.parse(stdout.trim())).toEqual({
          count: publishedPosts.length,
          slug: publishedPosts[0]!.slug,
          hasBody: "string",
          code: "not_found",
        });
      }, 180_000);
    });
  });
}
