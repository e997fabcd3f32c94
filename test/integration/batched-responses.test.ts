// Responses a server handler sends while an earlier one is still being written go out together
// (runtime/transport/grpc-js/server-call.ts: each send goes to grpc-js's call at once, within a 64 KiB
// write quota, and node:http2 writes what queued behind the write in flight in one go): fewer HTTP/2
// writes, and nothing lost, reordered, admitted past flow control, or reported sent when the call was
// cancelled.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, RpcError, createChannel, createServer, type Channel, type Server } from "safestub";
import { ProbeClient, ProbeService, decodeMsg, encodeMsg } from "@backend/probe.js";
import { eventually, msg, sleep } from "../helpers/probe.js";
import { frame, rawCall } from "../helpers/raw-http2.js";
import { passesOnLater } from "../helpers/grpc-interceptors.js";

let server: Server;
let port: number;
let channel: Channel;
let client: ProbeClient;
/** Per call (keyed by the request's text): how many sends resolved, and how the handler ended. */
const handled = new Map<string, { admitted: number; ended?: unknown }>();

beforeAll(async () => {
  server = createServer();
  server.add(ProbeService, {
    unary: (req) => req,
    // Sends req.count messages of req.size payload bytes, ids 0.., every send awaited (one burst per
    // turn of the event loop until flow control pushes back); "all" sends them with one sendAll.
    download: async (req, tx) => {
      const record: { admitted: number; ended?: unknown } = { admitted: 0 };
      handled.set(req.text, record);
      const payload = Buffer.alloc(req.size, 5);
      try {
        if (req.text.startsWith("all")) {
          await tx.sendAll(Array.from({ length: req.count }, (_, id) => msg({ id, payload })));
          record.admitted = req.count;
        } else
          for (let id = 0; id < req.count; id++) {
            await tx.send(msg({ id, payload }));
            record.admitted++;
          }
        record.ended = "ok";
      } catch (err) {
        record.ended = err;
        throw err;
      }
    },
    upload: async () => msg({}),
    chat: async (rx, tx) => {
      for await (const m of rx) await tx.send(m);
    },
  });
  port = await server.listen("127.0.0.1:0");
  channel = createChannel(`http://127.0.0.1:${port}`);
  client = new ProbeClient(channel);
});
afterAll(() => {
  channel.close();
  server.forceShutdown();
});

