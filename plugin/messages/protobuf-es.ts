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
  create: (): MessageBackend => ({
    // protoc-gen-es writes only `<file>_pb.*`, which never ends like safestub's `_grpc.*`.
    checkOutputs: () => {},
    messageType: (f, message) => f.importShape(message),
    messageInputType: (f, message) => [f.import("MessageInitShape", "@bufbuild/protobuf", true), "<typeof ", f.importSchema(message, true), ">"],
    messageCodec: (f, message, runtimeImport) => [f.import("protobufEsCodec", `${runtimeImport}/protobuf-es`), "(", f.importSchema(message), ")"],
    // protoc-gen-es already writes the file's descriptor (`file_foo`, with its imports'): reflection reads it.
    fileDescriptor: (f, file) => f.importSchema(file),
  }),
};
