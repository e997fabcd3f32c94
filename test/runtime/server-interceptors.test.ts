// Server interceptors on every call kind, over the suite's transport (in memory in the unit tier,
// grpc-js on loopback in the integration tier): what an interceptor can do, and that the handler's
// Sender and Receiver keep their rules whatever it does.
import { afterEach, describe, expect, it } from "vitest";
import { Code, ConcurrentSendError, RpcError, type Channel, type Metadata, type Server, type ServerInterceptor, type ServerResponse } from "safestub";
import { ProbeClient, ProbeService, type ProbeHandlers } from "@backend/probe.js";
import { roundTripOneOfEach } from "../helpers/one-of-each.js";
import { channelTo, eventually, msg, newServer, sleep, type Msg } from "../helpers/probe.js";

let server: Server | undefined;
let channel: Channel | undefined;
afterEach(() => {
  channel?.close();
  server?.forceShutdown();
  server = channel = undefined;
});

async function serve(handlers: Partial<ProbeHandlers>, ...interceptors: ServerInterceptor[]): Promise<ProbeClient> {
  const missing = async () => {
    throw new RpcError(Code.UNIMPLEMENTED, "not in this test");
  };
  server = newServer({ interceptors }).add(ProbeService, { unary: missing, download: missing, upload: missing, chat: missing, ...handlers });
  channel = await channelTo(server);
  return new ProbeClient(channel);
}

const echo: Partial<ProbeHandlers> = {
  unary: (req) => req,
  download: async (req, tx) => {
    for (let i = 0; i < req.count; i++) await tx.send(msg({ id: req.id + i }));
  },
  upload: async (rx) => {
    let id = 0;
    for await (const m of rx) id += m.id;
    return msg({ id });
  },
  chat: async (rx, tx) => {
    for await (const m of rx) await tx.send(m);
  },
};

async function* mapped(messages: AsyncIterable<unknown>, f: (m: Msg) => Msg): AsyncGenerator<unknown> {
  for await (const m of messages) yield f(m as Msg);
}

