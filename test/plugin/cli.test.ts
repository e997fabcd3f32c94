// The real bin/protoc-gen-safestub (needs `npm run build`): --version, and
// every failure is one line on stderr, exit status 1 and no output at all,
// both when run directly and under protoc.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { CodeGeneratorRequestSchema, CodeGeneratorResponse_Feature, CodeGeneratorResponseSchema, Edition } from "@bufbuild/protobuf/wkt";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { bufBin, bufGenerate, bufImage, freshDir, listFiles, protocGenerate, root, run, runInProcess, safestubBin, tsProtoOptions } from "./helpers.js";
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

/** Each diagnostic as a user meets it: ts-proto and safestub given the same option list, under protoc and under buf. */
describe("diagnostics under protoc and buf", () => {
  it.each([
    ["unknown keys", ["bogus=1", "import_extention=js"], /^protoc-gen-safestub: unknown options "bogus", "import_extention" \(did you mean import_extension\?\): safestub takes/],
    ["a value protoplugin refuses", ["import_extension=mjs"], /^protoc-gen-safestub: invalid option "import_extension=mjs": accepted: none, js or ts/],
    ["onlyTypes=true", ["onlyTypes=true"], /^protoc-gen-safestub: onlyTypes=true: ts-proto then writes no encode\/decode, which safestub's codecs call; remove onlyTypes=true from ts-proto's options and safestub's$/m],
    ["outputEncodeMethods=false", ["outputEncodeMethods=false"], /^protoc-gen-safestub: outputEncodeMethods=false: safestub's codecs call both encode and decode/],
    ["importSuffix against import_extension", ["import_extension=none"], /^protoc-gen-safestub: invalid option "importSuffix=.js,import_extension=none": importSuffix and import_extension disagree/],
    ["an encode pattern that leaves out an rpc's message", ["outputEncodeIncludeTypes=Reply$"], /^protoc-gen-safestub: outputEncodeIncludeTypes=Reply\$ leaves out helloworld.HelloRequest/],
  ])("%s: one line on stderr, exit 1, no file written by either plugin", (_name, extra, message) => {
    // tsProtoOptions carries importSuffix=.js; the same list goes to both plugins.
    const options = [...tsProtoOptions, ...extra];
    const viaProtoc = freshDir("cli-diagnostics-protoc");
    const p = protocGenerate(viaProtoc, ["helloworld.proto"], options, options);
    expect(p.status).toBe(1);
    const ours = p.stderr.split("\n").filter((line) => line.startsWith("protoc-gen-safestub: "));
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatch(message);
    expect(listFiles(viaProtoc)).toEqual([]);

    const viaBuf = freshDir("cli-diagnostics-buf");
    const b = bufGenerate(viaBuf, ["helloworld.proto"], options, options);
    expect(b.status).toBe(1);
    expect(b.stderr.split("\n").filter((line) => line.startsWith("protoc-gen-safestub: "))).toEqual(ours);
    expect(listFiles(viaBuf)).toEqual([]);
  });

  it("one list in buf.gen.yaml (a YAML anchor) for both plugins generates", () => {
    const out = freshDir("cli-shared-list");
    const template = join(out, "..", "cli-shared-list.buf.gen.yaml");
    writeFileSync(
      template,
      [
        "version: v2",
        "inputs:",
        "  - directory: protos",
        "    paths: [protos/helloworld.proto]",
        "plugins:",
        "  - local: protoc-gen-ts_proto",
        `    out: ${JSON.stringify(out)}`,
        `    opt: &shared ${JSON.stringify([...tsProtoOptions, "messageSuffix=Msg", "fileSuffix=.pb"])}`,
        `  - local: [${JSON.stringify(process.execPath)}, ${JSON.stringify(safestubBin)}]`,
        `    out: ${JSON.stringify(out)}`,
        "    opt: *shared",
        "",
      ].join("\n"),
    );
    const r = run(bufBin, ["generate", "--template", template]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(listFiles(out)).toEqual(["helloworld.pb.ts", "helloworld_grpc.ts"]);
    const grpc = readFileSync(join(out, "helloworld_grpc.ts"), "utf8");
    expect(grpc).toContain('import { HelloReplyMsg, HelloRequestMsg } from "./helloworld.pb.js";');
    expect(readFileSync(join(out, "helloworld.pb.ts"), "utf8")).toContain("export const HelloRequestMsg");
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
