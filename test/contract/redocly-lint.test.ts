/**
 * openapi.json against Redocly's linter (the recommended ruleset plus the
 * rules in redocly.yaml), offline: telemetry and the update check are off.
 * Zero errors and zero warnings; a rule that has to be switched off goes in
 * redocly.yaml with its reason.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const CLI = join(ROOT, "node_modules", "@redocly", "cli", "bin", "cli.js");
const CONFIG = join(ROOT, "redocly.yaml");

interface LintReport {
  totals: { errors: number; warnings: number; ignored: number };
  problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
}

/** Runs `redocly lint --format=json` on one file; the exit code is 1 when it finds errors. */
async function lint(file: string): Promise<LintReport> {
  const env = {
    ...process.env,
    REDOCLY_TELEMETRY: "off",
    REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
    CI: "true",
    NO_COLOR: "1",
  };
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(
      process.execPath,
      [CLI, "lint", file, "--config", CONFIG, "--format=json"],
      { cwd: ROOT, env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
    ));
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; code?: unknown };
    if (!failed.stdout) throw new Error(`redocly lint failed (${failed.code}): ${failed.stderr}`);
    stdout = failed.stdout;
  }
  return JSON.parse(stdout) as LintReport;
}

const summary = (report: LintReport) =>
  report.problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`).join("\n");

describe("redocly lint openapi.json", () => {
  it("reports no error and no warning", async () => {
    const report = await lint(join(ROOT, "openapi.json"));
    expect(report.totals.errors, summary(report)).toBe(0);
    expect(report.totals.warnings, summary(report)).toBe(0);
  });

  it("reports an error for a broken copy (the check can fail)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "redocly-lint-"));
    try {
      const document = JSON.parse(await readFile(join(ROOT, "openapi.json"), "utf8"));
      delete document.paths["/api/posts"].get.security;
      document.paths["/api/posts"].get.responses["404"] = {
        description: "Not a problem document.",
        content: { "text/plain": { schema: { type: "string" } } },
      };
      const broken = join(dir, "openapi.json");
      await writeFile(broken, JSON.stringify(document));
      const report = await lint(broken);
      const rules = report.problems.filter((p) => p.severity === "error").map((p) => p.ruleId);
      expect(rules).toContain("security-defined");
      expect(rules).toContain("operation-4xx-problem-details-rfc7807");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
