/**
 * Everything that boots `npm start` or `netlify dev`, in one file: every
 * `netlify dev` of this checkout builds its functions into the same
 * `.netlify/functions-serve/` folder, so only one may run at a time. As one
 * file it runs on one worker, one boot after another, while the in-process
 * files run beside it. A boot costs about 9 s and 13 CPU-seconds, so the
 * suites that can share a configuration share one boot; the rest boot
 * their own, in this order.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe } from "vitest";
import { type DevServer, startNetlifyDev } from "../../tools/netlify-dev.ts";
import { TEST_SECRETS } from "../helpers/secrets.ts";
import { contentLayerTests } from "./content-layer.suite.ts";
import { otherConfigurationTests, sampleBlogTests } from "./netlify-dev.suite.ts";
import { newcomerTests } from "./newcomer.suite.ts";
import { smokeTests } from "./smoke.suite.ts";

const BOOT_WAIT_MS = 90_000;

describe("npm start with the sample blog, preview sessions, a webhook secret and ButterCMS faults on demand", () => {
  const faultFile = join(mkdtempSync(join(tmpdir(), "fault-")), "fault");
  let server: DevServer | undefined;
  beforeAll(async () => {
    writeFileSync(faultFile, "");
    server = await startNetlifyDev(
      {
        PREVIEW_PASSWORD: TEST_SECRETS.password,
        SESSION_SECRET: TEST_SECRETS.sessionSecret,
        WEBHOOK_SECRET: TEST_SECRETS.webhookSecret,
        SAMPLE_FAULT_FILE: faultFile,
      },
      { timeoutMs: BOOT_WAIT_MS },
    );
  }, BOOT_WAIT_MS + 10_000);
  afterAll(async () => {
    await server?.stop();
  });
  const dev = () => {
    if (!server) throw new Error("the shared npm start did not boot");
    return server;
  };

  describe("the sample blog and preview sessions", () => sampleBlogTests(dev));
  describe("npm run smoke", () => smokeTests(dev, TEST_SECRETS.webhookSecret));
  // Last on this boot: it unpublishes posts.
  describe("ButterCMS faults on demand", () => contentLayerTests(dev, faultFile));
});

otherConfigurationTests();
newcomerTests();
