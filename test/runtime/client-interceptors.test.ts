// Client interceptors on every call shape, over the suite's transport (in memory in the unit tier,
// grpc-js on loopback in the integration tier): what an interceptor can do, and that the caller's
// Sender and Receiver keep their rules whatever it does.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Code, ConcurrentSendError, Metadata, RpcError, type Channel, type ClientInterceptor, type ClientResponse } from "safestub";
import { ProbeClient } from "@backend/probe.js";
import { roundTripOneOfEach } from "../helpers/one-of-each.js";
import { ProbeHarness, eventually, msg, sleep, type Msg } from "../helpers/probe.js";

let h: ProbeHarness;
const channels: Channel[] = [];
beforeAll(async () => {
  h = await ProbeHarness.start();
});
afterAll(() => h.close());
afterEach(() => {
  for (const c of channels.splice(0)) c.close();
});

/** A client on a fresh Channel with these interceptors. */
function clientWith(...interceptors: ClientInterceptor[]): ProbeClient {
  const channel = h.newChannel(interceptors);
  channels.push(channel);
  return new ProbeClient(channel);
}

/** Echo handlers that also report the request metadata key "x-seen" back in `text`. */
function echoHandlers(): void {
  h.impl = {
    unary: (req, ctx) => msg({ ...req, text: String(ctx.metadata.get("x-token") ?? "") }),
    download: async (req, tx, ctx) => {
      for (let i = 0; i < req.count; i++) await tx.send(msg({ id: req.id + i, text: String(ctx.metadata.get("x-token") ?? "") }));
    },
    upload: async (rx, ctx) => {
      let sum = 0;
      for await (const m of rx) sum += m.id;
      return msg({ id: sum, text: String(ctx.metadata.get("x-token") ?? "") });
    },
    chat: async (rx, tx) => {
      for await (const m of rx) await tx.send(m);
    },
  };
}

/** Maps every message with `f`, in order, one at a time. */
async function* mapped(messages: AsyncIterable<unknown>, f: (m: Msg) => Msg): AsyncGenerator<unknown> {
  for await (const m of messages) yield f(m as Msg);
}

