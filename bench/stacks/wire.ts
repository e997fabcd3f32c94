// The client of `npm run bench:server`: a raw grpc-js Client with identity serializers on pre-encoded
// bytes, so that it costs the same against every server and as little as a grpc-js client can.
// Only the replies that carry a count (Summary) are decoded.
import * as grpc from "@grpc/grpc-js";
import { Chunk, StreamRequest, Summary } from "../gen/tsproto/bench/v1/bench.js";
import { DataQueue, finished, write } from "../lib/grpcjs-calls.js";
import type { Stack, StackOptions } from "../lib/stack.js";

const identity = (b: Buffer): Buffer => b;
const encoded = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const method = (name: string) => `/bench.v1.Bench/${name}`;

export function createStack({ port, grpcOptions }: StackOptions): Stack {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), grpcOptions ?? {});
  const small = encoded(Chunk.encode({ seq: 1, data: Buffer.alloc(8, 7) }).finish());
  const chunkOf = (payload: Uint8Array) => (payload.length === 8 ? small : encoded(Chunk.encode({ seq: 1, data: Buffer.from(payload) }).finish()));
  return {
    unary() {
      return new Promise((resolve, reject) => client.makeUnaryRequest(method("Unary"), identity, identity, small, (err) => (err ? reject(err) : resolve())));
    },
    async serverStream(count, size) {
      const call = client.makeServerStreamRequest(method("ServerStream"), identity, identity, encoded(StreamRequest.encode({ count, size }).finish()));
      let n = 0;
      call.on("data", () => n++);
      await finished(call);
      return n;
    },
    async clientStream(seqs, payload) {
      const chunk = chunkOf(payload);
      let summary: Summary | undefined;
      const call = client.makeClientStreamRequest(method("ClientStream"), identity, identity, (err, value) => {
        if (!err && value) summary = Summary.decode(value);
      });
      const done = finished(call);
      for (const _ of seqs) await write(call, chunk);
      call.end();
      await done;
      return summary?.count ?? 0;
    },
    async pingPong(seqs, payload) {
      const chunk = chunkOf(payload);
      const call = client.makeBidiStreamRequest(method("PingPong"), identity, identity);
      const done = finished(call);
      const echoes = new DataQueue<Buffer>(call);
      let n = 0;
      for (const _ of seqs) {
        await write(call, chunk);
        if ((await echoes.next()) !== undefined) n++;
      }
      call.end();
      await done;
      return n;
    },
    async oneWay(seqs, payload) {
      const chunk = chunkOf(payload);
      const call = client.makeBidiStreamRequest(method("OneWay"), identity, identity);
      const done = finished(call);
      const replies = new DataQueue<Buffer>(call);
      for (const _ of seqs) await write(call, chunk);
      call.end();
      const reply = await replies.next();
      await done;
      return reply ? Summary.decode(reply).bytes : 0;
    },
    close: () => client.close(),
  };
}
