// protoplugin's standard options and safestub's own, in-process on a
// buf-built descriptor set.
import { clone, create, equals, fromBinary } from "@bufbuild/protobuf";
import { base64Decode } from "@bufbuild/protobuf/wire";
import { FileDescriptorProtoSchema, type FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { beforeAll, describe, expect, it } from "vitest";
import { bufImage, runInProcess } from "./helpers.js";

const target = "edge/nested/v1/nested.proto";
let image: FileDescriptorProto[];

beforeAll(() => {
  image = bufImage([target, "helloworld.proto"], "options");
});

const generate = (parameter: string, files = [target]) => {
  const res = runInProcess(image, files, parameter);
  return new Map(res.file.map((f) => [f.name, f.content]));
};

describe("options", () => {
  it("defaults to target=ts", () => {
    expect([...generate("").keys()]).toEqual(["edge/nested/v1/nested_grpc.ts"]);
  });

  it("target=js+dts transpiles the same file", () => {
    const out = generate("target=js+dts,import_extension=js");
    expect([...out.keys()].sort()).toEqual(["edge/nested/v1/nested_grpc.d.ts", "edge/nested/v1/nested_grpc.js"]);
    expect(out.get("edge/nested/v1/nested_grpc.js")).toContain("export class NamesClient");
    const dts = out.get("edge/nested/v1/nested_grpc.d.ts")!;
    expect(dts).toMatch(/getThing\(request: Thing, options\?: CallOptions\): Promise<Thing>;/);
    // protoplugin writes the .d.ts without resolving imports: every exported type must be spelled out, never `any`.
    expect(dts).toMatch(/readonly getThing: MethodDefinition<Thing, Thing, "unary">;/);
    expect(dts).not.toMatch(/\bany\b/);
    // A later run in the same process is not affected (protoplugin's plugin object keeps state; ours does not).
    expect([...generate("").keys()]).toEqual(["edge/nested/v1/nested_grpc.ts"]);
  });

  it("import_extension decides the extension of relative imports only", () => {
    const none = generate("import_extension=none").get("edge/nested/v1/nested_grpc.ts")!;
    expect(none).toContain('from "../../other/things"');
    expect(none).toContain('from "safestub"');
    const js = generate("import_extension=js").get("edge/nested/v1/nested_grpc.ts")!;
    expect(js).toContain('from "../../other/things.js"');
  });

  it("ts-proto's importSuffix gives the same output as the matching import_extension", () => {
    const viaSuffix = generate("importSuffix=.js").get("edge/nested/v1/nested_grpc.ts")!;
    const viaExtension = generate("import_extension=js").get("edge/nested/v1/nested_grpc.ts")!;
    expect(viaSuffix).toBe(viaExtension);
  });

  it("runtime_import changes where the runtime comes from", () => {
    const out = generate("runtime_import=@acme/safestub").get("edge/nested/v1/nested_grpc.ts")!;
    expect(out).toContain('from "@acme/safestub"');
    expect(out).not.toContain('from "safestub"');
  });

  it("ts_nocheck and elide_plugin_version shape the preamble", () => {
    const out = generate("ts_nocheck=true,elide_plugin_version=true", ["helloworld.proto"]).get("helloworld_grpc.ts")!;
    expect(out).toContain("// @ts-nocheck");
    expect(out).not.toMatch(/protoc-gen-safestub v\d/);
  });

  it("refuses to write over the file ts-proto writes for a foo_grpc.proto", () => {
    const proto = (name: string, withService: boolean) =>
      create(FileDescriptorProtoSchema, {
        name,
        syntax: "proto3",
        package: name.replace(/\W/g, ""),
        messageType: [{ name: "M" }],
        service: withService ? [{ name: "S", method: [{ name: "Get", inputType: `.${name.replace(/\W/g, "")}.M`, outputType: `.${name.replace(/\W/g, "")}.M` }] }] : [],
      });
    const files = [proto("clash.proto", true), proto("clash_grpc.proto", false)];
    expect(() => runInProcess(files, ["clash.proto", "clash_grpc.proto"], "")).toThrow(
      "clash.proto: safestub would write clash_grpc.ts, which ts-proto writes for clash_grpc.proto; rename one of the two files or give both plugins a fileSuffix",
    );
    expect(runInProcess(files, ["clash.proto"], "fileSuffix=.pb").file.map((f) => f.name)).toEqual(["clash_grpc.ts"]);
    // Under target=dts safestub writes clash_grpc.d.ts: that is what ts-proto writes for a clash_grpc.d.proto.
    const dtsClash = [proto("clash.proto", true), proto("clash_grpc.d.proto", false)];
    expect(() => runInProcess(dtsClash, ["clash.proto", "clash_grpc.d.proto"], "target=dts")).toThrow("safestub would write clash_grpc.d.ts, which ts-proto writes for clash_grpc.d.proto");
    expect(runInProcess(dtsClash, ["clash.proto"], "target=js").file.map((f) => f.name)).toEqual(["clash_grpc.js"]);
  });

  it("reflection (default true) embeds the file's descriptors and its imports' in the service definition; reflection=false leaves them out", async () => {
    const on = generate("").get("edge/nested/v1/nested_grpc.ts")!;
    const literal = /\n  file: \{\n    name: "edge\/nested\/v1\/nested\.proto",\n    protos: \{\n((?:      "[^"]+": "[A-Za-z0-9+/=]+",\n)+)    \},\n  \},\n/.exec(on);
    expect(literal, on).not.toBeNull();
    const protos = [...literal![1]!.matchAll(/"([^"]+)": "([^"]+)"/g)].map((m) => ({ name: m[1]!, proto: fromBinary(FileDescriptorProtoSchema, base64Decode(m[2]!)) }));
    // The file first, then its imports breadth first; each as the compiler gave it, without source info.
    expect(protos.map((p) => p.name)).toEqual(["edge/nested/v1/nested.proto", "edge/other/things.proto"]);
    for (const { name, proto } of protos) {
      const given = clone(FileDescriptorProtoSchema, image.find((f) => f.name === name)!);
      given.sourceCodeInfo = undefined;
      expect(equals(FileDescriptorProtoSchema, proto, given), name).toBe(true);
    }
    expect(on).toMatch(/readonly file: EmbeddedFile \}/);
    expect(on).toMatch(/import type \{[^}]*\bEmbeddedFile\b[^}]*\} from "safestub"/);

    const off = generate("reflection=false").get("edge/nested/v1/nested_grpc.ts")!;
    expect(off).not.toContain("EmbeddedFile");
    expect(off).not.toMatch(/\bfile: /);
    // Nothing else changes: the client and handlers are the same text.
    const withoutFile = (text: string) => text.slice(text.indexOf("export class NamesClient")).replaceAll("; readonly file: EmbeddedFile }", " }").replace(/\n {2}file: \w+\.file,/g, "");
    expect(off.slice(off.indexOf("export class NamesClient"))).toBe(withoutFile(on));
    expect(() => generate("reflection=yes")).toThrow(/invalid option "reflection=yes": reflection takes true or false, not "yes"/);
  });

  it("an unknown option fails the run with the option named", () => {
    expect(() => generate("import_extension=js,bogus=1")).toThrow(/^unknown option "bogus": safestub takes protoplugin's options, runtime_import, and ts-proto's options/);
  });

  it("names every unknown key in one message, with the option each is probably a typo of", () => {
    expect(() => generate("bogus=1,import_extention=js,outputServicez=false")).toThrow(
      `unknown options "bogus", "import_extention" (did you mean import_extension?), "outputServicez" (did you mean outputServices?): safestub takes protoplugin's options, runtime_import, and ts-proto's options (see "Plugin options" in safestub's README)`,
    );
  });

  it("takes every ts-proto option, so both plugins can be given one list", () => {
    const shared = "outputServices=false,esModuleInterop=true,importSuffix=.js,env=node,outputJsonMethods=false,forceLong=bigint,useDate=string,oneof=unions,outputIndex=true";
    // The header names the parameter: compare the code below it.
    const code = (parameter: string) => generate(parameter).get("edge/nested/v1/nested_grpc.ts")!.split("/* eslint-disable */")[1];
    expect(code(shared)).toBe(code("import_extension=js"));
    expect(code(shared)).toContain("export class NamesClient");
  });

  it.each([
    ["import_extension=mjs", `invalid option "import_extension=mjs": accepted: none, js or ts (also "", .js, .ts), to match ts-proto's importSuffix`],
    ["target=go+js", `invalid option "target=go+js": accepted: ts, js, dts, or several joined by +, like js+dts`],
    ["js_import_style=cjs", `invalid option "js_import_style=cjs": accepted: module or legacy_commonjs (it shapes target=js only)`],
    ["keep_empty_files=yes", `invalid option "keep_empty_files=yes": accepted: true or false`],
    ["rewrite_imports=foo", `invalid option "rewrite_imports=foo": accepted: <pattern>:<target>, like rewrite_imports=./foo/**/*_pb.js:@scope/foo`],
  ])("says which values protoplugin's %s accepts", (parameter, message) => {
    expect(() => generate(parameter)).toThrow(message);
  });

  it("lists every problem of one parameter, protoplugin's and safestub's, in one message", () => {
    expect(() => generate("ts_nocheck=yes,useSnakeTypeName=maybe,bogus,runtime_import=")).toThrow(
      `invalid option "ts_nocheck=yes": accepted: true or false; unknown option "bogus": safestub takes protoplugin's options, runtime_import, and ts-proto's options (see "Plugin options" in safestub's README); invalid option "useSnakeTypeName=maybe": useSnakeTypeName must be true or false; invalid option "runtime_import=": runtime_import needs a module specifier, e.g. runtime_import=safestub`,
    );
  });

  it.each([
    ["onlyTypes=true", "onlyTypes=true: ts-proto then writes no encode/decode, which safestub's codecs call; remove onlyTypes=true from ts-proto's options and safestub's"],
    ["outputEncodeMethods=false", "outputEncodeMethods=false: safestub's codecs call both encode and decode, which ts-proto writes only with outputEncodeMethods=true (the default); remove outputEncodeMethods=false from ts-proto's options and safestub's"],
    ["outputEncodeMethods=encode-no-creation", "outputEncodeMethods=encode-no-creation: safestub's codecs call both encode and decode"],
    ["nestJs=true", "nestJs=true: ts-proto then writes no encode/decode, which safestub's codecs call; give both plugins outputEncodeMethods=true (or outputServices=false) as well"],
    ["importSuffix=.js,import_extension=none", `invalid option "importSuffix=.js,import_extension=none": importSuffix and import_extension disagree: importSuffix=.js is import_extension=js; give safestub the importSuffix you give ts-proto, or the matching import_extension, not both`],
    ["outputEncodeIncludeTypes=^helloworld\\.HelloReply$", "outputEncodeIncludeTypes=^helloworld\\.HelloReply$ leaves out helloworld.HelloRequest, which an rpc sends or receives: ts-proto would give it an empty encode; make the pattern match it, for ts-proto and safestub"],
    ["outputDecodeIncludeTypes=[", `invalid option "outputDecodeIncludeTypes=[": outputDecodeIncludeTypes must be a regular expression`],
  ])("refuses ts-proto's %s, which would leave safestub without working codecs, and says what to change", (parameter, message) => {
    expect(() => generate(parameter, ["helloworld.proto"])).toThrow(message);
  });

  it("accepts the ts-proto options that keep encode/decode", () => {
    for (const parameter of ["nestJs=true,outputServices=false", "nestJs=true,outputEncodeMethods=true", "onlyTypes=false", "outputEncodeIncludeTypes=^helloworld\\.", "outputDecodeIncludeTypes=Hello"]) {
      expect([...generate(parameter, ["helloworld.proto"]).keys()], parameter).toEqual(["helloworld_grpc.ts"]);
    }
  });
});
