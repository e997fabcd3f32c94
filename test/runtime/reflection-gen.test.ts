// The reflection service's generated code is checked in under runtime/reflection/gen/ (it ships with
// the runtime; see runtime/reflection/index.ts). This fails when that copy is not what safestub's
// plugin and ts-proto generate now from the vendored reflection protos with buf.gen.reflection.yaml:
// regenerate it with `npm run generate:reflection`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bufBin, freshDir, listFiles, root, run } from "../plugin/helpers.js";

describe("runtime/reflection/gen", () => {
  it("is what `npm run generate:reflection` generates now", () => {
    const out = freshDir("reflection-gen");
    const r = run(bufBin, ["generate", "--template", "buf.gen.reflection.yaml", "-o", out]);
    expect(r.status, r.stderr).toBe(0);
    const fresh = join(out, "runtime/reflection/gen");
    const checkedIn = join(root, "runtime/reflection/gen");
    const files = listFiles(fresh);
    expect(files).toEqual([
      "grpc/reflection/v1/reflection.ts",
      "grpc/reflection/v1/reflection_grpc.ts",
      "grpc/reflection/v1alpha/reflection.ts",
      "grpc/reflection/v1alpha/reflection_grpc.ts",
    ]);
    expect(listFiles(checkedIn)).toEqual(files);
    for (const file of files) expect(readFileSync(join(checkedIn, file), "utf8"), `${file} is stale: run npm run generate:reflection`).toBe(readFileSync(join(fresh, file), "utf8"));
  });
});
