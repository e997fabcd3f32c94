// safestub's Server on protoc-gen-es messages (messages=protobuf-es): the same handlers as safestub.ts,
// so the row against it is the protobuf-es codec's cost on the server.
import { createServer } from "safestub";
import { BenchService, type BenchHandlers } from "../gen/es/bench/v1/bench_grpc.js";
import { serve } from "./harness.js";
import { benchHandlers } from "./safestub-handlers.js";

const handlers: BenchHandlers = benchHandlers(BigInt);

await serve(async () => {
  const server = createServer().add(BenchService, handlers);
  const port = await server.listen("127.0.0.1:0");
  return { port, close: () => server.forceShutdown() };
});
