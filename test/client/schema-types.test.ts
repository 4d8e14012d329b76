/**
 * client/schema.d.ts is generated from openapi.json and committed: this test
 * regenerates it into a temporary file (offline) and fails when the
 * committed one differs, i.e. when someone changed the document and forgot
 * `npm run client:types`.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const CLI = join(ROOT, "node_modules", "openapi-typescript", "bin", "cli.js");

it("client/schema.d.ts is what openapi-typescript generates from openapi.json", async () => {
  const dir = await mkdtemp(join(tmpdir(), "client-types-"));
  try {
    const generated = join(dir, "schema.d.ts");
    await promisify(execFile)(process.execPath, [CLI, "openapi.json", "-o", generated], {
      cwd: ROOT,
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", CI: "true" },
      timeout: 60_000,
    });
    const committed = await readFile(join(ROOT, "client", "schema.d.ts"), "utf8");
    expect(
      committed === (await readFile(generated, "utf8")),
      "client/schema.d.ts is out of date: run `npm run client:types` and commit it",
    ).toBe(true);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);
