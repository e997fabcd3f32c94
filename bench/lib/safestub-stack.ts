// The safestub stack over a generated BenchClient, whichever message backend generated it: the ts-proto
// build (stacks/safestub.ts) and the protobuf-es one (stacks/safestub-protobuf-es.ts) run this same code,
// so their rows differ only by the messages' codecs (ts-proto's encode/decode vs protobuf-es's
// create + toBinary / fromBinary).
import { createChannel, type BidiStreamingCall, type ClientStreamingCall, type ServerStreamingCall } from "safestub";
import type { Stack, StackOptions } from "./stack.js";

/** What the stack sends and reads of bench.v1 (both backends' generated clients have this shape). */
interface Item {
  seq: number;
  data: Buffer;
}
export interface BenchClientLike {
  unary(request: Item): Promise<unknown>;
  serverStream(request: { count: number; size: number }): ServerStreamingCall<unknown>;
  clientStream(): ClientStreamingCall<Item, { count: number }>;
  pingPong(): BidiStreamingCall<Item, unknown>;
  // int64: a number from ts-proto (its default), a bigint from protobuf-es.
  oneWay(): BidiStreamingCall<Item, { bytes: number | bigint }>;
}

export function safestubStack(makeClient: (channel: ReturnType<typeof createChannel>) => BenchClientLike, { port, grpcOptions }: StackOptions): Stack {
  const channel = createChannel(`http://127.0.0.1:${port}`, grpcOptions ? { grpcOptions } : {});
  const client = makeClient(channel);
  const small = Buffer.alloc(8, 7);
  return {
    async unary(seq) {
      await client.unary({ seq, data: small });
    },
    async serverStream(count, size) {
      const call = client.serverStream({ count, size });
      let n = 0;
      for await (const _ of call.receiver) n++;
      return n;
    },
    async clientStream(seqs, payload) {
      const data = Buffer.from(payload);
      const call = client.clientStream();
      for (const seq of seqs) await call.sender.send({ seq, data });
      await call.sender.close();
      return (await call.response).count;
    },
    async pingPong(seqs, payload) {
      const data = Buffer.from(payload);
      const call = client.pingPong();
      let n = 0;
      for (const seq of seqs) {
        await call.sender.send({ seq, data });
        if ((await call.receiver.recv()) !== undefined) n++;
      }
      await call.sender.close();
      await call.receiver.recv();
      return n;
    },
    async oneWay(seqs, payload) {
      const data = Buffer.from(payload);
      const call = client.oneWay();
      for (const seq of seqs) await call.sender.send({ seq, data });
      await call.sender.close();
      const summary = await call.receiver.recv();
      return Number(summary?.bytes ?? 0);
    },
    close: () => channel.close(),
  };
}
