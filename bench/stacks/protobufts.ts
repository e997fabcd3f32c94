// protobuf-ts: @protobuf-ts/grpc-transport (grpc-js underneath) with protoc-gen-ts code.
import { ChannelCredentials } from "@grpc/grpc-js";
import { GrpcTransport } from "@protobuf-ts/grpc-transport";
import { BenchClient } from "../gen/pbts/bench/v1/bench.client.js";
import type { Stack, StackOptions } from "../lib/stack.js";

export function createStack({ port, grpcOptions }: StackOptions): Stack {
  const transport = new GrpcTransport({ host: `127.0.0.1:${port}`, channelCredentials: ChannelCredentials.createInsecure(), clientOptions: grpcOptions ?? {} });
  const client = new BenchClient(transport);
  const small = new Uint8Array(8).fill(7);
  return {
    async unary(seq) {
      await client.unary({ seq, data: small }).response;
    },
    async serverStream(count, size) {
      let n = 0;
      for await (const _ of client.serverStream({ count, size }).responses) n++;
      return n;
    },
    async clientStream(seqs, payload) {
      const call = client.clientStream();
      for (const seq of seqs) await call.requests.send({ seq, data: payload });
      await call.requests.complete();
      return (await call.response).count;
    },
    async pingPong(seqs, payload) {
      const call = client.pingPong();
      const echoes = call.responses[Symbol.asyncIterator]();
      let n = 0;
      for (const seq of seqs) {
        await call.requests.send({ seq, data: payload });
        if (!(await echoes.next()).done) n++;
      }
      await call.requests.complete();
      await call.status;
      return n;
    },
    async oneWay(seqs, payload) {
      const call = client.oneWay();
      for (const seq of seqs) await call.requests.send({ seq, data: payload });
      await call.requests.complete();
      let bytes = 0n;
      for await (const summary of call.responses) bytes = summary.bytes;
      return Number(bytes);
    },
    close: () => transport.close(),
  };
}
