// safestub must import exactly the names and paths ts-proto exports. Real
// ts-proto and the real plugin run (buf generate) on the examples and every
// edge-case proto under each name- or path-changing ts-proto option, with the
// same values given to both plugins; then tsc (TypeScript 7, for speed) checks
// the result: a wrong import name or path is a compile error.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { typecheck } from "./corpus.js";
import { bufGenerate, bufImage, edgeProtos, exampleProtos, freshDir, listFiles, parseTsProtoOptions, root, runInProcess, tsProtoOptions } from "./helpers.js";
import { create, createFileRegistry, type DescEnum, type DescMessage } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema, type FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { nestedTypes } from "@bufbuild/protobuf/reflect";
import { tsProtoTypeName } from "../../plugin/messages/ts-proto.js";

const protos = [...exampleProtos, ...edgeProtos()];

/** ts-proto options that change names or paths; each list is given to both plugins. */
const variants: Record<string, string[]> = {
  defaults: [],
  "useSnakeTypeName=false, fileSuffix=.pb": ["useSnakeTypeName=false", "fileSuffix=.pb"],
  "snakeToCamel=false, type and message affixes": ["snakeToCamel=false", "typePrefix=T", "typeSuffix=Type", "messagePrefix=P", "messageSuffix=Msg"],
  "snakeToCamel=json, useSnakeTypeName=false": ["snakeToCamel=json", "useSnakeTypeName=false"],
};

function generateAndCheck(name: string, tsProtoOpts: string[], safestubOpts: string[]) {
  const dir = freshDir(`compat/${name.replace(/[^\w.-]+/g, "_")}`);
  const r = bufGenerate(dir, protos, tsProtoOpts, safestubOpts);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const roots = listFiles(dir, "_grpc.ts");
  expect(roots.length).toBeGreaterThan(5);
  return { dir, roots, tsc: typecheck(dir, roots, "7") };
}

/** Every message and enum declared in the example and edge protos (nested ones too). */
function declaredTypes(): (DescMessage | DescEnum)[] {
  const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: bufImage(protos, "compat-names") }));
  const out: (DescMessage | DescEnum)[] = [];
  for (const name of protos) {
    for (const t of nestedTypes(registry.getFile(name)!)) if (t.kind === "message" || t.kind === "enum") out.push(t);
  }
  return out;
}

describe("safestub imports what ts-proto exports", () => {
  let types: (DescMessage | DescEnum)[];
  beforeAll(() => {
    types = declaredTypes();
  });

  it.each(Object.entries(variants))("%s", (_name, opts) => {
    // One list for both plugins, as the README says (importSuffix included: safestub maps it to import_extension).
    const list = [...tsProtoOptions, ...opts];
    const { dir, tsc } = generateAndCheck(_name, list, list);
    expect(tsc.output).toBe("");
    expect(tsc.errors).toBe(0);
    // Beyond the rpc types tsc sees: every message and enum name safestub computes is one ts-proto exports.
    const options = parseTsProtoOptions(opts);
    expect(types.length).toBeGreaterThan(40);
    for (const t of types) {
      const source = readFileSync(join(dir, `${t.file.name}${options.fileSuffix}.ts`), "utf8");
      expect(source, `${t.typeName} as ${tsProtoTypeName(t, options)}`).toMatch(new RegExp(`^export (interface|enum) ${tsProtoTypeName(t, options).replace(/\$/g, "\\$")} \\{`, "m"));
    }
  }, 120_000);

  it("fails to compile when the options disagree (the check can fail)", () => {
    const { tsc } = generateAndCheck("mismatch", [...tsProtoOptions, "useSnakeTypeName=false"], ["import_extension=js"]);
    expect(tsc.errors).toBeGreaterThan(0);
    expect(tsc.output).toMatch(/has no exported member named 'Outer_InnerThing'|Outer_InnerThing/);
  }, 120_000);

  // Reads the output of the "useSnakeTypeName=false, fileSuffix=.pb" case above (tests in a file run in order).
  it("fileSuffix=.pb imports foo.pb.js next to ts-proto's foo.pb.ts", () => {
    const dir = join(root, "out/plugin-tests/compat/useSnakeTypeName_false_fileSuffix_.pb");
    expect(listFiles(dir)).toContain("helloworld.pb.ts");
    expect(readFileSync(join(dir, "helloworld_grpc.ts"), "utf8")).toContain('from "./helloworld.pb.js"');
  });
});

describe("import mappings (ts-proto's M option)", () => {
  let image: FileDescriptorProto[];
  beforeAll(() => {
    image = bufImage(["edge/nested/v1/nested.proto"], "compat-m");
  });

  it("imports a mapped file's messages from the given module", () => {
    const res = runInProcess(image, ["edge/nested/v1/nested.proto"], "import_extension=js,Medge/other/things.proto=@acme/things,Mgoogle/protobuf/empty.proto=@acme/wkt/empty");
    const content = res.file[0]!.content;
    expect(content).toMatch(/import \{ DateMessage, fooBar, [^}]*\} from "@acme\/things";/);
    expect(content).toContain('import { Empty } from "@acme/wkt/empty";');
    expect(content).toContain('from "./nested.js"');
  });
});
