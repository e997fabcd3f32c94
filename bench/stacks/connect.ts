// Connect-ES v2: @connectrpc/connect-node's gRPC transport (HTTP/2) with protoc-gen-es v2 code.
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Bench } from "../gen/es/bench/v1/bench_pb.js";
import { messages, Turnstile, type Stack, type StackOptions } from "../lib/stack.js";

export function createStack({ port }: StackOptions): Stack {
  const transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` });
  const client = createClient(Bench, transport);
  const small = new Uint8Array(8).fill(7);
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
      return (await client.clientStream(messages(seqs, (seq) => ({ seq, data: payload })))).count;
    },
    async pingPong(seqs, payload) {
      const turnstile = new Turnstile(seqs, (seq) => ({ seq, data: payload }));
      let n = 0;
      for await (const _ of client.pingPong(turnstile.requests())) {
        n++;
        turnstile.arrived();
      }
      return n;
    },
    async oneWay(seqs, payload) {
      let bytes = 0n;
      for await (const summary of client.oneWay(messages(seqs, (seq) => ({ seq, data: payload })))) bytes = summary.bytes;
      return Number(bytes);
    },
    close: () => {},
  };
}
