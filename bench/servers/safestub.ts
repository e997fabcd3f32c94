// safestub's own Server (createServer) with the generated BenchHandlers: what users run in production.
import { createServer } from "safestub";
import { BenchService, type BenchHandlers } from "../gen/tsproto/bench/v1/bench_grpc.js";
import { serve } from "./harness.js";
import { benchHandlers } from "./safestub-handlers.js";

const handlers: BenchHandlers = benchHandlers((n) => n);

await serve(async () => {
  const server = createServer().add(BenchService, handlers);
  const port = await server.listen("127.0.0.1:0");
  return { port, close: () => server.forceShutdown() };
});
