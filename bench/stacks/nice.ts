// nice-grpc: ts-proto generic definitions; request streams are async iterables.
import { createChannel, createClient } from "nice-grpc";
import { BenchDefinition, type Chunk } from "../gen/nice/bench/v1/bench.js";
import { messages, Turnstile, type Stack, type StackOptions } from "../lib/stack.js";

export function createStack({ port, grpcOptions }: StackOptions): Stack {
  const channel = createChannel(`http://127.0.0.1:${port}`, undefined, grpcOptions ?? {});
  const client = createClient(BenchDefinition, channel);
  const small = Buffer.alloc(8, 7);
  return {
    async unary(seq) {
      await client.unary({ seq, data: small });
    },
    async serverStream(count, size) {
      let n = 0;
      for await (const _ of client.serverStream({ count, size })) n++;
      return n;
    },
    async clientStream(seqs, payload) {
      const data = Buffer.from(payload);
      return (await client.clientStream(messages(seqs, (seq): Chunk => ({ seq, data })))).count;
    },
    async pingPong(seqs, payload) {
      const data = Buffer.from(payload);
      const turnstile = new Turnstile(seqs, (seq): Chunk => ({ seq, data }));
      let n = 0;
      for await (const _ of client.pingPong(turnstile.requests())) {
        n++;
        turnstile.arrived();
      }
      return n;
    },
    async oneWay(seqs, payload) {
      const data = Buffer.from(payload);
      let bytes = 0;
      for await (const summary of client.oneWay(messages(seqs, (seq): Chunk => ({ seq, data })))) bytes = summary.bytes;
      return bytes;
    },
    close: () => channel.close(),
  };
}
