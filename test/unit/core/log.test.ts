import { describe, expect, it } from "vitest";
import { log, registerSecret } from "../../../src/core/log.ts";
import { annotateLogContext, withLogContext } from "../../../src/core/log-context.ts";
import { consoleLines } from "../../helpers/console.ts";

const SECRET = 'tok"en\\with-quotes-0123456789';
registerSecret(SECRET);

const lines = () => consoleLines.map((line) => JSON.parse(line) as Record<string, unknown>);

describe("log", () => {
  it("writes one JSON object per line: level, event, message, then the event's fields", () => {
    log("warn", "purge.owed", "Netlify CDN purge failed;\nrecording it", { tags: ["posts"] });
    expect(consoleLines).toHaveLength(1);
    expect(consoleLines[0]).not.toContain("\n");
    expect(lines()[0]).toEqual({
      level: "warn",
      event: "purge.owed",
      message: "Netlify CDN purge failed;\nrecording it",
      tags: ["posts"],
    });
    expect(Object.keys(lines()[0] as object).slice(0, 3)).toEqual(["level", "event", "message"]);
  });

  it("gives every line of an invocation its function and request id, background work included", async () => {
    let background: Promise<void> | undefined;
    await withLogContext({ function: "getPost", requestId: "01REQ" }, async () => {
      annotateLogContext({ locale: "es", slug: "hello" });
      log("info", "webhook.applied", "now");
      background = new Promise((resolve) => setTimeout(resolve, 5)).then(() =>
        log("info", "purge.completed", "after the answer"),
      );
    });
    await withLogContext({ function: "getPosts", requestId: "02REQ" }, async () => {
      log("info", "index.first_build", "another invocation meanwhile");
    });
    await background;
    log("info", "reconcile.run", "outside any invocation");
    expect(
      lines().map((line) => [line.event, line.function, line.requestId, line.locale, line.slug]),
    ).toEqual([
      ["webhook.applied", "getPost", "01REQ", "es", "hello"],
      ["index.first_build", "getPosts", "02REQ", undefined, undefined],
      ["purge.completed", "getPost", "01REQ", "es", "hello"],
      ["reconcile.run", undefined, undefined, undefined, undefined],
    ]);
  });

  it("lets an event's own locale and slug win over the request's", async () => {
    await withLogContext({ function: "buttercmsWebhook", requestId: "r" }, async () => {
      annotateLogContext({ locale: "en", slug: "a" });
      log("warn", "reconcile.drift", "x", { locale: "es", slug: "b" });
    });
    expect(lines()[0]).toMatchObject({ locale: "es", slug: "b" });
  });

  it.each([
    ["a registered secret in the message", () => log("error", "butter.failed", `rejected ${SECRET}`)],
    [
      "a registered secret in a nested field",
      () => log("warn", "copy.share_failed", "x", { a: { b: [SECRET] } }),
    ],
    [
      "a registered secret in an error's message",
      () => log("error", "request.failed", "x", { error: new Error(`bad token ${SECRET}`) }),
    ],
    [
      "ButterCMS's auth_token in a URL",
      () =>
        log(
          "error",
          "butter.failed",
          "GET https://api.buttercms.com/v2/posts/?auth_token=abc123def456&page=2",
        ),
    ],
    [
      "a session token (JWT)",
      () =>
        log("warn", "session.sweep_failed", "x", {
          error: "eyJhbGciOiJIUzI1NiJ9.eyJqdGkiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ",
        }),
    ],
    ["a Bearer token", () => log("warn", "webhook.refused", "Authorization: Bearer s3cr3t-status-token")],
    [
      "an e-mail address in an error's message",
      () =>
        log("error", "butter.failed", "x", { error: new Error("author ada.okafor@example.com not found") }),
    ],
  ])("never writes %s", (_name, write) => {
    write();
    const [line] = consoleLines;
    expect(line).toBeDefined();
    for (const leak of [
      SECRET,
      JSON.stringify(SECRET).slice(1, -1),
      "abc123def456",
      "eyJhbGciOiJIUzI1NiJ9",
      "s3cr3t-status-token",
      "ada.okafor@example.com",
    ]) {
      expect(line).not.toContain(leak);
    }
    expect(line).toMatch(/\[redacted\]|\[email\]/);
    expect(() => JSON.parse(line as string)).not.toThrow();
  });

  it("keeps ordinary text as it is", () => {
    log("info", "reconcile.run", "Reconciliation run", {
      report: { locales: [{ locale: "default", calls: 1 }] },
    });
    expect(lines()[0]).toMatchObject({ report: { locales: [{ locale: "default", calls: 1 }] } });
  });
});
