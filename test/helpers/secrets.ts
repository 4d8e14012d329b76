import { expect } from "vitest";
import { TEST_TOKEN } from "./butter.ts";
import { consoleLines } from "./console.ts";

/** Secrets used by tests; none may appear in a response or a log line. */
export const TEST_SECRETS = {
  token: TEST_TOKEN,
  password: "correct horse battery staple",
  sessionSecret: "s3ss10n-s3cr3t-0123456789abcdefghijklmnop",
  webhookSecret: "whsec_9d8c7b6a5f4e3d2c1b0a",
};

export function expectNoSecrets(response: { text: string; headers: Headers }): void {
  const values = Object.values(TEST_SECRETS);
  const headerText = [...response.headers.entries()].map(([name, value]) => `${name}: ${value}`).join("\n");
  for (const secret of values) {
    expect(response.text).not.toContain(secret);
    expect(headerText).not.toContain(secret);
    for (const line of consoleLines) expect(line).not.toContain(secret);
  }
}

type Fault = { status: number; code: string; retryAfter?: string };

/** What every endpoint must answer to a ButterCMS fault: the contract's status and code, a problem that is never cached, `Retry-After` passed on, and no secret anywhere. */
export function expectFaultAnswer(
  res: { status: number; text: string; headers: Headers; json: Record<string, unknown> },
  fault: Fault,
): void {
  expect(res.status).toBe(fault.status);
  expect(res.json.code).toBe(fault.code);
  expect(res.headers.get("Content-Type")).toBe("application/problem+json");
  expect(res.headers.get("Cache-Control")).toBe("private, no-store");
  expect(res.headers.get("Netlify-CDN-Cache-Control")).toBeNull();
  expect(res.headers.get("Retry-After")).toBe(fault.retryAfter ?? null);
  expectNoSecrets(res);
}
