// Golden files: the plugin's output for the examples and every edge-case
// proto, run in-process on a buf-built descriptor set. A change in output
// shows up as a reviewable diff of test/golden/. Rewrite them with
//   UPDATE_GOLDEN=1 npx vitest run test/plugin/golden.test.ts
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { bufImage, edgeProtos, exampleProtos, listFiles, root, runInProcess } from "./helpers.js";

const goldenDir = join(root, "test/golden");
const update = process.env.UPDATE_GOLDEN === "1";

let generated: Map<string, string>;
let protos: string[];

beforeAll(() => {
  protos = [...exampleProtos, ...edgeProtos()];
  const image = bufImage(protos, "golden");
  const res = runInProcess(image, protos, "import_extension=js");
  expect(res.error ?? "").toBe("");
  generated = new Map(res.file.map((f) => [f.name, f.content]));
  if (update) {
    rmSync(goldenDir, { recursive: true, force: true });
    for (const [name, content] of generated) {
      mkdirSync(dirname(join(goldenDir, name)), { recursive: true });
      writeFileSync(join(goldenDir, name), content);
    }
  }
});

describe("golden files", () => {
  it("writes <name>_grpc.ts for exactly the files with services", () => {
    const withServices = protos.filter((p) => !["edge/other/things.proto", "edge/globals_types.proto"].includes(p));
    expect([...generated.keys()].sort()).toEqual(withServices.map((p) => p.replace(/\.proto$/, "_grpc.ts")).sort());
  });

  it("has no stale golden files", () => {
    expect(existsSync(goldenDir)).toBe(true);
    expect(listFiles(goldenDir)).toEqual([...generated.keys()].sort());
  });

  it("matches every golden file", () => {
    for (const [name, content] of generated) {
      expect(content, `${name} differs from test/golden/${name}; rerun with UPDATE_GOLDEN=1 and review the diff`).toBe(
        readFileSync(join(goldenDir, name), "utf8"),
      );
    }
  });
});
