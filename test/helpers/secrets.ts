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
