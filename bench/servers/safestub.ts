// safestub's own Server (createServer) with the generated BenchHandlers: what users run in production.
import { createServer } from "safestub";
import { BenchService, type BenchHandlers } from "../gen/tsproto/bench/v1/bench_grpc.js";
import { serve, served } from "./harness.js";

const handlers: BenchHandlers = {
  unary(request) {
    served.unaryCalls++;
    return request;
  },
  async serverStream(request, sender) {
    const data = Buffer.alloc(request.size, 7);
    for (let seq = 0; seq < request.count; seq++) await sender.send({ seq, data });
  },
  async clientStream(requests) {
    let count = 0;
    let bytes = 0;
    for await (const m of requests) {
      count++;
      bytes += m.data.length;
    }
    return { count, bytes };
  },
  async pingPong(requests, sender) {
    for await (const m of requests) await sender.send(m);
  },
  async oneWay(requests, sender) {
    let count = 0;
    let bytes = 0;
    for await (const m of requests) {
      count++;
      bytes += m.data.length;
    }
    await sender.send({ count, bytes });
  },
};

await serve(async () => {
  const server = createServer().add(BenchService, handlers);
  const port = await server.listen("127.0.0.1:0");
  return { port, close: () => server.forceShutdown() };
});
