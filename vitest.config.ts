import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Generated code imports "safestub": point it at the runtime sources under test. Exact matches,
    // so "safestub/testing" does not become runtime/index.ts/testing.
    alias: [
      { find: /^safestub\/testing$/, replacement: fileURLToPath(new URL("./runtime/testing.ts", import.meta.url)) },
      { find: /^safestub$/, replacement: fileURLToPath(new URL("./runtime/index.ts", import.meta.url)) },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // 2 cores: keep parallel files few so timing-sensitive network tests stay stable.
    maxWorkers: 2,
  },
});
