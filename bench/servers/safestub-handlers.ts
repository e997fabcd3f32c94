// The bench handlers for safestub's Server, once for both message backends: typed by what they use of
// a message, so that ts-proto's BenchHandlers and protobuf-es's (inits out, `bigint` for uint64) both
// take them. `long` makes Summary.bytes in the backend's type for uint64.
import { served } from "./harness.js";

interface Send<T> {
  send(message: T): Promise<void>;
}

export function benchHandlers<Long>(long: (n: number) => Long) {
  return {
    unary<T>(request: T): T {
      served.unaryCalls++;
      return request;
    },
    async serverStream(request: { count: number; size: number }, sender: Send<{ seq: number; data: Uint8Array }>): Promise<void> {
      const data = Buffer.alloc(request.size, 7);
      for (let seq = 0; seq < request.count; seq++) await sender.send({ seq, data });
    },
    clientStream: (requests: AsyncIterable<{ data: Uint8Array }>): Promise<{ count: number; bytes: Long }> => summarize(requests, long),
    async pingPong<T>(requests: AsyncIterable<T>, sender: Send<T>): Promise<void> {
      for await (const m of requests) await sender.send(m);
    },
    async oneWay(requests: AsyncIterable<{ data: Uint8Array }>, sender: Send<{ count: number; bytes: Long }>): Promise<void> {
      await sender.send(await summarize(requests, long));
    },
  };
}

/** Counts a request stream's messages and payload bytes (the Summary both counting workloads answer). */
async function summarize<Long>(requests: AsyncIterable<{ data: Uint8Array }>, long: (n: number) => Long): Promise<{ count: number; bytes: Long }> {
  let count = 0;
  let bytes = 0;
  for await (const m of requests) {
    count++;
    bytes += m.data.length;
  }
  return { count, bytes: long(bytes) };
}
