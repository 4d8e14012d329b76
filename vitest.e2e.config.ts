import { defineConfig } from "vitest/config";

/** Browser tests (`npm run test:e2e`): headless Chromium against `netlify dev`. */
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.ts"],
    testTimeout: 30_000,
    hookTimeout: 90_000,
    fileParallelism: false,
  },
});
