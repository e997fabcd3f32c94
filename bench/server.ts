// The one server every stack talks to: plain grpc-js with ts-proto codecs (outputServices=grpc-js).
// Prints {"port": N} on stdout once it listens; exits when stdin closes (the parent went away).
import * as grpc from "@grpc/grpc-js";
import { BenchService, type BenchServer, type Chunk } from "./gen/tsproto-grpcjs/bench/v1/bench.js";

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

const server = new grpc.Server();
server.addService(BenchService, handlers);
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
process.stdin.resume();
process.stdin.on("end", () => server.forceShutdown());
process.stdin.on("close", () => process.exit(0));
