// ts-proto with outputServices=grpc-js: the generated grpc-js client, used the way its README shows.
import * as grpc from "@grpc/grpc-js";
import { BenchClient, type Chunk, type Summary } from "../gen/tsproto-grpcjs/bench/v1/bench.js";
import { finished, write } from "../lib/grpcjs-calls.js";
import type { Stack, StackOptions } from "../lib/stack.js";

export function createStack({ port, grpcOptions }: StackOptions): Stack {
  const client = new BenchClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), grpcOptions ?? {});
  const small = Buffer.alloc(8, 7);
  return {
    unary(seq) {
      return new Promise((resolve, reject) => client.unary({ seq, data: small }, (err) => (err ? reject(err) : resolve())));
    },
    async serverStream(count, size) {
      let n = 0;
      for await (const _ of client.serverStream({ count, size })) n++;
      return n;
    },
    async clientStream(seqs, payload) {
      const data = Buffer.from(payload);
      let summary: Summary | undefined;
      const call = client.clientStream((err, value) => {
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
      const call = client.pingPong();
      const echoes: AsyncIterator<Chunk> = call[Symbol.asyncIterator]();
      let n = 0;
      for (const seq of seqs) {
        await write(call, { seq, data });
        if (!(await echoes.next()).done) n++;
      }
      call.end();
      await echoes.next();
      return n;
    },
    async oneWay(seqs, payload) {
      const data = Buffer.from(payload);
      const call = client.oneWay();
      const replies: AsyncIterator<Summary> = call[Symbol.asyncIterator]();
      for (const seq of seqs) await write(call, { seq, data });
      call.end();
      const summary = await replies.next();
      await replies.next();
      return summary.done ? 0 : summary.value.bytes;
    },
    close: () => client.close(),
  };
}
