// The runtime's entry points have one list, the `exports` of packages/safestub/package.json (what
// users' imports resolve through; scripts/build-packages.mjs builds each one's ESM wrapper). The dev
// workspace names them again where it cannot read that list: the root package.json's `exports` (the
// self-reference examples/ and interop/ resolve through), tsconfig.json `paths`, the vitest aliases
// and the README checker's `paths`. This test says which of those a new entry point is missing from.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import config from "../../vitest.config.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const json = (path: string) => JSON.parse(readFileSync(join(root, path), "utf8")) as Record<string, unknown>;

type Conditions = { import: { default: string }; require: { default: string } };
const published = Object.entries(json("packages/safestub/package.json").exports as Record<string, string | Conditions>).filter(
  (entry): entry is [string, Conditions] => typeof entry[1] !== "string",
);
/** Each entry point's specifier and source file: "safestub/health" → "runtime/health/index.ts". */
const entries = published.map(([subpath, target]) => ({
  specifier: `safestub${subpath.slice(1)}`,
  subpath,
  source: target.require.default.replace(/^\.\/dist\/cjs\//, "").replace(/\.js$/, ".ts"),
}));
// The lint rule is imported by path in the tests (test/eslint-rule.test.ts), not through "safestub/eslint".
const runtimeEntries = entries.filter((e) => e.specifier !== "safestub/eslint");

describe("the runtime's entry points", () => {
  it("are the published package's exports, each built from a source file", () => {
    expect(entries.map((e) => e.specifier)).toEqual(expect.arrayContaining(["safestub", "safestub/testing", "safestub/opentelemetry", "safestub/health", "safestub/eslint"]));
    for (const { source } of entries) expect(() => readFileSync(join(root, source)), source).not.toThrow();
  });

  it("are the root package.json's exports too, on the same sources", () => {
    const rootExports = json("package.json").exports as Record<string, string | { default: string }>;
    expect(Object.keys(rootExports).filter((k) => k !== "./package.json").sort()).toEqual(entries.map((e) => e.subpath).sort());
    for (const { subpath, source } of entries) {
      const target = rootExports[subpath]!;
      expect(typeof target === "string" ? target : target.default, subpath).toBe(`./dist/${source.replace(/\.ts$/, ".js")}`);
    }
  });

  it("are mapped to their sources by tsconfig.json paths, the vitest aliases and the README checker", () => {
    const paths = (json("tsconfig.json").compilerOptions as { paths: Record<string, string[]> }).paths;
    // `@backend/*` picks the message backend's generated code for the suites written once for both; the rest are the runtime's.
    expect(Object.keys(paths).filter((k) => k !== "@backend/*").sort()).toEqual(runtimeEntries.map((e) => e.specifier).sort());
    for (const { specifier, source } of runtimeEntries) expect(paths[specifier], specifier).toEqual([`./${source}`]);

    const aliases = (config.resolve?.alias ?? []) as { find: RegExp; replacement: string }[];
    for (const { specifier, source } of runtimeEntries) {
      const matching = aliases.filter((a) => a.find.test(specifier));
      expect(matching.length, `one vitest alias for ${specifier}`).toBe(1);
      expect(matching[0]!.replacement, specifier).toBe(join(root, source));
    }
    expect(aliases.length).toBe(runtimeEntries.length);

    const readmeChecker = readFileSync(join(root, "test/readme.test.ts"), "utf8");
    for (const { specifier, source } of runtimeEntries) expect(readmeChecker, specifier).toContain(`${JSON.stringify(specifier).replace(/^"safestub"$/, "safestub")}: ["../../${source}"]`);
  });
});

describe("the packages' versions", () => {
  it("are the dev workspace's version: the generated code and the runtime it imports are released together", () => {
    const version = json("package.json").version;
    expect(json("packages/safestub/package.json").version).toBe(version);
    expect(json("packages/protoc-gen-safestub/package.json").version).toBe(version);
    expect((json("packages/protoc-gen-safestub/package.json").peerDependencies as Record<string, string>).safestub).toBe(version);
  });
});
