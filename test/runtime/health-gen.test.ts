// The health service's generated code is checked in under runtime/health/gen/ (it ships with the
// runtime; see runtime/health/index.ts). This fails when that copy is not what safestub's plugin
// and ts-proto generate now from protos/grpc/health/v1/health.proto with buf.gen.health.yaml:
// regenerate it with `npm run generate:health`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bufBin, freshDir, listFiles, root, run } from "../plugin/helpers.js";

describe("runtime/health/gen", () => {
  it("is what `npm run generate:health` generates now", () => {
    const out = freshDir("health-gen");
    const r = run(bufBin, ["generate", "--template", "buf.gen.health.yaml", "-o", out]);
    expect(r.status, r.stderr).toBe(0);
    const fresh = join(out, "runtime/health/gen");
    const checkedIn = join(root, "runtime/health/gen");
    const files = listFiles(fresh);
    expect(files).toEqual(["grpc/health/v1/health.ts", "grpc/health/v1/health_grpc.ts"]);
    expect(listFiles(checkedIn)).toEqual(files);
    for (const file of files) expect(readFileSync(join(checkedIn, file), "utf8"), `${file} is stale: run npm run generate:health`).toBe(readFileSync(join(fresh, file), "utf8"));
  });
});