describe("a client interceptor", () => {
  it("changes metadata after awaiting (a token refresh), for every call shape; a send made meanwhile waits with it and arrives", async () => {
    echoHandlers();
    const seen: string[] = [];
    const token: ClientInterceptor = (next) => async (req) => {
      await sleep(20); // the refresh
      req.metadata.set("x-token", "t1");
      seen.push(req.method.kind);
      return next(req);
    };
    const client = clientWith(token);
    expect(await roundTripOneOfEach(client)).toEqual({ unary: 1, unaryText: "t1", download: [1, 2, 3], upload: 6, chat: [1, 2, 3] });
    expect(seen).toEqual(["unary", "server_streaming", "client_streaming", "bidi_streaming"]);

    // While the interceptor awaits: the first send waits (not refused, not lost); a second one in the
    // same tick is refused at once, as always.
    const upload = client.upload();
    const first = upload.sender.send(msg({ id: 5 }));
    await expect(upload.sender.send(msg({ id: 6 }))).rejects.toBeInstanceOf(ConcurrentSendError);
    await first;
    await upload.sender.close();
    expect(await upload.response).toMatchObject({ id: 5, text: "t1" });
  });

  it("sees and transforms every outgoing and incoming message, in order, on every shape", async () => {
    echoHandlers();
    const log: string[] = [];
    const scale: ClientInterceptor = (next) => async (req) => {
      const res = await next({
        ...req,
        messages: mapped(req.messages, (m) => {
          log.push(`out ${m.id}`);
          return { ...m, id: m.id * 10 };
        }),
      });
      return {
        ...res,
        messages: mapped(res.messages, (m) => {
          log.push(`in ${m.id}`);
          return { ...m, id: m.id + 1 };
        }),
      };
    };
    const client = clientWith(scale);
    expect(await roundTripOneOfEach(client)).toMatchObject({ unary: 11, download: [11, 12, 13], upload: 61, chat: [11, 21, 31] });
    expect(log, log.join()).toEqual(["out 1", "in 10", "out 1", "in 10", "in 11", "in 12", "out 1", "out 2", "out 3", "in 60", "out 1", "in 10", "out 2", "in 20", "out 3", "in 30"]);
  });

  it("sees headers, trailers and the final status, on success and on error", async () => {
    const outcomes: string[] = [];
    const watch: ClientInterceptor = (next) => async (req) => {
      let res: ClientResponse;
      try {
        res = await next(req);
      } catch (err) {
        outcomes.push(`${req.method.kind} failed before headers ${Code[(err as RpcError).code]}`);
        throw err;
      }
      void res.outcome.then(async (o) => {
        const trailers = await res.trailers;
        outcomes.push(`${req.method.kind} ${o === "ok" ? "OK" : Code[o.code]} h=${String(res.headers.get("x-h") ?? "")} t=${String(trailers.get("x-t") ?? "")}`);
      });
      return res;
    };
    h.impl = {
      unary: (req, ctx) => {
        ctx.setTrailer("x-t", "u");
        if (req.id < 0) throw new RpcError(Code.NOT_FOUND, "no such id");
        return req;
      },
      download: async (req, tx, ctx) => {
        ctx.setHeader("x-h", "d");
        ctx.setTrailer("x-t", "d");
        await tx.send(req);
        if (req.id < 0) throw new RpcError(Code.FAILED_PRECONDITION, "stop");
      },
    };
    const client = clientWith(watch);
    await client.unary(msg({ id: 1 }));
    await expect(client.unary(msg({ id: -1 }))).rejects.toMatchObject({ code: Code.NOT_FOUND });
    for await (const _ of client.download(msg({ id: 1 })).receiver);
    const failing = client.download(msg({ id: -1 }));
    expect((await failing.receiver.recv())?.id).toBe(-1);
    await expect(failing.receiver.recv()).rejects.toMatchObject({ code: Code.FAILED_PRECONDITION });
    expect(await eventually(() => outcomes.length === 4)).toBe(true);
    expect(outcomes).toEqual(["unary OK h= t=u", "unary failed before headers NOT_FOUND", "server_streaming OK h=d t=d", "server_streaming FAILED_PRECONDITION h=d t=d"]);
  });

  it("fails the call with an RpcError before anything reaches the wire", async () => {
    let calls = 0;
    h.impl = {
      unary: (req) => (calls++, req),
      chat: async () => void calls++,
    };
    const deny: ClientInterceptor = () => async () => {
      throw new RpcError(Code.UNAUTHENTICATED, "no token", new Metadata({ "x-why": "expired" }));
    };
    const client = clientWith(deny);
    await expect(client.unary(msg())).rejects.toMatchObject({ code: Code.UNAUTHENTICATED, details: "no token" });
    const chat = client.chat();
    await expect(chat.receiver.recv()).rejects.toMatchObject({ code: Code.UNAUTHENTICATED });
    await expect(chat.sender.send(msg())).rejects.toMatchObject({ code: Code.UNAUTHENTICATED });
    expect(calls).toBe(0);
  });

  it("retries a unary call (next called twice) or answers it from a cache (next never called)", async () => {
    let calls = 0;
    h.impl = {
      unary: (req) => {
        if (++calls === 1) throw new RpcError(Code.UNAVAILABLE, "try again");
        return req;
      },
    };
    const retry: ClientInterceptor = (next) => async (req) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await next(req);
        } catch (err) {
          if (attempt >= 3 || !(err instanceof RpcError) || err.code !== Code.UNAVAILABLE) throw err;
        }
      }
    };
    expect((await clientWith(retry).unary(msg({ id: 7 }))).id).toBe(7);
    expect(calls).toBe(2);

    const cache: ClientInterceptor = () => async () => ({
      headers: new Metadata(),
      messages: [msg({ id: 42, text: "cached" })].values() as unknown as AsyncIterable<unknown>,
      trailers: Promise.resolve(new Metadata()),
      outcome: Promise.resolve("ok" as const),
    });
    expect(await clientWith(cache).unary(msg({ id: 1 }))).toMatchObject({ id: 42, text: "cached" });
    expect(calls).toBe(2);
  });

  it("that throws (synchronously, by rejecting, or from a message) gives the caller INTERNAL, never an unhandled rejection", async () => {
    echoHandlers();
    const sync: ClientInterceptor = () => () => {
      throw new Error("sync boom");
    };
    const rejecting: ClientInterceptor = () => () => Promise.reject(new Error("async boom"));
    const inMessages: ClientInterceptor = (next) => async (req) => {
      const res = await next(req);
      return {
        ...res,
        messages: mapped(res.messages, () => {
          throw new Error("message boom");
        }),
      };
    };
    for (const [interceptor, text] of [
      [sync, "sync boom"],
      [rejecting, "async boom"],
      [inMessages, "message boom"],
    ] as const) {
      const client = clientWith(interceptor);
      await expect(client.unary(msg())).rejects.toMatchObject({ code: Code.INTERNAL, details: `a client interceptor failed: ${text}` });
      const chat = client.chat();
      await chat.sender.send(msg({ id: 1 })).catch(() => {});
      await expect(chat.receiver.recv()).rejects.toMatchObject({ code: Code.INTERNAL });
    }
  });

  it("keeps cancellation: cancel while the interceptor awaits, break out of for-await, and dispose all cancel the call", async () => {
    let cancelled = 0;
    h.impl = {
      download: async (_req, tx, ctx) => {
        for (let id = 0; !ctx.signal.aborted; id++) await tx.send(msg({ id })).catch(() => {});
        cancelled++;
      },
      chat: async (rx) => {
        for await (const _ of rx);
      },
    };
    const slow: ClientInterceptor = (next) => async (req) => {
      await sleep(30);
      return next(req);
    };
    const client = clientWith(slow);
    const early = client.chat();
    early.cancel("changed my mind");
    await expect(early.receiver.recv()).rejects.toMatchObject({ code: Code.CANCELLED });
    await expect(early.sender.send(msg())).rejects.toMatchObject({ code: Code.CANCELLED });

    for await (const m of client.download(msg()).receiver) if (m.id === 3) break;
    {
      await using d = client.download(msg());
      expect((await d.receiver.recv())?.id).toBe(0);
    }
    expect(await eventually(() => cancelled === 2)).toBe(true);
  });

  it("ends at once when the caller aborts or the Channel closes, even while an interceptor still awaits", async () => {
    echoHandlers();
    const never: ClientInterceptor = () => () => new Promise(() => {}); // an interceptor stuck forever
    const client = clientWith(never);
    const abort = new AbortController();
    const unary = client.unary(msg(), { signal: abort.signal });
    abort.abort("user left");
    await expect(unary).rejects.toMatchObject({ code: Code.CANCELLED });

    const pendingUnary = client.unary(msg());
    const chat = client.chat();
    const firstSend = chat.sender.send(msg({ id: 1 }));
    channels[0]!.close();
    await expect(pendingUnary).rejects.toMatchObject({ code: Code.CANCELLED, details: "channel closed" });
    await expect(chat.receiver.recv()).rejects.toMatchObject({ code: Code.CANCELLED, details: "channel closed" });
    await expect(firstSend).rejects.toMatchObject({ code: Code.CANCELLED });
    // And a call started on the closed Channel fails at once.
    await expect(client.unary(msg())).rejects.toMatchObject({ code: Code.CANCELLED });
  });

  it("runs in order: the Channel's first (outermost), then the client's defaults, then the call's own", async () => {
    echoHandlers();
    const order: string[] = [];
    const named =
      (name: string): ClientInterceptor =>
      (next) =>
      async (req) => {
        order.push(`${name} in`);
        const res = await next(req);
        order.push(`${name} out`);
        return res;
      };
    const channel = h.newChannel([named("channel1"), named("channel2")]);
    channels.push(channel);
    const client = new ProbeClient(channel, { interceptors: [named("client")] });
    await client.unary(msg(), { interceptors: [named("call")] });
    expect(order).toEqual(["channel1 in", "channel2 in", "client in", "call in", "call out", "client out", "channel2 out", "channel1 out"]);
  });

  it("keeps backpressure: a stream nobody reads stays paused through a pass-through interceptor", async () => {
    let sent = 0;
    h.impl = {
      download: async (_req, tx, ctx) => {
        const payload = Buffer.alloc(16 * 1024);
        while (!ctx.signal.aborted && sent < 10_000) {
          await tx.send(msg({ payload })).catch(() => {});
          sent++;
        }
      },
    };
    const passThrough: ClientInterceptor = (next) => async (req) => next(req);
    const call = clientWith(passThrough).download(msg());
    expect((await call.receiver.recv())?.payload.length).toBe(16 * 1024);
    await sleep(300);
    const stalledAt = sent;
    await sleep(200);
    expect(sent).toBe(stalledAt);
    // 10,000 × 16 KiB would be 160 MiB: only flow-control windows and small buffers are in flight.
    expect(sent).toBeLessThan(200);
    call.cancel();
  });
});
