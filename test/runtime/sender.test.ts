import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConcurrentSendError, RpcError, SendAfterCloseError, StreamEndedError, StreamUsageError } from "safestub";
import type { Msg } from "../helpers/probe.js";
import { ProbeHarness, eventually, msg, sleep } from "../helpers/probe.js";

let h: ProbeHarness;
beforeAll(async () => {
  h = await ProbeHarness.start();
});
afterAll(() => h.close());

/** An upload handler that collects every message id it receives. */
function collectUploads(): { ids: number[]; done: Promise<void> } {
  const ids: number[] = [];
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  h.impl.upload = async (rx) => {
    for await (const m of rx) ids.push(m.id);
    finished();
    return msg({ count: ids.length });
  };
  return { ids, done };
}

describe("Sender", () => {
  it("refuses a second send in the same tick; the server receives exactly the accepted messages, in order", async () => {
    const got = collectUploads();
    const call = h.client.upload();
    const results = await Promise.allSettled([call.sender.send(msg({ id: 1 })), call.sender.send(msg({ id: 2 }))]);
    expect(results[0].status).toBe("fulfilled");
    expect(results[1].status).toBe("rejected");
    const refusal = (results[1] as PromiseRejectedResult).reason as unknown;
    expect(refusal).toBeInstanceOf(ConcurrentSendError);
    expect(refusal).toBeInstanceOf(StreamUsageError);
    await call.sender.send(msg({ id: 3 }));
    await call.sender.close();
    expect((await call.response).count).toBe(2);
    await got.done;
    expect(got.ids).toEqual([1, 3]);
  });

  it("refuses every operation while one is pending, including close and sendAll", async () => {
    const got = collectUploads();
    const call = h.client.upload();
    // All issued in one tick, before the first send could settle.
    const first = call.sender.send(msg({ id: 10 }));
    const second = call.sender.send(msg({ id: 11 }));
    const third = call.sender.sendAll([msg({ id: 12 })]);
    const fourth = call.sender.close();
    await expect(second).rejects.toBeInstanceOf(ConcurrentSendError);
    await expect(third).rejects.toBeInstanceOf(ConcurrentSendError);
    await expect(fourth).rejects.toBeInstanceOf(ConcurrentSendError);
    await first;
    await call.sender.sendAll([msg({ id: 13 }), msg({ id: 14 })]);
    await call.sender.close();
    await call.response;
    await got.done;
    expect(got.ids).toEqual([10, 13, 14]);
  });

  it("sendAll holds the send slot until its last message was admitted", async () => {
    const got = collectUploads();
    const call = h.client.upload();
    async function* slowly(): AsyncGenerator<Msg> {
      for (let id = 1; id <= 5; id++) {
        await sleep(5);
        yield msg({ id });
      }
    }
    const all = call.sender.sendAll(slowly());
    await sleep(12);
    await expect(call.sender.send(msg({ id: 99 }))).rejects.toBeInstanceOf(ConcurrentSendError);
    await all;
    await call.sender.close();
    await call.response;
    await got.done;
    expect(got.ids).toEqual([1, 2, 3, 4, 5]);
  });

  it("refuses sends after close() with SendAfterCloseError; a second close() is a no-op", async () => {
    collectUploads();
    const call = h.client.upload();
    await call.sender.send(msg({ id: 1 }));
    await call.sender.close();
    await expect(call.sender.send(msg({ id: 2 }))).rejects.toBeInstanceOf(SendAfterCloseError);
    await expect(call.sender.sendAll([msg()])).rejects.toBeInstanceOf(SendAfterCloseError);
    await expect(call.sender.close()).resolves.toBeUndefined();
    expect((await call.response).count).toBe(1);
  });

  it("rejects a send after the RPC failed with that RPC's RpcError, and after an OK end with StreamEndedError", async () => {
    h.impl.chat = async () => {
      throw new RpcError(Code.FAILED_PRECONDITION, "not today");
    };
    const failed = h.client.chat();
    await expect(failed.receiver.recv()).rejects.toMatchObject({ code: Code.FAILED_PRECONDITION });
    const err = await failed.sender.send(msg()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe(Code.FAILED_PRECONDITION);

    h.impl.chat = async () => {};
    const ended = h.client.chat();
    await expect(ended.receiver.recv()).resolves.toBeUndefined();
    await expect(ended.sender.send(msg())).rejects.toBeInstanceOf(StreamEndedError);
  });

  it("does not wait for response headers before sending", async () => {
    let received = 0;
    h.impl.upload = async (rx, ctx) => {
      // Headers are held back until the whole upload arrived.
      for await (const _ of rx) received++;
      ctx.setHeader("x-late", "yes");
      return msg({ count: received });
    };
    const call = h.client.upload();
    for (let id = 0; id < 20; id++) await call.sender.send(msg({ id }));
    await call.sender.close();
    expect((await call.response).count).toBe(20);
    expect((await call.headers).get("x-late")).toBe("yes");
  });

  it("applies backpressure: sends stop resolving while the server does not read, memory stays bounded, nothing is lost", async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let bytes = 0;
    let count = 0;
    h.impl.upload = async (rx) => {
      await released;
      for await (const m of rx) {
        bytes += m.payload.length;
        count++;
      }
      return msg({ count });
    };
    const call = h.client.upload();
    const payload = Buffer.alloc(64 * 1024, 7);
    const total = 400; // 25 MiB if nothing pushed back
    let admitted = 0;
    const sending = (async () => {
      for (let id = 0; id < total; id++) {
        await call.sender.send(msg({ id, payload }));
        admitted++;
      }
      await call.sender.close();
    })();
    // Wait until the sender stalls (no progress for 300 ms), bounded by 10 s.
    let last = -1;
    for (let i = 0; i < 100 && admitted !== last; i++) {
      last = admitted;
      await sleep(300);
    }
    expect(admitted).toBeLessThan(total);
    // Flow control windows + one 16-message writable buffer: a few MiB, far from 25 MiB.
    expect(admitted * payload.length).toBeLessThan(12 * 1024 * 1024);
    release();
    await sending;
    expect((await call.response).count).toBe(total);
    expect(await eventually(() => bytes === total * payload.length)).toBe(true);
  });
});
