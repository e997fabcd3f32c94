import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * Test tiers, one vitest project each (`npm run test:unit`, `test:integration`, `test:contract`;
 * `npm test` runs them all):
 * - unit: in-process, no sockets, no tsc: the handles over scripted ports and the in-memory
 *   transport, the plugin's names, options, view model and golden files. Seconds.
 * - integration: grpc-js over loopback, child processes, protoc and buf, the corpus.
 * - contract: what users meet: the type contract and lint rule (tsc), README blocks, the package
 *   tarball, examples, interop with grpc-js.
 */
/** The handle-level suites: one source, run in memory by the unit tier and over grpc-js by the integration tier. */
const handleSuites = ["test/runtime/sender.test.ts", "test/runtime/receiver.test.ts", "test/runtime/server.test.ts", "test/runtime/unary.test.ts", "test/runtime/client-interceptors.test.ts", "test/runtime/server-interceptors.test.ts", "test/runtime/rich-errors.test.ts"];

/**
 * Suites written once for both message backends: they import generated code as `@backend/<name>.js`,
 * which each project maps to test/backends/ts-proto or, in the protobuf-es project, to
 * test/backends/protobuf-es (gen/protobuf-es, messages=protobuf-es).
 */
const bothBackends = [
  "test/examples.test.ts",
  "test/runtime/sender.test.ts",
  "test/runtime/receiver.test.ts",
  "test/runtime/server.test.ts",
  "test/runtime/unary.test.ts",
  "test/runtime/cancellation.test.ts",
  "test/runtime/client-interceptors.test.ts",
  "test/runtime/server-interceptors.test.ts",
  "test/runtime/rich-errors.test.ts",
  "test/runtime/channel.test.ts",
  "test/runtime/processes.test.ts",
  "test/unit/in-memory.test.ts",
  "test/helloworld.test.ts",
  "test/integration/bad-requests.test.ts",
  "test/integration/bad-responses.test.ts",
  "test/integration/batched-responses.test.ts",
  "test/integration/cancel-storm.test.ts",
  "test/integration/compression.test.ts",
  "test/integration/drain-race.test.ts",
  "test/integration/fault-matrix.test.ts",
  "test/integration/opentelemetry.test.ts",
  "test/integration/reset-after-headers.test.ts",
  "test/integration/tls-default.test.ts",
];
const backendAlias = (messages: "ts-proto" | "protobuf-es") => ({
  alias: [{ find: /^@backend\/(.*)\.js$/, replacement: `${fileURLToPath(new URL(`./test/backends/${messages}/`, import.meta.url))}$1.ts` }],
});

const tiers = {
  unit: [
    "test/unit/**/*.test.ts",
    ...handleSuites,
    "test/runtime/layers.test.ts",
    "test/plugin/names.test.ts",
    "test/plugin/options.test.ts",
    "test/plugin/golden.test.ts",
    "test/plugin/template.test.ts",
    "test/plugin/ts-proto-backend.test.ts",
    "test/plugin/protobuf-es-backend.test.ts",
  ],
  integration: ["test/integration/**/*.test.ts", "test/runtime/**/*.test.ts", "test/plugin/**/*.test.ts", "test/helloworld.test.ts"],
  contract: ["test/type-contract.test.ts", "test/eslint-rule.test.ts", "test/readme.test.ts", "test/readme-setup.test.ts", "test/package.test.ts", "test/examples.test.ts", "test/interop.test.ts"],
};

export default defineConfig({
  resolve: {
    // Generated code imports "safestub": point it at the runtime sources under test. Exact matches,
    // so "safestub/testing" does not become runtime/index.ts/testing.
    alias: [
      { find: /^safestub\/protobuf-es$/, replacement: fileURLToPath(new URL("./runtime/protobuf-es/index.ts", import.meta.url)) },
      { find: /^safestub\/health$/, replacement: fileURLToPath(new URL("./runtime/health/index.ts", import.meta.url)) },
      { find: /^safestub\/reflection$/, replacement: fileURLToPath(new URL("./runtime/reflection/index.ts", import.meta.url)) },
      { find: /^safestub\/testing$/, replacement: fileURLToPath(new URL("./runtime/testing.ts", import.meta.url)) },
      { find: /^safestub\/opentelemetry$/, replacement: fileURLToPath(new URL("./runtime/opentelemetry/index.ts", import.meta.url)) },
      { find: /^safestub$/, replacement: fileURLToPath(new URL("./runtime/index.ts", import.meta.url)) },
    ],
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // 2 cores: keep parallel files few so timing-sensitive network tests stay stable.
    maxWorkers: 2,
    projects: [
      { extends: true, resolve: backendAlias("ts-proto"), test: { name: "unit", include: tiers.unit, env: { SAFESTUB_TEST_TRANSPORT: "in-memory" } } },
      {
        extends: true,
        resolve: backendAlias("ts-proto"),
        test: { name: "integration", include: tiers.integration, exclude: tiers.unit.filter((f) => !handleSuites.includes(f)), env: { SAFESTUB_TEST_TRANSPORT: "grpc-js" } },
      },
      // One group after another: the protobuf-es run of the handle suites repeats the integration tier's deadline and
      // cancellation races, which should not share the machine with their own ts-proto run; the contract tier's
      // scratch projects (npm installs, tsc) load the machine most, so they come last.
      { extends: true, resolve: backendAlias("protobuf-es"), test: { name: "protobuf-es", include: bothBackends, env: { SAFESTUB_TEST_MESSAGES: "protobuf-es", SAFESTUB_TEST_TRANSPORT: "grpc-js" }, sequence: { groupOrder: 1 } } },
      { extends: true, resolve: backendAlias("ts-proto"), test: { name: "contract", include: tiers.contract, sequence: { groupOrder: 2 } } },
    ],
  },
});
