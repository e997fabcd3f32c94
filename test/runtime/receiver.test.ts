import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConcurrentRecvError, Metadata, RpcError } from "safestub";
import type { Codec } from "../../runtime/core/codec.js";
import type { Inbound } from "../../runtime/stream/ports.js";
import { Receiver } from "../../runtime/stream/receiver.js";
import { ProbeHarness, eventually, msg, sleep } from "../helpers/probe.js";

let h: ProbeHarness;
beforeAll(async () => {
  h = await ProbeHarness.start();
});
afterAll(() => h.close());

/** A download handler sending `req.count` messages and recording how its call ended. */
function countingDownload() {
  const seen = { sent: 0, aborted: undefined as unknown, finished: false };
  h.impl.download = async (req, tx, ctx) => {
    ctx.signal.addEventListener("abort", () => (seen.aborted = ctx.signal.reason), { once: true });
    for (let id = 0; id < req.count && !ctx.signal.aborted; id++) {
      await tx.send(msg({ id })).catch(() => {});
      seen.sent++;
    }
    seen.finished = true;
  };
  return seen;
}

describe("Receiver", () => {
  it("recv() returns messages in order, then undefined at the clean end, then undefined again", async () => {
    countingDownload();
    const call = h.client.download(msg({ count: 3 }));
    const ids = [];
    for (let m = await call.receiver.recv(); m !== undefined; m = await call.receiver.recv()) ids.push(m.id);
    expect(ids).toEqual([0, 1, 2]);
    await expect(call.receiver.recv()).resolves.toBeUndefined();
    await expect(call.trailers).resolves.toBeInstanceOf(Metadata);
  });

  it("refuses a second pending recv() and a second for-await loop with ConcurrentRecvError", async () => {
    countingDownload();
    const call = h.client.download(msg({ count: 5 }));
    const first = call.receiver.recv();
    await expect(call.receiver.recv()).rejects.toBeInstanceOf(ConcurrentRecvError);
    expect((await first)?.id).toBe(0);

    const ids: number[] = [];
    let inner: unknown;
    for await (const m of call.receiver) {
      ids.push(m.id);
      try {
        for await (const _ of call.receiver) break;
      } catch (err) {
        inner = err;
      }
      await expect(call.receiver.recv()).rejects.toBeInstanceOf(ConcurrentRecvError);
    }
    expect(inner).toBeInstanceOf(ConcurrentRecvError);
    expect(ids).toEqual([1, 2, 3, 4]);
  });

  it("delivers the messages sent before a failure, then rejects with the RpcError", async () => {
    h.impl.download = async (_req, tx) => {
      await tx.send(msg({ id: 1 }));
      await tx.send(msg({ id: 2 }));
      throw new RpcError(Code.RESOURCE_EXHAUSTED, "enough", new Metadata({ "x-reason": "quota" }));
    };
    const call = h.client.download(msg());
    const ids: number[] = [];
    const err = await (async () => {
      for await (const m of call.receiver) ids.push(m.id);
    })().catch((e: unknown) => e);
    expect(ids).toEqual([1, 2]);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe(Code.RESOURCE_EXHAUSTED);
    expect((err as RpcError).metadata.get("x-reason")).toBe("quota");
    expect((await call.trailers).get("x-reason")).toBe("quota");
    await expect(call.receiver.recv()).rejects.toBe(err);
  });

  it("leaving a for-await loop early cancels the RPC and the server handler sees ctx.signal abort", async () => {
    const seen = countingDownload();
    const call = h.client.download(msg({ count: 1_000_000 }));
    for await (const m of call.receiver) {
      if (m.id === 2) break;
    }
    expect(await eventually(() => seen.aborted !== undefined)).toBe(true);
    expect((seen.aborted as RpcError).code).toBe(Code.CANCELLED);
    expect(await eventually(() => seen.finished)).toBe(true);
    expect(seen.sent).toBeLessThan(1_000_000);
    await expect(call.receiver.recv()).rejects.toMatchObject({ code: Code.CANCELLED });
  });

  it("a throw inside the loop cancels the RPC too", async () => {
    const seen = countingDownload();
    const call = h.client.download(msg({ count: 1_000_000 }));
    await expect(
      (async () => {
        for await (const m of call.receiver) if (m.id === 1) throw new Error("stop");
      })(),
    ).rejects.toThrow("stop");
    expect(await eventually(() => seen.aborted !== undefined)).toBe(true);
  });

  it("disposing a call cancels it and waits for its end", async () => {
    const seen = countingDownload();
    {
      await using call = h.client.download(msg({ count: 1_000_000 }));
      expect((await call.receiver.recv())?.id).toBe(0);
    }
    expect(await eventually(() => seen.aborted !== undefined)).toBe(true);
  });

  it("cancel() ends the call with CANCELLED on both handles and resolves headers and trailers", async () => {
    h.impl.chat = async (rx, tx) => {
      for await (const m of rx) await tx.send(m);
    };
    const call = h.client.chat();
    await call.sender.send(msg({ id: 1 }));
    expect((await call.receiver.recv())?.id).toBe(1);
    call.cancel();
    await expect(call.receiver.recv()).rejects.toMatchObject({ code: Code.CANCELLED });
    await expect(call.sender.send(msg())).rejects.toMatchObject({ code: Code.CANCELLED });
    await expect(call.headers).resolves.toBeInstanceOf(Metadata);
    await expect(call.trailers).resolves.toBeInstanceOf(Metadata);
  });

  it("an aborted signal cancels a streaming call", async () => {
    const seen = countingDownload();
    const controller = new AbortController();
    const call = h.client.download(msg({ count: 1_000_000 }), { signal: controller.signal });
    await call.receiver.recv();
    controller.abort();
    await expect(
      (async () => {
        for (let i = 0; i < 100_000; i++) if ((await call.receiver.recv()) === undefined) break;
      })(),
    ).rejects.toMatchObject({ code: Code.CANCELLED });
    expect(await eventually(() => seen.aborted !== undefined)).toBe(true);
  });

  it("a streaming call past its deadline ends with DEADLINE_EXCEEDED", async () => {
    h.impl.chat = async (_rx, _tx, ctx) => {
      await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
    };
    const call = h.client.chat({ timeoutMs: 100 });
    await expect(call.receiver.recv()).rejects.toMatchObject({ code: Code.DEADLINE_EXCEEDED });
  });

  it("does not read ahead without bound: a never-read stream keeps the server's sends pending", async () => {
    const seen = countingDownload();
    h.impl.download = async (req, tx, ctx) => {
      const payload = Buffer.alloc(64 * 1024);
      ctx.signal.addEventListener("abort", () => (seen.aborted = ctx.signal.reason), { once: true });
      for (let id = 0; id < req.count && !ctx.signal.aborted; id++) {
        await tx.send(msg({ id, payload })).catch(() => {});
        seen.sent++;
      }
    };
    const call = h.client.download(msg({ count: 2000 }));
    let last = -1;
    for (let i = 0; i < 50 && seen.sent !== last; i++) {
      last = seen.sent;
      await sleep(200);
    }
    // grpc-js windows and two 16-message stream buffers: a few MiB of the 125 MiB.
    expect(seen.sent).toBeLessThan(200);
    let count = 0;
    for await (const _ of call.receiver) count++;
    expect(count).toBe(2000);
  });
});

describe("Receiver wake-ups", () => {
  // The transport's timing cannot be forced over a real connection: a hand-driven Inbound plays the transport.
  function scriptedInbound() {
    const frames: Buffer[] = [];
    let parked: (() => void) | undefined;
    const inbound: Inbound = {
      read: () => frames.shift() ?? null,
      onReadable: (callback) => (parked = callback),
      ended: () => undefined,
      abandon: () => {},
    };
    return { inbound, frames, wake: () => parked?.() };
  }
  const text: Codec<string> = { encode: (s) => Buffer.from(s), decode: (b) => Buffer.from(b).toString() };

  it("ignore a wake-up nobody waits for any more, and keep its message for the next recv()", async () => {
    const t = scriptedInbound();
    const rx = new Receiver(text, t.inbound, false);
    const it = rx[Symbol.asyncIterator]();
    void it.next(); // waits: nothing buffered yet
    await it.return!();
    t.frames.push(Buffer.from("a"), Buffer.from("b"));
    const first = rx.recv(); // served at once from the buffer
    t.wake(); // the wake-up the waiting next() asked for arrives late
    expect(await first).toBe("a");
    expect(await rx.recv()).toBe("b");
  });
});
