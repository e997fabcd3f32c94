// safestub: createChannel + the generated BenchClient (Sender/Receiver handles).
import { createChannel } from "safestub";
import { BenchClient } from "../gen/tsproto/bench/v1/bench_grpc.js";
import type { Stack, StackOptions } from "../lib/stack.js";

export function createStack({ port, grpcOptions }: StackOptions): Stack {
  const channel = createChannel(`http://127.0.0.1:${port}`, grpcOptions ? { grpcOptions } : {});
  const client = new BenchClient(channel);
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
      return summary?.bytes ?? 0;
    },
    close: () => channel.close(),
  };
}
