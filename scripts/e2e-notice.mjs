#!/usr/bin/env node
// The end of `npm test`: the browser tests are a separate command, because
// they need Chromium, which a fresh machine may not have.
import { existsSync } from "node:fs";

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
console.log(
  existsSync(chromium)
    ? `Browser tests were not run by npm test: run them with \`npm run test:e2e\` (Chromium found at ${chromium}).`
    : `Browser tests were not run: they need Chromium (\`apt-get install chromium\`, or set CHROMIUM_PATH), then \`npm run test:e2e\`.`,
);
