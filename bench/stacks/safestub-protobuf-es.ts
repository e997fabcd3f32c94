// safestub with protoc-gen-es messages (messages=protobuf-es): the same stack as safestub.ts over the
// BenchClient generated beside protoc-gen-es's bench_pb.ts (the files Connect-ES uses).
import { BenchClient } from "../gen/es/bench/v1/bench_grpc.js";
import { safestubStack } from "../lib/safestub-stack.js";
import type { Stack, StackOptions } from "../lib/stack.js";

export function createStack(options: StackOptions): Stack {
  return safestubStack((channel) => new BenchClient(channel), options);
}