describe("a server interceptor", () => {
  it("rejects a call before the handler runs (UNAUTHENTICATED with trailers), for every kind", async () => {
    let ran = 0;
    const auth: ServerInterceptor = (next) => async (req) => {
      if (req.context.metadata.get("authorization") !== "Bearer good") {
        req.context.setTrailer("www-authenticate", "Bearer");
        throw new RpcError(Code.UNAUTHENTICATED, "bad token");
      }
      return next(req);
    };
    const counted = Object.fromEntries(Object.entries(echo).map(([k, f]) => [k, (...a: unknown[]) => (ran++, (f as (...a: unknown[]) => unknown)(...a))]));
    const client = await serve(counted, auth);
    const bad = { metadata: { authorization: "Bearer bad" } };
    for (const call of [
      () => client.unary(msg(), bad),
      () => client.download(msg({ count: 1 }), bad).receiver.recv(),
      () => client.upload(bad).response,
      () => client.chat(bad).receiver.recv(),
    ]) {
      const err = await call().then(
        () => undefined,
        (e: unknown) => e as RpcError,
      );
      expect(err).toMatchObject({ code: Code.UNAUTHENTICATED, details: "bad token" });
      expect(err!.metadata.get("www-authenticate")).toBe("Bearer");
    }
    expect(ran).toBe(0);
    const good = new ProbeClient(channel!, { metadata: { authorization: "Bearer good" } });
    expect(await roundTripOneOfEach(good)).toMatchObject({ unary: 1, download: [1, 2, 3], upload: 6, chat: [1, 2, 3] });
    expect(ran).toBe(4);
  });

  it("sees the method, metadata, peer, deadline and signal, and wraps the handler: the response iteration ends when it returned", async () => {
    const log: string[] = [];
    const timing: ServerInterceptor = (next) => async (req) => {
      const { context } = req;
      log.push(`${req.method.kind} ${req.method.path} x=${String(context.metadata.get("x") ?? "")} deadline=${context.deadline !== undefined} peer=${context.peer.length > 0} aborted=${context.signal.aborted}`);
      const res = await next(req);
      return {
        messages: (async function* () {
          yield* res.messages;
          log.push(`${req.method.kind} handler returned`);
        })(),
      };
    };
    const client = await serve(echo, timing);
    await client.unary(msg({ id: 1 }), { metadata: { x: "1" }, timeoutMs: 5000 });
    await roundTripOneOfEach(client);
    expect(log.slice(0, 2)).toEqual(["unary /safestub.testing.Probe/Unary x=1 deadline=true peer=true aborted=false", "unary handler returned"]);
    expect(log.filter((l) => l.endsWith("handler returned"))).toEqual(["unary handler returned", "unary handler returned", "server_streaming handler returned", "client_streaming handler returned", "bidi_streaming handler returned"]);
  });

  it("transforms every message in and out, in order, for every kind", async () => {
    const log: string[] = [];
    const scale: ServerInterceptor = (next) => async (req) => {
      const res = await next({
        ...req,
        messages: mapped(req.messages, (m) => {
          log.push(`in ${m.id}`);
          return { ...m, id: m.id * 10 };
        }),
      });
      return {
        messages: mapped(res.messages, (m) => {
          log.push(`out ${m.id}`);
          return { ...m, id: m.id + 1 };
        }),
      };
    };
    const client = await serve(echo, scale);
    expect(await roundTripOneOfEach(client)).toMatchObject({ unary: 11, download: [11, 12, 13], upload: 61, chat: [11, 21, 31] });
    expect(log).toEqual(["in 1", "out 10", "in 1", "out 10", "out 11", "out 12", "in 1", "in 2", "in 3", "out 60", "in 1", "out 10", "in 2", "out 20", "in 3", "out 30"]);
  });

  it("maps what a handler threw to a status, and sets trailers when it throws", async () => {
    const mapErrors: ServerInterceptor = (next) => async (req) => {
      const res = await next(req);
      return {
        messages: (async function* () {
          try {
            yield* res.messages;
          } catch (err) {
            if (!req.context.headersSent) req.context.setHeader("x-failed-header", "yes");
            req.context.setTrailer("x-failed", "yes");
            if (err instanceof Error && err.message === "db down") throw new RpcError(Code.UNAVAILABLE, "try later");
            throw err;
          }
        })(),
      };
    };
    const client = await serve(
      {
        unary: async () => {
          throw new Error("db down");
        },
        download: async (_req, tx) => {
          await tx.send(msg({ id: 1 }));
          throw new Error("db down");
        },
      },
      mapErrors,
    );
    let headers: Metadata | undefined;
    const unary = await client.unary(msg(), { onHeaders: (md) => (headers = md) }).then(
      () => undefined,
      (e: unknown) => e as RpcError,
    );
    expect(unary).toMatchObject({ code: Code.UNAVAILABLE, details: "try later" });
    expect(unary!.metadata.get("x-failed")).toBe("yes");
    expect(headers?.get("x-failed-header")).toBe("yes");
    const download = client.download(msg());
    expect((await download.receiver.recv())?.id).toBe(1);
    await expect(download.receiver.recv()).rejects.toMatchObject({ code: Code.UNAVAILABLE });
    expect((await download.trailers).get("x-failed")).toBe("yes");
  });

  it("keeps the handler's rules, cancellation and backpressure behind a pass-through interceptor", async () => {
    const passThrough: ServerInterceptor = (next) => async (req): Promise<ServerResponse> => next(req);
    let concurrent: unknown;
    let sent = 0;
    let cancelledWith: unknown;
    const client = await serve(
      {
        chat: async (rx, tx) => {
          const first = tx.send(msg({ id: 1 }));
          concurrent = await tx.send(msg({ id: 2 })).catch((e: unknown) => e);
          await first;
          try {
            for await (const _ of rx);
          } catch (err) {
            cancelledWith = err;
          }
        },
        download: async (_req, tx, ctx) => {
          const payload = Buffer.alloc(16 * 1024);
          while (!ctx.signal.aborted && sent < 10_000) {
            await tx.send(msg({ payload })).catch(() => {});
            sent++;
          }
        },
      },
      passThrough,
    );
    const chat = client.chat();
    expect((await chat.receiver.recv())?.id).toBe(1);
    expect(concurrent).toBeInstanceOf(ConcurrentSendError);
    chat.cancel();
    expect(await eventually(() => cancelledWith !== undefined)).toBe(true);
    expect(cancelledWith).toMatchObject({ code: Code.CANCELLED });

    const download = client.download(msg());
    expect((await download.receiver.recv())?.payload.length).toBe(16 * 1024);
    await sleep(300);
    const stalledAt = sent;
    await sleep(200);
    expect(sent).toBe(stalledAt);
    expect(sent).toBeLessThan(200);
    download.cancel();
  });

  it("learns how the call ended from req.outcome, also for statuses decided after the chain", async () => {
    const outcomes: string[] = [];
    const watch: ServerInterceptor = (next) => async (req) => {
      void req.outcome.then((o) => outcomes.push(`${req.method.name} ${o === "ok" ? "OK" : Code[o.code]}`));
      return next(req);
    };
    const client = await serve(
      {
        unary: (req) => {
          if (req.id === 1) throw new Error("a bug"); // UNKNOWN on the wire
          if (req.id === 2) return "not a message" as never; // INTERNAL: the response does not encode
          return req;
        },
        download: async (_req, _tx, ctx) => {
          ctx.sendHeaders(); // so that the client knows the handler runs
          await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
        },
      },
      watch,
    );
    await client.unary(msg({ id: 0 }));
    await expect(client.unary(msg({ id: 1 }))).rejects.toMatchObject({ code: Code.UNKNOWN });
    await expect(client.unary(msg({ id: 2 }))).rejects.toMatchObject({ code: Code.INTERNAL });
    const download = client.download(msg());
    await download.headers;
    download.cancel();
    expect(await eventually(() => outcomes.length === 4)).toBe(true);
    expect(outcomes).toEqual(["Unary OK", "Unary UNKNOWN", "Unary INTERNAL", "Download CANCELLED"]);
  });

  it("that throws a plain Error gives the client UNKNOWN and onHandlerError the error, never an unhandled rejection", async () => {
    const errors: unknown[] = [];
    const broken: ServerInterceptor = () => async () => {
      throw new Error("interceptor internals");
    };
    server = newServer({ interceptors: [broken], onHandlerError: (err) => errors.push(err) }).add(ProbeService, {
      unary: (req) => req,
      download: async () => {},
      upload: async () => msg({}),
      chat: async () => {},
    });
    channel = await channelTo(server);
    const client = new ProbeClient(channel);
    await expect(client.unary(msg())).rejects.toMatchObject({ code: Code.UNKNOWN, details: "Unknown error" });
    await expect(client.chat().receiver.recv()).rejects.toMatchObject({ code: Code.UNKNOWN });
    expect(errors.map((e) => (e as Error).message)).toEqual(["interceptor internals", "interceptor internals"]);
  });
});

