// Raw grpc-js with ts-proto codecs (outputServices=grpc-js), in grpc-js's documented style: the one
// server every client stack of `npm run bench` talks to, and the baseline of `npm run bench:server`.
import * as grpc from "@grpc/grpc-js";
import { BenchService, type BenchServer, type Chunk } from "../gen/tsproto-grpcjs/bench/v1/bench.js";
import { serve, served } from "./harness.js";

function waitForDrain(call: grpc.ServerWritableStream<unknown, unknown>): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      call.off("drain", done);
      call.off("close", done);
      resolve();
    };
    call.on("drain", done);
    call.on("close", done);
  });
}

const handlers: BenchServer = {
  unary(call, callback) {
    served.unaryCalls++;
    callback(null, call.request);
  },
  async serverStream(call) {
    const data = Buffer.alloc(call.request.size, 7);
    let cancelled = false;
    call.on("cancelled", () => (cancelled = true));
    for (let seq = 0; seq < call.request.count && !cancelled; seq++) {
      if (!call.write({ seq, data })) await waitForDrain(call);
    }
    call.end();
  },
  clientStream(call, callback) {
    let count = 0;
    let bytes = 0;
    call.on("data", (m: Chunk) => {
      count++;
      bytes += m.data.length;
    });
    call.on("end", () => callback(null, { count, bytes }));
  },
  pingPong(call) {
    call.on("data", (m: Chunk) => call.write(m));
    call.on("end", () => call.end());
  },
  oneWay(call) {
    let count = 0;
    let bytes = 0;
    call.on("data", (m: Chunk) => {
      count++;
      bytes += m.data.length;
    });
    call.on("end", () => {
      call.write({ count, bytes });
      call.end();
    });
  },
};

await serve(
  () =>
    new Promise((resolve, reject) => {
      const server = new grpc.Server();
      server.addService(BenchService, handlers);
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve({ port, close: () => server.forceShutdown() })));
    }),
);
