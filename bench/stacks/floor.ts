// The floor: grpc-js's call layer (grpc.Channel#createCall, the layer safestub runs on) driven by bare
// callbacks: no stream objects, no promise per message, no usage checks, no status mapping. It is not a
// client API anyone should use; it shows how fast any client built on grpc-js can be on each workload,
// so the tables can tell what the transport costs from what a client library adds on top of it.
import * as grpc from "@grpc/grpc-js";
import { Chunk, StreamRequest, Summary } from "../gen/tsproto/bench/v1/bench.js";
import type { Stack, StackOptions } from "../lib/stack.js";

type Call = ReturnType<grpc.Channel["createCall"]>;

interface Encoder<T> {
  encode(message: T): { finish(): Uint8Array };
}

function frame<T>(codec: Encoder<T>, message: T): Buffer {
  const bytes = codec.encode(message).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Starts one call; `onMessage` gets every response (the next one is asked for right after it) and
 * `begin` runs once the call started. Resolves with what `result` returns at an OK status.
 */
function call<R>(channel: grpc.Channel, path: string, onMessage: (message: Buffer, call: Call) => void, begin: (call: Call) => void, result: () => R): Promise<R> {
  return new Promise((resolve, reject) => {
    const c = channel.createCall(path, Infinity, undefined, null, null);
    c.start(new grpc.Metadata(), {
      onReceiveMetadata() {},
      onReceiveMessage(message: Buffer) {
        c.startRead();
        onMessage(message, c);
      },
      onReceiveStatus(status) {
        if (status.code === grpc.status.OK) resolve(result());
        else reject(new Error(`${path}: ${status.code} ${status.details}`));
      },
    });
    c.startRead();
    begin(c);
  });
}

/** Sends `seqs` one at a time, the next from the previous write's callback ("every send awaited"), then half-closes. */
function sendEach(c: Call, seqs: Iterator<number>, data: Buffer): void {
  const next = () => {
    const r = seqs.next();
    if (r.done) c.halfClose();
    else c.sendMessageWithContext({ callback: next }, frame(Chunk, { seq: r.value, data }));
  };
  next();
}

export function createStack({ port, grpcOptions }: StackOptions): Stack {
  const channel = new grpc.Channel(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), grpcOptions ?? {});
  const small = Buffer.alloc(8, 7);
  return {
    unary(seq) {
      return call(
        channel,
        "/bench.v1.Bench/Unary",
        (m) => Chunk.decode(m),
        (c) => {
          c.sendMessageWithContext({}, frame(Chunk, { seq, data: small }));
          c.halfClose();
        },
        () => undefined,
      );
    },
    serverStream(count, size) {
      let n = 0;
      return call(
        channel,
        "/bench.v1.Bench/ServerStream",
        (m) => {
          Chunk.decode(m);
          n++;
        },
        (c) => {
          c.sendMessageWithContext({}, frame(StreamRequest, { count, size }));
          c.halfClose();
        },
        () => n,
      );
    },
    clientStream(seqs, payload) {
      let count = 0;
      return call(channel, "/bench.v1.Bench/ClientStream", (m) => (count = Summary.decode(m).count), (c) => sendEach(c, seqs[Symbol.iterator](), Buffer.from(payload)), () => count);
    },
    pingPong(seqs, payload) {
      const data = Buffer.from(payload);
      const it = seqs[Symbol.iterator]();
      let n = 0;
      // Each echo sends the next ping; the last echo half-closes.
      const ping = (c: Call) => {
        const r = it.next();
        if (r.done) c.halfClose();
        else c.sendMessageWithContext({}, frame(Chunk, { seq: r.value, data }));
      };
      return call(
        channel,
        "/bench.v1.Bench/PingPong",
        (m, c) => {
          Chunk.decode(m);
          n++;
          ping(c);
        },
        ping,
        () => n,
      );
    },
    oneWay(seqs, payload) {
      let bytes = 0;
      return call(channel, "/bench.v1.Bench/OneWay", (m) => (bytes = Number(Summary.decode(m).bytes)), (c) => sendEach(c, seqs[Symbol.iterator](), Buffer.from(payload)), () => bytes);
    },
    close: () => channel.close(),
  };
}