describe("a handler that calls another service", () => {
  it("passes its deadline and cancellation on in one line: { signal: ctx.signal, deadline: ctx.deadline }", async () => {
    let downstream: { deadline: Date | undefined; aborted: Promise<unknown> } | undefined;
    let client!: ProbeClient;
    client = await serve({
      unary: async (req, ctx) => {
        if (req.text === "downstream") {
          downstream = { deadline: ctx.deadline, aborted: new Promise((resolve) => ctx.signal.addEventListener("abort", () => resolve(ctx.signal.reason), { once: true })) };
          await downstream.aborted;
          return req;
        }
        // The one line: this call ends when the incoming one does, and no later than its deadline.
        return client.unary(msg({ text: "downstream" }), { signal: ctx.signal, deadline: ctx.deadline });
      },
    });
    const started = Date.now();
    const abort = new AbortController();
    const upstream = client.unary(msg({ text: "upstream" }), { timeoutMs: 5000, signal: abort.signal });
    expect(await eventually(() => downstream !== undefined)).toBe(true);
    expect(downstream!.deadline!.getTime()).toBeLessThanOrEqual(started + 5000 + 50);
    expect(downstream!.deadline!.getTime()).toBeGreaterThan(started + 4000);
    abort.abort();
    await expect(upstream).rejects.toMatchObject({ code: Code.CANCELLED });
    // The upstream handler's signal aborted, so its own call was cancelled, and the downstream handler saw it.
    expect(await downstream!.aborted).toMatchObject({ code: Code.CANCELLED });
  });
});
