import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** The file that boots `netlify dev` is the longest by far: it starts first, so the rest run beside it. */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const first = (spec: TestSpecification) => (spec.moduleId.includes("/test/integration/") ? 0 : 1);
    return sorted.sort((a, b) => first(a) - first(b));
  }
}

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/helpers/setup.ts"],
    // Vitest's default on 2 cores is one worker; most files here wait on I/O (timers, child
    // processes, local servers). test/integration/npm-start.test.ts boots `netlify dev` on one of them.
    maxWorkers: 3,
    sequence: { sequencer: LongestFirst },
    testTimeout: 15_000,
    hookTimeout: 90_000,
    unstubEnvs: true,
    restoreMocks: true,
  },
});
