// safestub's transpiler for target=js/dts (plugin/transpile.ts) against
// protoplugin's own, on the generated code of every example and edge-case
// proto: the same files, byte for byte, in both import styles; and a
// declaration TypeScript cannot write is one clear error.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createRequire } from "node:module";
import { beforeAll, describe, expect, it } from "vitest";
import type { FileInfo } from "@bufbuild/protoplugin";
import { transpile } from "../../plugin/transpile.js";
import { bufImage, edgeProtos, exampleProtos, runInProcess } from "./helpers.js";

type Transpile = typeof transpile;
let theirs: Transpile;
let sources: FileInfo[];

beforeAll(async () => {
  // protoplugin does not export its transpiler: load the module beside its entry point.
  const entry = createRequire(import.meta.url).resolve("@bufbuild/protoplugin");
  const module = (await import(pathToFileURL(join(entry, "../../esm/transpile.js")).href)) as { transpile: Transpile };
  theirs = module.transpile;
  const protos = [...exampleProtos, ...edgeProtos()];
  sources = runInProcess(bufImage(protos, "transpile"), protos, "target=ts,import_extension=js").file.map((f) => ({ name: f.name, content: f.content }));
}, 60_000);

describe("transpile", () => {
  it.each([
    ["js", true, false, "module"],
    ["js", true, false, "legacy_commonjs"],
    ["dts", false, true, "module"],
    ["js+dts", true, true, "legacy_commonjs"],
  ] as const)("writes what protoplugin's writes: %s (js %s, dts %s), %s", (_target, js, dts, style) => {
    expect(sources.length).toBeGreaterThan(8);
    const byName = (files: FileInfo[]) => Object.fromEntries(files.map((f) => [f.name, f.content]));
    const ours = byName(transpile(sources, js, dts, style));
    expect(Object.keys(ours).length).toBe(sources.length * (js && dts ? 2 : 1));
    expect(ours).toEqual(byName(theirs(sources, js, dts, style)));
  });

  it("names the file, line and TypeScript error when a declaration cannot be written", () => {
    // A name nothing declares, as `Promise` was when protoplugin's transpiler found no standard library.
    const file = { name: "bad_grpc.ts", content: "export class Client {\n  get(): Missing<number> {\n    return null!;\n  }\n}\n" };
    expect(() => transpile([file], true, true, "module")).toThrow(
      "cannot transpile to js+dts: bad_grpc.ts(2): TS4055 Return type of public method from exported class has or is using private name 'Missing'; target=ts gives the TypeScript source",
    );
    // Promise is the standard library's.
    const good = { name: "good_grpc.ts", content: "export class Client {\n  get(): Promise<number> {\n    return Promise.resolve(1);\n  }\n}\n" };
    expect(transpile([good], false, true, "module")[0]!.content).toContain("get(): Promise<number>;");
  });
});
