// The protobuf-es message backend (`messages=protobuf-es`), in-process on a buf-built descriptor
// set: what the generated file imports and how it types what is sent and received. That the
// names are the ones protoc-gen-es exports is checked against its real output in
// protobuf-es-names.test.ts.
import type { FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { beforeAll, describe, expect, it } from "vitest";
import { bufImage, runInProcess } from "./helpers.js";

const target = "edge/nested/v1/nested.proto";
let image: FileDescriptorProto[];

beforeAll(() => {
  image = bufImage([target], "protobuf-es-backend");
});

const generate = (parameter: string) => {
  const res = runInProcess(image, [target], parameter);
  if (res.error) throw new Error(res.error);
  return new Map(res.file.map((f) => [f.name, f.content]));
};
const nested = (parameter: string) => generate(parameter).get("edge/nested/v1/nested_grpc.ts")!;

describe("messages=protobuf-es", () => {
  it("imports protoc-gen-es's schemas and types from its _pb files, and the codec adapter from safestub/protobuf-es", () => {
    const out = nested("import_extension=js,messages=protobuf-es");
    expect(out).toMatch(/^import type \{ [^}]*\bThing\b[^}]*\} from "\.\.\/\.\.\/other\/things_pb\.js";$/m);
    expect(out).toMatch(/^import \{ [^}]*\bThingSchema\b[^}]*\} from "\.\.\/\.\.\/other\/things_pb\.js";$/m);
    // Well-known types come from protobuf-es itself, as protoc-gen-es imports them.
    expect(out).toMatch(/^import \{ [^}]*\bEmptySchema\b[^}]*\} from "@bufbuild\/protobuf\/wkt";$/m);
    expect(out).toContain('import type { MessageInit } from "safestub/protobuf-es";');
    expect(out).not.toContain("MessageInitShape");
    expect(out).toContain('import { protobufEsCodec } from "safestub/protobuf-es";');
    expect(out).not.toContain("tsProtoCodec");
    expect(out).toContain('unaryMethod<Thing, Thing, MessageInit<Thing>, MessageInit<Thing>>("/edge.nested.v1.Names/GetThing", protobufEsCodec(ThingSchema), protobufEsCodec(ThingSchema))');
  });

  it("types what is sent as an init or a message and what is received as the message, on both ends", () => {
    const out = nested("messages=protobuf-es");
    // Client: sends the init shape, receives the message.
    expect(out).toContain("getThing(request: MessageInit<Thing>, options?: CallOptions): Promise<Thing>");
    expect(out).toMatch(/nested\(options\?: CallOptions\): ClientStreamingCall<MessageInit<Outer_Inner_thing>, Outer>/);
    // Handlers: receive the message, send the init shape.
    expect(out).toContain("getThing: UnaryHandler<Thing, MessageInit<Thing>>;");
    expect(out).toMatch(/localNested: BidiStreamingHandler<Local_Inner, MessageInit<Local_Date>>;/);
  });

  it("spells every type out for target=dts (protoplugin writes it without resolving imports)", () => {
    const dts = generate("target=js+dts,messages=protobuf-es").get("edge/nested/v1/nested_grpc.d.ts")!;
    expect(dts).toMatch(/readonly getThing: MethodDefinition<Thing, Thing, "unary", MessageInit<Thing>, MessageInit<Thing>>;/);
    expect(dts).not.toMatch(/\bany\b/);
  });

  it("takes the adapter from runtime_import's /protobuf-es subpath", () => {
    const out = nested("messages=protobuf-es,runtime_import=@acme/safestub");
    expect(out).toContain('import { protobufEsCodec } from "@acme/safestub/protobuf-es";');
    expect(out).toContain('import type { MessageInit } from "@acme/safestub/protobuf-es";');
    expect(out).not.toContain('from "safestub');
  });

  it("applies map_imports, as protoc-gen-es does (refused with ts-proto messages)", () => {
    const out = nested("messages=protobuf-es,import_extension=js,map_imports=edge/other/*:@acme/protos");
    expect(out).toMatch(/ from "@acme\/protos\/edge\/other\/things_pb\.js";$/m);
    expect(() => nested("map_imports=edge/other/*:@acme/protos")).toThrow(/map_imports does not apply to ts-proto messages/);
  });

  it("the default stays ts-proto", () => {
    const out = nested("import_extension=js");
    // The same file apart from the preamble's parameter line.
    const body = (text: string) => text.replace(/^.*with parameter.*\n/m, "");
    expect(body(out)).toBe(body(nested("import_extension=js,messages=ts-proto")));
    expect(out).toContain('from "../../other/things.js"');
    expect(out).not.toContain("_pb");
  });

  it.each([
    ["messages=protobufjs", /messages must be ts-proto \(the default\) or protobuf-es, not "protobufjs"/],
    ["messages=protobuf-es,messages=ts-proto", /messages given twice with different values/],
    // ts-proto's naming options mean nothing to protoc-gen-es's names.
    ["messages=protobuf-es,useSnakeTypeName=false", /unknown option "useSnakeTypeName"/],
  ])("refuses %s", (parameter, message) => {
    expect(() => nested(parameter)).toThrow(message);
  });
});
