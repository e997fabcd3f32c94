// safestub must import exactly the names and paths protoc-gen-es exports. The real protoc-gen-es
// (node_modules/.bin, v2) runs on the examples and every edge-case proto (buf generate) and on the
// corpus slice; then, for every message of every file it was given (nested ones too), the names the
// protobuf-es backend computes (the type `Foo`, the schema `FooSchema` of the codec and of the init
// type, and the module they come from) must be exported by protoc-gen-es's file at that path, the
// schema typed with that very message type. tsc checks the rpc types in e2e.test.ts and
// corpus.test.ts; this also covers the messages no rpc uses.
import { create, fromBinary } from "@bufbuild/protobuf";
import { nestedTypes } from "@bufbuild/protobuf/reflect";
import { CodeGeneratorRequestSchema, type FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { createEcmaScriptPlugin, type ImportSymbol, type Printable } from "@bufbuild/protoplugin";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { protobufEsBackend } from "../../plugin/messages/protobuf-es.js";
import { corpusImage, messagePlugins, runMessagePlugin, sliceDirs, sliceRequest, writeFiles } from "./corpus.js";
import { bufGenerate, bufImage, edgeProtos, exampleProtos, freshDir, protocGenEsOptions } from "./helpers.js";

interface ComputedNames {
  typeName: string;
  /** The type the backend imports, and from where (relative to the output root, or a package). */
  type: string;
  from: string;
  /** The schema the codec takes. */
  codecSchema: string;
  /** The message type the init type (`MessageInit<Foo>`) is over: it must be `type`. */
  inputShape: string;
}

const symbol = (p: Printable): ImportSymbol => {
  if (typeof p !== "object" || p === null || Array.isArray(p) || !("kind" in p) || p.kind !== "es_symbol") throw new Error(`not an import: ${String(p)}`);
  return p;
};

/** What the protobuf-es backend imports for every message of every file in the request, computed in a real protoplugin run. */
function computedNames(protoFile: FileDescriptorProto[], fileToGenerate: string[]): ComputedNames[] {
  const backend = protobufEsBackend.create({});
  const out: ComputedNames[] = [];
  const probe = createEcmaScriptPlugin({
    name: "names-probe",
    version: "v0",
    generateTs(schema) {
      const f = schema.generateFile("probe.ts");
      for (const file of schema.allFiles) {
        for (const desc of nestedTypes(file)) {
          if (desc.kind !== "message") continue;
          const type = symbol(backend.messageType(f, desc));
          const codec = backend.messageCodec(f, desc, "safestub") as Printable[];
          const input = backend.messageInputType!(f, desc, "safestub") as Printable[];
          out.push({ typeName: desc.typeName, type: type.name, from: type.from, codecSchema: symbol(codec[2]!).name, inputShape: symbol(input[2]!).name });
        }
      }
    },
  });
  const res = probe.run(create(CodeGeneratorRequestSchema, { fileToGenerate, parameter: "target=ts", protoFile }));
  expect(res.error ?? "").toBe("");
  return out;
}

const escape = (name: string) => name.replace(/\$/g, "\\$");

/** The names that protoc-gen-es's output under `dir` (or the package, for well-known types) does not export as computed. */
async function missingExports(dir: string, names: ComputedNames[]): Promise<string[]> {
  const sources = new Map<string, string | undefined>();
  const missing: string[] = [];
  for (const n of names) {
    const where = `${n.typeName} as ${n.type}/${n.codecSchema} from ${n.from}`;
    if (n.type !== n.inputShape) missing.push(`${where}: the init type names ${n.inputShape}`);
    if (!n.from.startsWith("./")) {
      // A well-known type: protobuf-es ships it (the type is erased; the schema must be exported).
      const module = (await import(n.from)) as Record<string, unknown>;
      if (!(n.codecSchema in module)) missing.push(`${where}: not exported by ${n.from}`);
      continue;
    }
    const path = join(dir, n.from.replace(/^\.\//, "").replace(/\.js$/, ".ts"));
    if (!sources.has(path)) sources.set(path, existsSync(path) ? readFileSync(path, "utf8") : undefined);
    const source = sources.get(path);
    if (source === undefined) missing.push(`${where}: protoc-gen-es wrote no ${path}`);
    else if (!new RegExp(`^export type ${escape(n.type)} = Message<"${n.typeName.replace(/\./g, "\\.")}">`, "m").test(source)) missing.push(`${where}: no type ${n.type}`);
    else if (!new RegExp(`^export const ${escape(n.codecSchema)}: GenMessage<${escape(n.type)}[,>]`, "m").test(source)) missing.push(`${where}: no schema ${n.codecSchema} of ${n.type}`);
  }
  return missing;
}

describe("safestub imports what protoc-gen-es exports", () => {
  it("for the examples and every edge-case proto (nested, reserved words, clashes, packageless, proto2, editions)", async () => {
    const protos = [...exampleProtos, ...edgeProtos()];
    const dir = freshDir("protobuf-es-names/edge");
    const r = bufGenerate(dir, protos, protocGenEsOptions, ["import_extension=js", "messages=protobuf-es"], "protobuf-es");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const names = computedNames(bufImage(protos, "protobuf-es-names"), protos);
    expect(names.length).toBeGreaterThan(40);
    // The edge protos do make protoc-gen-es rename: reserved words and clashes get a `$` (the check is not vacuous).
    expect(names.filter((n) => n.type.includes("$") || n.codecSchema.includes("$")).length).toBeGreaterThan(0);
    expect(names.some((n) => n.type.includes("_"))).toBe(true);
    expect(await missingExports(dir, names)).toEqual([]);
  }, 120_000);

  it("for every message of the corpus slice", async () => {
    const slice = sliceRequest(corpusImage(sliceDirs), sliceDirs.map((d) => `${d}/`));
    const dir = freshDir("protobuf-es-names/corpus");
    writeFiles(dir, runMessagePlugin(messagePlugins["protobuf-es"], slice.request).files);
    const request = fromBinary(CodeGeneratorRequestSchema, slice.request);
    const names = computedNames(request.protoFile, request.fileToGenerate);
    expect(names.length).toBeGreaterThan(1000);
    expect(await missingExports(dir, names)).toEqual([]);
  }, 300_000);

  it("finds a name protoc-gen-es does not export (the check can fail)", async () => {
    const dir = freshDir("protobuf-es-names/edge");
    const r = bufGenerate(dir, ["helloworld.proto"], protocGenEsOptions, ["import_extension=js", "messages=protobuf-es"], "protobuf-es");
    expect(r.status).toBe(0);
    const wrong: ComputedNames = { typeName: "helloworld.HelloRequest", type: "HelloRequest", from: "./helloworld_pb.js", codecSchema: "HelloRequest$Schema", inputShape: "HelloRequest" };
    expect(await missingExports(dir, [wrong, { ...wrong, codecSchema: "HelloRequestSchema", from: "./hello_pb.js" }])).toEqual([
      "helloworld.HelloRequest as HelloRequest/HelloRequest$Schema from ./helloworld_pb.js: no schema HelloRequest$Schema of HelloRequest",
      expect.stringMatching(/^helloworld\.HelloRequest as HelloRequest\/HelloRequestSchema from \.\/hello_pb\.js: protoc-gen-es wrote no .*hello_pb\.ts$/),
    ]);
  }, 120_000);
});
