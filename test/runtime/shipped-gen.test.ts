// The services the runtime ships have their generated code checked in, under runtime/health/gen/ and
// runtime/reflection/gen/ (see runtime/health/index.ts, runtime/reflection/index.ts). This fails when
// a copy is not what safestub's plugin and ts-proto generate now from its protos with its buf
// template: regenerate it with `npm run generate:health` or `npm run generate:reflection`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bufBin, freshDir, listFiles, root, run } from "../plugin/helpers.js";

const shipped = [
  { service: "health", template: "buf.gen.health.yaml", script: "generate:health", files: ["grpc/health/v1/health.ts", "grpc/health/v1/health_grpc.ts"] },
  {
    service: "reflection",
    template: "buf.gen.reflection.yaml",
    script: "generate:reflection",
    files: ["grpc/reflection/v1/reflection.ts", "grpc/reflection/v1/reflection_grpc.ts", "grpc/reflection/v1alpha/reflection.ts", "grpc/reflection/v1alpha/reflection_grpc.ts"],
  },
];

describe.each(shipped)("runtime/$service/gen", ({ service, template, script, files }) => {
  it(`is what \`npm run ${script}\` generates now`, () => {
    const out = freshDir(`${service}-gen`);
    const r = run(bufBin, ["generate", "--template", template, "-o", out]);
    expect(r.status, r.stderr).toBe(0);
    const fresh = join(out, `runtime/${service}/gen`);
    const checkedIn = join(root, `runtime/${service}/gen`);
    expect(listFiles(fresh)).toEqual(files);
    expect(listFiles(checkedIn)).toEqual(files);
    for (const file of files) expect(readFileSync(join(checkedIn, file), "utf8"), `${file} is stale: run npm run ${script}`).toBe(readFileSync(join(fresh, file), "utf8"));
  });
});
