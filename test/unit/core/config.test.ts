/**
 * When the configuration is read: on every call in plain Node (tests stub
 * variables between requests), once per instance where Netlify's runtime
 * runs the function (its bootstrap sets the `Netlify` global; a deploy's
 * variables never change under a running instance).
 */
import { afterEach, describe, expect, it, vi } from "vitest";

const fresh = async () => {
  vi.resetModules();
  return (await import("../../../src/core/config.ts")).getConfig;
};

afterEach(() => {
  delete (globalThis as { Netlify?: unknown }).Netlify;
});

describe("getConfig", () => {
  it("reads the variables again on every call outside Netlify's runtime", async () => {
    const getConfig = await fresh();
    vi.stubEnv("CDN_MAX_AGE", "60");
    expect(getConfig().cdn).toMatchObject({ maxAge: 60 });
    vi.stubEnv("CDN_MAX_AGE", "120");
    expect(getConfig().cdn).toMatchObject({ maxAge: 120 });
  });

  it("reads them once per instance under Netlify's runtime", async () => {
    (globalThis as { Netlify?: unknown }).Netlify = { env: { get: (name: string) => process.env[name] } };
    const getConfig = await fresh();
    vi.stubEnv("CDN_MAX_AGE", "60");
    const first = getConfig();
    expect(first.cdn).toMatchObject({ maxAge: 60 });
    vi.stubEnv("CDN_MAX_AGE", "120");
    expect(getConfig()).toBe(first);
  });
});
