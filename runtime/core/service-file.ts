/**
 * EmbeddedFile is what safestub's plugin embeds in a generated service
 * definition (`FooService.file`) so that server reflection can describe the
 * service: the serialized FileDescriptorProto of the .proto file that
 * declares it and of every file that file imports, directly or not, but the
 * well-known types (google/protobuf/*.proto), which the runtime takes from
 * @bufbuild/protobuf. It is used in generated code.
 */
export interface EmbeddedFile {
  /** The declaring file's name, as protoc knows it: "pkg/v1/foo.proto". */
  readonly name: string;
  /** Base64 of each serialized FileDescriptorProto (without source info), by file name; `name` first. */
  readonly protos: Readonly<Record<string, string>>;
}

/**
 * A protobuf-es file descriptor (`file_foo` of a protoc-gen-es `foo_pb.ts`,
 * a DescFile), as much of it as reflection reads. Described by shape so that
 * the core layer does not import @bufbuild/protobuf.
 */
export interface DescFileLike {
  readonly kind: "file";
  /** Its FileDescriptorProto (a @bufbuild/protobuf message). */
  readonly proto: object;
  readonly dependencies: readonly DescFileLike[];
}

/**
 * ServiceFile is where a service definition's descriptors come from, for
 * server reflection: embedded by the plugin, or the DescFile a protobuf-es
 * message backend already generates.
 */
export type ServiceFile = EmbeddedFile | DescFileLike;
