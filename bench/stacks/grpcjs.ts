// Raw @grpc/grpc-js: a generic grpc.Client with ts-proto codecs, events and callbacks as in grpc-js's examples.
import * as grpc from "@grpc/grpc-js";
import { Chunk, StreamRequest, Summary } from "../gen/tsproto/bench/v1/bench.js";
import { DataQueue, finished, write } from "../lib/grpcjs-calls.js";
import type { Stack, StackOptions } from "../lib/stack.js";

const toBuffer = (u8: Uint8Array): Buffer => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
const serializeChunk = (m: Chunk): Buffer => toBuffer(Chunk.encode(m).finish());
const serializeRequest = (m: StreamRequest): Buffer => toBuffer(StreamRequest.encode(m).finish());
const deserializeChunk = (b: Buffer): Chunk => Chunk.decode(b);
const deserializeSummary = (b: Buffer): Summary => Summary.decode(b);

export function createStack({ port, grpcOptions }: StackOptions): Stack {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), grpcOptions ?? {});
  const small = Buffer.alloc(8, 7);
  return {
    unary(seq) {
      return new Promise((resolve, reject) =>
        client.makeUnaryRequest("/bench.v1.Bench/Unary", serializeChunk, deserializeChunk, { seq, data: small }, (err) => (err ? reject(err) : resolve())),
      );
    },
    async serverStream(count, size) {
      const call = client.makeServerStreamRequest("/bench.v1.Bench/ServerStream", serializeRequest, deserializeChunk, { count, size });
      let n = 0;
      call.on("data", () => n++);
      await finished(call);
      return n;
    },
    async clientStream(seqs, payload) {
      const data = Buffer.from(payload);
      let summary: Summary | undefined;
      const call = client.makeClientStreamRequest("/bench.v1.Bench/ClientStream", serializeChunk, deserializeSummary, (err, value) => {
        if (!err) summary = value;
      });
      const done = finished(call);
      for (const seq of seqs) await write(call, { seq, data });
      call.end();
      await done;
      return summary?.count ?? 0;
    },
    async pingPong(seqs, payload) {
      const data = Buffer.from(payload);
      const call = client.makeBidiStreamRequest("/bench.v1.Bench/PingPong", serializeChunk, deserializeChunk);
      const done = finished(call);
      const echoes = new DataQueue<Chunk>(call);
      let n = 0;
      for (const seq of seqs) {
        await write(call, { seq, data });
        if ((await echoes.next()) !== undefined) n++;
      }
      call.end();
      await done;
      return n;
    },
    async oneWay(seqs, payload) {
      const data = Buffer.from(payload);
      const call = client.makeBidiStreamRequest("/bench.v1.Bench/OneWay", serializeChunk, deserializeSummary);
      const done = finished(call);
      const replies = new DataQueue<Summary>(call);
      for (const seq of seqs) await write(call, { seq, data });
      call.end();
      const summary = await replies.next();
      await done;
      return summary?.bytes ?? 0;
    },
    close: () => client.close(),
  };
}
