/**
 * Previews in the sample blog out of the box, never in a deploy: where the
 * ButterCMS emulation is loaded (scripts/sample-loader.mjs under plain
 * `netlify dev`; `npm start` is covered in test/integration/newcomer.suite.ts)
 * an unset PREVIEW_PASSWORD or SESSION_SECRET gets its demo value; a
 * deployed function, which loads neither script, still answers `503
 * auth_not_configured` without them.
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import authHandler from "../../functions/auth.mts";
import getPosts from "../../functions/getPosts.mts";
import { DEMO_PREVIEW } from "../../scripts/sample-preload.mjs";
import { invoke } from "../helpers/invoke.ts";

const ROOT = join(import.meta.dirname, "..", "..");

/** PREVIEW_PASSWORD and SESSION_SECRET as a function worker sees them after the loader ran. */
async function afterLoader(env: Record<string, string>): Promise<{ password?: string; secret?: string }> {
  const clean: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      "--import=./scripts/sample-loader.mjs",
      "-e",
      "console.log(JSON.stringify({ password: process.env.PREVIEW_PASSWORD, secret: process.env.SESSION_SECRET }))",
    ],
    { cwd: ROOT, env: { ...clean, ...env }, timeout: 60_000 },
  );
  return JSON.parse(stdout.trim().split("\n").at(-1) as string);
}

describe("a deploy without PREVIEW_PASSWORD and SESSION_SECRET", () => {
  it("answers a login with the demo password 503 auth_not_configured", async () => {
    const res = await invoke(authHandler, "/api/auth", {
      method: "POST",
      body: JSON.stringify({ password: DEMO_PREVIEW.PREVIEW_PASSWORD }),
      headers: { "Content-Type": "application/json" },
    });
    expect(res.status).toBe(503);
    expect(res.json.code).toBe("auth_not_configured");
    expect(res.text).not.toContain(DEMO_PREVIEW.PREVIEW_PASSWORD);
    expect(res.headers.get("Set-Cookie")).toBeNull();
  });

  it("answers preview=1 503 auth_not_configured", async () => {
    const res = await invoke(getPosts, "/api/posts?preview=1");
    expect(res.status).toBe(503);
    expect(res.json.code).toBe("auth_not_configured");
  });

  it("cannot get the demo values: no function or src/ file reaches the scripts that hold them", () => {
    const files = (dir: string): string[] =>
      readdirSync(join(ROOT, dir)).flatMap((name) => {
        const path = join(dir, name);
        return statSync(join(ROOT, path)).isDirectory() ? files(path) : [path];
      });
    for (const file of [...files("functions"), ...files("src")]) {
      const text = readFileSync(join(ROOT, file), "utf8");
      expect(text, file).not.toMatch(/sample-preload|sample-loader|scripts\//);
      for (const value of Object.values(DEMO_PREVIEW)) expect(text, file).not.toContain(value);
    }
  });
});

describe("the sample loader of plain `netlify dev`", () => {
  it("gives unset preview settings their demo values when it serves the sample blog", async () => {
    expect(await afterLoader({})).toEqual({
      password: DEMO_PREVIEW.PREVIEW_PASSWORD,
      secret: DEMO_PREVIEW.SESSION_SECRET,
    });
    // .env.example's empty lines count as unset, as src/core/config.ts counts them.
    expect(await afterLoader({ PREVIEW_PASSWORD: "", SESSION_SECRET: "" })).toEqual({
      password: DEMO_PREVIEW.PREVIEW_PASSWORD,
      secret: DEMO_PREVIEW.SESSION_SECRET,
    });
  }, 60_000);

  it("keeps values that are set", async () => {
    expect(await afterLoader({ PREVIEW_PASSWORD: "editors only" })).toEqual({
      password: "editors only",
      secret: DEMO_PREVIEW.SESSION_SECRET,
    });
  }, 60_000);

  it("sets nothing when a ButterCMS token is set (live content and its drafts)", async () => {
    expect(await afterLoader({ BUTTERCMS_API_TOKEN: "a-live-token" })).toEqual({});
  }, 60_000);

  it("gives a demo SESSION_SECRET long enough for src/core/config.ts (32 bytes)", () => {
    expect(new TextEncoder().encode(DEMO_PREVIEW.SESSION_SECRET).byteLength).toBeGreaterThanOrEqual(32);
  });
});
