// Opens `count` bidi streams to a bench server (one connection, grpc-js, identity serializers), makes one
// round trip on each so every handler is running, prints {"open": N} and holds them until stdin closes.
// Started by bench/server-bench.ts to read the server's RSS with that many idle streams.
import * as grpc from "@grpc/grpc-js";
import { Chunk } from "./gen/tsproto/bench/v1/bench.js";

const { port, count } = JSON.parse(process.argv[2] ?? "{}") as { port: number; count: number };
const identity = (b: Buffer): Buffer => b;
const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
const ping = Buffer.from(Chunk.encode({ seq: 1, data: Buffer.alloc(8, 7) }).finish());
const calls: grpc.ClientDuplexStream<Buffer, Buffer>[] = [];
await Promise.all(
  Array.from({ length: count }, () => {
    const call = client.makeBidiStreamRequest("/bench.v1.Bench/PingPong", identity, identity);
    call.on("error", () => {});
    calls.push(call);
    return new Promise<void>((resolve, reject) => {
      call.once("data", () => resolve());
      call.once("status", (s: grpc.StatusObject) => reject(new Error(`stream ended: ${s.details}`)));
      call.write(ping);
    });
  }),
);
process.stdout.write(`${JSON.stringify({ open: calls.length })}\n`);
process.stdin.resume();
process.stdin.on("close", () => {
  for (const call of calls) call.cancel();
  client.close();
  process.exit(0);
});
