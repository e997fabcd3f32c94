// Connect-ES v2's node server: connectNodeAdapter over node:http2, gRPC protocol only, protoc-gen-es messages.
import type { ServiceImpl } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { Bench } from "../gen/es/bench/v1/bench_pb.js";
import { serve, served } from "./harness.js";

const impl: ServiceImpl<typeof Bench> = {
  unary(request) {
    served.unaryCalls++;
    return request;
  },
  async *serverStream(request) {
    const data = new Uint8Array(request.size).fill(7);
    for (let seq = 0; seq < request.count; seq++) yield { seq, data };
  },
  async clientStream(requests) {
    let count = 0;
    let bytes = 0n;
    for await (const m of requests) {
      count++;
      bytes += BigInt(m.data.length);
    }
    return { count, bytes };
  },
  async *pingPong(requests) {
    for await (const m of requests) yield m;
  },
  async *oneWay(requests) {
    let count = 0;
    let bytes = 0n;
    for await (const m of requests) {
      count++;
      bytes += BigInt(m.data.length);
    }
    yield { count, bytes };
  },
};

await serve(async () => {
  const server = http2.createServer(connectNodeAdapter({ routes: (router) => router.service(Bench, impl), grpc: true, connect: false, grpcWeb: false }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
});
