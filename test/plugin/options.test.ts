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
    expect(() => generate("import_extension=js,bogus=1")).toThrow(/invalid option "bogus=1": unknown option "bogus"/);
  });
});
