import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/helpers/setup.ts"],
    // Integration files boot `netlify dev`; everything else is in-process.
    testTimeout: 15_000,
    hookTimeout: 90_000,
    unstubEnvs: true,
    restoreMocks: true,
  },
});
