// The client stacks and configurations the runtime bench compares.

export interface StackSpec {
  /** Row label in the tables. */
  readonly label: string;
  /** bench/stacks/<module>.ts */
  readonly module: string;
  readonly grpcOptions?: Record<string, number>;
  /** The baseline every ratio is taken against. */
  readonly baseline?: true;
  /** A safestub configuration (targets are checked on the `target` one). */
  readonly safestub?: "target" | "variant";
  /** Not a client library: the fastest any client on grpc-js's call layer can be (bench/stacks/floor.ts). */
  readonly floor?: true;
}

const RETRY_BUFFER = "grpc.per_rpc_retry_buffer_size";

export const STACKS: readonly StackSpec[] = [
  { label: "grpc-js + ts-proto (default options)", module: "grpcjs", baseline: true },
  { label: "grpc-js + ts-proto (retry buffer 0)", module: "grpcjs", grpcOptions: { [RETRY_BUFFER]: 0 } },
  { label: "safestub (default: retry buffer 16 KiB)", module: "safestub", safestub: "target" },
  { label: "safestub (retry buffer 64 KiB)", module: "safestub", grpcOptions: { [RETRY_BUFFER]: 64 * 1024 }, safestub: "variant" },
  { label: "safestub (retry buffer 0)", module: "safestub", grpcOptions: { [RETRY_BUFFER]: 0 }, safestub: "variant" },
  { label: "safestub (retry buffer 1 MiB = grpc-js default)", module: "safestub", grpcOptions: { [RETRY_BUFFER]: 1024 * 1024 }, safestub: "variant" },
  // The default configuration on protoc-gen-es messages: the row against "safestub (default ...)" is the codec cost.
  { label: "safestub, protobuf-es messages (messages=protobuf-es)", module: "safestub-protobuf-es", safestub: "variant" },
  { label: "ts-proto outputServices=grpc-js", module: "tsproto" },
  { label: "nice-grpc", module: "nice" },
  { label: "Connect-ES v2 (connect-node gRPC transport)", module: "connect" },
  { label: "protobuf-ts (grpc-transport)", module: "protobufts" },
  { label: "floor: grpc-js call layer, bare callbacks (retry buffer 16 KiB)", module: "floor", grpcOptions: { [RETRY_BUFFER]: 16 * 1024 }, floor: true },
];
