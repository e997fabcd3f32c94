import type { DescMessage } from "@bufbuild/protobuf";
import type { GeneratedFile, ImportSymbol } from "@bufbuild/protoplugin";
import type { MessageBackend, MessageBackendFactory } from "./backend.js";

/**
 * Messages from protoc-gen-es v2 (`messages=protobuf-es`): `foo_pb.ts` exports
 * the schema `FooSchema` (a value, for the codec) and the type `Foo`.
 *
 * The names and paths are not re-implemented: protoplugin's `importSchema` and
 * `importShape` are the very functions protoc-gen-es names its exports with
 * (nested `Outer_Inner`, reserved words, `$`-suffixed clashes, packageless
 * files, well-known types from `@bufbuild/protobuf/wkt`, map_imports), so
 * safestub imports exactly what protoc-gen-es exports for the same protoplugin.
 */
export const protobufEsBackend: MessageBackendFactory<Record<string, never>> = {
  defaultOptions: () => ({}),
  // protoc-gen-es's own options (json_types, valid_types, erasable_syntax) change no name safestub imports: it takes none.
  parseOption: () => false,
  create: (): MessageBackend => {
    // Each importShape/importSchema recomputes every name of the message's file (protoplugin's
    // allNames), and a file's services name the same messages many times: ask once per message and file.
    const shapes = memo((f, m) => f.importShape(m));
    const schemas = memo((f, m) => f.importSchema(m));
    return {
      // protoc-gen-es writes only `<file>_pb.*`, which never ends like safestub's `_grpc.*`.
      checkOutputs: () => {},
      messageType: shapes,
      // MessageInit<Foo> is protobuf-es's MessageInitShape<typeof FooSchema>, cheaper to type-check (runtime/protobuf-es).
      messageInputType: (f, message, runtimeImport) => [f.import("MessageInit", `${runtimeImport}/protobuf-es`, true), "<", shapes(f, message), ">"],
      messageCodec: (f, message, runtimeImport) => [f.import("protobufEsCodec", `${runtimeImport}/protobuf-es`), "(", schemas(f, message), ")"],
      // protoc-gen-es already writes the file's descriptor (`file_foo`, with its imports'): reflection reads it.
      fileDescriptor: (f, file) => f.importSchema(file),
    };
  },
};

function memo(make: (f: GeneratedFile, message: DescMessage) => ImportSymbol): (f: GeneratedFile, message: DescMessage) => ImportSymbol {
  const byFile = new WeakMap<GeneratedFile, Map<DescMessage, ImportSymbol>>();
  return (f, message) => {
    let known = byFile.get(f);
    if (!known) byFile.set(f, (known = new Map()));
    let symbol = known.get(message);
    if (!symbol) known.set(message, (symbol = make(f, message)));
    return symbol;
  };
}