/** The ids of the length-prefixed Msg frames in `body`. */
function idsIn(body: Buffer): number[] {
  const ids: number[] = [];
  for (let at = 0; at < body.length; ) {
    const length = body.readUInt32BE(at + 1);
    ids.push(decodeMsg(body.subarray(at + 5, at + 5 + length)).id);
    at += 5 + length;
  }
  return ids;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("batched server responses", () => {
  it("a burst of 200 sends reaches the wire in far fewer DATA frames than messages, every message whole and in order", async () => {
    const request = frame(encodeMsg(msg({ text: "wire", count: 200, size: 8 })));
    const result = await rawCall(port, "/safestub.testing.Probe/Download", [request]);
    expect(result.status).toBe("0");
    expect(idsIn(result.body)).toEqual(range(200));
    // One write per message would be 200 DATA frames; batched, a burst of up to 16 goes out in two.
    expect(result.pieces).toBeLessThan(100);
  });

  it("bursts of N sends and sendAll keep every message and its order, small and large messages (25 runs)", async () => {
    for (let run = 0; run < 25; run++) {
      const count = 1 + ((run * 37) % 300);
      const size = [0, 8, 1000, 20_000, 70_000][run % 5]!;
      const text = `${run % 2 ? "all" : "each"}-${run}`;
      const ids: number[] = [];
      for await (const m of client.download(msg({ text, count, size })).receiver) {
        expect(m.payload.length).toBe(size);
        ids.push(m.id);
      }
      expect(ids).toEqual(range(count));
      expect(handled.get(text)).toEqual({ admitted: count, ended: "ok" });
    }
  });

  it("honour flow control: a client that does not read holds the handler's sends back, then gets every message in order (20 runs)", async () => {
    const size = 64 * 1024;
    const count = 400; // 25 MiB: far more than HTTP/2 windows, socket buffers and grpc-js's 16 buffered writes hold
    for (let run = 0; run < 20; run++) {
      const text = `held-${run}`;
      const call = client.download(msg({ text, count, size }));
      expect(await eventually(() => (handled.get(text)?.admitted ?? 0) > 0, 5000)).toBe(true);
      await sleep(30);
      const admittedWhileHeld = handled.get(text)!.admitted;
      // What flow control lets through before the client reads: windows (64 KiB stream, session), the socket buffers, 16 queued writes.
      expect(admittedWhileHeld).toBeLessThan(count / 2);
      let n = 0;
      for await (const m of call.receiver) expect(m.id).toBe(n++);
      expect(n).toBe(count);
      expect(handled.get(text)).toEqual({ admitted: count, ended: "ok" });
    }
  });

  it("a client cancelling mid-burst got a prefix of what the handler was told was sent, and the handler's send fails CANCELLED (25 runs)", async () => {
    for (let run = 0; run < 25; run++) {
      const text = `cancel-${run}`;
      const stopAt = 1 + ((run * 53) % 150);
      const call = client.download(msg({ text, count: 100_000, size: 100 }));
      const ids: number[] = [];
      for await (const m of call.receiver) {
        ids.push(m.id);
        if (ids.length === stopAt) break; // leaving the loop cancels the call
      }
      expect(ids).toEqual(range(stopAt));
      expect(await eventually(() => handled.get(text)?.ended !== undefined, 5000)).toBe(true);
      const record = handled.get(text)!;
      expect(record.ended).toBeInstanceOf(RpcError);
      expect((record.ended as RpcError).code).toBe(Code.CANCELLED);
      expect(record.admitted).toBeGreaterThanOrEqual(stopAt);
      expect(record.admitted).toBeLessThan(100_000);
    }
  });

  it("a message grpc-js refuses in the middle of a burst (over grpc.max_send_message_length) ends the call RESOURCE_EXHAUSTED: the client gets exactly the messages before it (20 runs)", async () => {
    const limited = createServer({ grpcOptions: { "grpc.max_send_message_length": 1000 } });
    limited.addPartial(ProbeService, {
      download: async (req, tx) => {
        for (let id = 0; id < 40; id++) await tx.send(msg({ id, payload: Buffer.alloc(id === req.count ? 2000 : 10) }));
      },
    });
    const limitedChannel = createChannel(`http://127.0.0.1:${await limited.listen("127.0.0.1:0")}`);
    try {
      for (let run = 0; run < 20; run++) {
        const tooLarge = 1 + ((run * 7) % 38);
        const ids: number[] = [];
        let failure: unknown;
        try {
          for await (const m of new ProbeClient(limitedChannel).download(msg({ count: tooLarge })).receiver) ids.push(m.id);
        } catch (err) {
          failure = err;
        }
        expect(failure).toBeInstanceOf(RpcError);
        expect((failure as RpcError).code).toBe(Code.RESOURCE_EXHAUSTED);
        expect(ids).toEqual(range(tooLarge));
      }
    } finally {
      limitedChannel.close();
      limited.forceShutdown();
    }
  });

  it("behind a grpc-js server interceptor that sends metadata and messages later, a burst keeps every message and its order (20 runs)", async () => {
    const intercepted = createServer({ grpcOptions: { interceptors: [passesOnLater] } });
    intercepted.addPartial(ProbeService, {
      download: async (req, tx) => {
        for (let id = 0; id < req.count; id++) await tx.send(msg({ id }));
      },
    });
    const interceptedChannel = createChannel(`http://127.0.0.1:${await intercepted.listen("127.0.0.1:0")}`);
    try {
      for (let run = 0; run < 20; run++) {
        const count = 1 + ((run * 31) % 200);
        const ids: number[] = [];
        for await (const m of new ProbeClient(interceptedChannel).download(msg({ count })).receiver) ids.push(m.id);
        expect(ids).toEqual(range(count));
      }
    } finally {
      interceptedChannel.close();
      intercepted.forceShutdown();
    }
  });

  it("ping-pong: a lone response is written at once, not held for a batch (200 round trips, each answered)", async () => {
    const call = client.chat();
    for (let id = 0; id < 200; id++) {
      await call.sender.send(msg({ id }));
      expect((await call.receiver.recv())?.id).toBe(id);
    }
    await call.sender.close();
    expect(await call.receiver.recv()).toBeUndefined();
  });
});
