// The real bin/protoc-gen-safestub (needs `npm run build`): --version, and
// every failure is one line on stderr, exit status 1 and no output at all,
// both when run directly and under protoc.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { CodeGeneratorRequestSchema, CodeGeneratorResponse_Feature, CodeGeneratorResponseSchema, Edition } from "@bufbuild/protobuf/wkt";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { bufImage, freshDir, listFiles, protocGenerate, root, run, runInProcess, safestubBin, tsProtoOptions } from "./helpers.js";
import type { FileDescriptorProto } from "@bufbuild/protobuf/wkt";

const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
let image: FileDescriptorProto[];

beforeAll(() => {
  image = bufImage(["helloworld.proto"], "cli");
});

/** Runs the bin on a CodeGeneratorRequest for helloworld.proto with `parameter`. */
function runBin(parameter: string, input?: Uint8Array) {
  const request = input ?? toBinary(CodeGeneratorRequestSchema, create(CodeGeneratorRequestSchema, { fileToGenerate: ["helloworld.proto"], parameter, protoFile: image }));
  return run(process.execPath, [safestubBin], { input: request });
}

function expectOneLineFailure(r: ReturnType<typeof runBin>, message: RegExp) {
  expect(r.status).toBe(1);
  expect(r.stdout).toBe("");
  expect(r.stderr.endsWith("\n")).toBe(true);
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(r.stderr).toMatch(/^protoc-gen-safestub: /);
  expect(r.stderr).toMatch(message);
}

describe("protoc-gen-safestub", () => {
  it("prints its version", () => {
    const r = run(process.execPath, [safestubBin, "--version"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`protoc-gen-safestub v${version}\n`);
  });

  it("generates from a real CodeGeneratorRequest on stdin", () => {
    const request = toBinary(CodeGeneratorRequestSchema, create(CodeGeneratorRequestSchema, { fileToGenerate: ["helloworld.proto"], parameter: "import_extension=js", protoFile: image }));
    const r = spawnSync(process.execPath, [safestubBin], { input: request, timeout: 60_000 });
    expect(r.stderr.toString()).toBe("");
    expect(r.status).toBe(0);
    const res = fromBinary(CodeGeneratorResponseSchema, r.stdout);
    expect(res.error ?? "").toBe("");
    expect(res.file.map((f) => f.name)).toEqual(["helloworld_grpc.ts"]);
    expect(res.file[0]!.content).toContain("export class GreeterClient");
  });

  it.each([
    ["bogus=1", /unknown option "bogus": safestub takes/],
    ["import_extension=mjs", /invalid option "import_extension=mjs": accepted: none, js or ts/],
    ["target=go", /invalid option "target=go": accepted: ts, js, dts, or several joined by \+/],
    ["useSnakeTypeName=maybe", /useSnakeTypeName must be true or false/],
    ["onlyTypes=true", /onlyTypes=true: ts-proto then writes no encode\/decode/],
    ["importSuffix=.mjs", /importSuffix "", ".js" or ".ts"/],
    ["importSuffix=.js,import_extension=none", /disagree/],
  ])("refuses %s with one line, exit 1 and no output", (parameter, message) => {
    expectOneLineFailure(runBin(parameter), message);
  });

  it("refuses a request that is not a CodeGeneratorRequest", () => {
    expectOneLineFailure(runBin("", new Uint8Array([0xff, 0xff, 0xff, 0x0a, 0x01])), /stdin is not a CodeGeneratorRequest/);
  });

  it("refuses a request naming a file it does not carry", () => {
    const request = toBinary(CodeGeneratorRequestSchema, create(CodeGeneratorRequestSchema, { fileToGenerate: ["missing.proto"], protoFile: image }));
    expectOneLineFailure(runBin("", request), /missing\.proto/);
  });

  it("refuses arguments other than --version", () => {
    const r = run(process.execPath, [safestubBin, "--help"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("under protoc, a bad option fails the run and writes no file", () => {
    const out = freshDir("cli-protoc-bad-option");
    const r = protocGenerate(out, ["helloworld.proto"], tsProtoOptions, ["import_extension=js", "bogus=1"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/protoc-gen-safestub: unknown option "bogus"/);
    // protoc writes nothing when any plugin fails, not even the companion's files.
    expect(listFiles(out)).toEqual([]);
  });
});

describe("response", () => {
  it("declares proto3 optional and editions support, so protoc and buf pass every file", () => {
    const res = runInProcess(image, ["helloworld.proto"], "");
    const features = Number(res.supportedFeatures);
    expect(features & CodeGeneratorResponse_Feature.PROTO3_OPTIONAL).toBeTruthy();
    expect(features & CodeGeneratorResponse_Feature.SUPPORTS_EDITIONS).toBeTruthy();
    expect(res.maximumEdition).toBeGreaterThanOrEqual(Edition.EDITION_2023);
  });
});
