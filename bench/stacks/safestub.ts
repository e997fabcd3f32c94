// safestub: createChannel + the generated BenchClient (Sender/Receiver handles), ts-proto messages.
import { BenchClient } from "../gen/tsproto/bench/v1/bench_grpc.js";
import { safestubStack } from "../lib/safestub-stack.js";
import type { Stack, StackOptions } from "../lib/stack.js";

export function createStack(options: StackOptions): Stack {
  return safestubStack((channel) => new BenchClient(channel), options);
}
