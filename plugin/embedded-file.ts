import { clone, toBinary, type DescFile } from "@bufbuild/protobuf";
import { base64Encode } from "@bufbuild/protobuf/wire";
import * as wkt from "@bufbuild/protobuf/wkt";

/**
 * The files safestub/reflection takes from @bufbuild/protobuf/wkt at run
 * time (the well-known types, descriptor.proto, plugin.proto, the features
 * files), so generated code does not embed them.
 */
export const runtimeShippedFiles: ReadonlySet<string> = new Set(
  Object.entries(wkt)
    .filter(([key]) => key.startsWith("file_"))
    .map(([, file]) => (file as DescFile).proto.name),
);

/** Each file's base64, once per run: shared imports (google/api/*.proto) are embedded in many files. */
const encoded = new WeakMap<DescFile, string>();

function base64Of(file: DescFile): string {
  let text = encoded.get(file);
  if (text === undefined) {
    const proto = clone(wkt.FileDescriptorProtoSchema, file.proto);
    proto.sourceCodeInfo = undefined;
    text = base64Encode(toBinary(wkt.FileDescriptorProtoSchema, proto));
    encoded.set(file, text);
  }
  return text;
}

/**
 * The serialized FileDescriptorProtos reflection needs for a service of
 * `file`: the file and its transitive imports (breadth first, the file
 * itself first), but runtimeShippedFiles, each without source info (comments
 * and spans, which reflection clients do not use and grpc-go does not embed),
 * as base64, by file name.
 */
export function embeddedProtos(file: DescFile): Record<string, string> {
  const protos: Record<string, string> = {};
  const queue = [file];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const name = next.proto.name;
    if (name in protos || runtimeShippedFiles.has(name)) continue;
    protos[name] = base64Of(next);
    queue.push(...next.dependencies);
  }
  return protos;
}

/** The `FooService.file` literal: `{ name, protos }`, one file per line. */
export function embeddedFileLiteral(file: DescFile): string {
  const entries = Object.entries(embeddedProtos(file)).map(([name, bytes]) => `      ${JSON.stringify(name)}: "${bytes}",\n`);
  return `{\n    name: ${JSON.stringify(file.proto.name)},\n    protos: {\n${entries.join("")}    },\n  }`;
}
