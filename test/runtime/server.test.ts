import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConcurrentRecvError, ConcurrentSendError, Metadata, RpcError, SendAfterCloseError, StreamEndedError, StreamUsageError, type Sender } from "safestub";
import type { Msg } from "../helpers/probe.js";
import { ProbeService } from "@backend/probe.js";
import { ProbeHarness, channelTo, eventually, msg, newServer, overSockets, sleep } from "../helpers/probe.js";

let h: ProbeHarness;
beforeAll(async () => {
  h = await ProbeHarness.start();
});
afterAll(() => h.close());

describe("server handlers", () => {
  it("refuse a second send in the same tick and a send after close on the server Sender; the client gets the accepted messages in order", async () => {
    const refusals: unknown[] = [];
    h.impl.download = async (_req, tx) => {
      const [a, b] = await Promise.allSettled([tx.send(msg({ id: 1 })), tx.send(msg({ id: 2 }))]);
      if (a.status === "rejected") throw a.reason;
      refusals.push(b.status === "rejected" ? b.reason : "accepted");
      await tx.send(msg({ id: 3 }));
      await tx.close();
      refusals.push(await tx.send(msg({ id: 4 })).catch((e: unknown) => e));
    };
    const call = h.client.download(msg());
    const ids: number[] = [];
    for await (const m of call.receiver) ids.push(m.id);
    expect(ids).toEqual([1, 3]);
    expect(refusals[0]).toBeInstanceOf(ConcurrentSendError);
    expect(refusals[1]).toBeInstanceOf(SendAfterCloseError);
  });

  it("refuse a second receive loop on the server Receiver, and leaving a loop early does not cancel the call", async () => {
    let inner: unknown;
    h.impl.upload = async (rx) => {
      let first: Msg | undefined;
      for await (const m of rx) {
        first = m;
        try {
          for await (const _ of rx) break;
        } catch (err) {
          inner = err;
        }
        break;
      }
      // The call is still alive: keep reading where the loop stopped, then respond.
      let rest = 0;
      for (let m = await rx.recv(); m !== undefined; m = await rx.recv()) rest++;
      return msg({ id: first?.id ?? -1, count: rest });
    };
    const call = h.client.upload();
    await call.sender.sendAll([msg({ id: 5 }), msg({ id: 6 }), msg({ id: 7 })]);
    await call.sender.close();
    const res = await call.response;
    expect(res.id).toBe(5);
    expect(res.count).toBe(2);
    expect(inner).toBeInstanceOf(ConcurrentRecvError);
  });

  it("set response headers and trailers on streaming calls; setHeader after the headers went out is refused", async () => {
    let late: unknown;
    h.impl.chat = async (rx, tx, ctx) => {
      ctx.setHeader("x-server", "probe");
      ctx.setHeader("x-token-bin", new Uint8Array([9, 8, 7]));
      for await (const m of rx) await tx.send(m);
      try {
        ctx.setHeader("x-too-late", "1");
      } catch (err) {
        late = err;
      }
      ctx.setTrailer("x-summary", "done");
    };
    const call = h.client.chat();
    await call.sender.send(msg({ id: 1 }));
    const headers = await call.headers;
    expect(headers.get("x-server")).toBe("probe");
    expect([...(headers.get("x-token-bin") as Uint8Array)]).toEqual([9, 8, 7]);
    expect((await call.receiver.recv())?.id).toBe(1);
    await call.sender.close();
    await expect(call.receiver.recv()).resolves.toBeUndefined();
    expect((await call.trailers).get("x-summary")).toBe("done");
    expect(late).toBeInstanceOf(StreamUsageError);
  });

  it("send headers at once with sendHeaders(), before any message", async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    h.impl.download = async (_req, tx, ctx) => {
      ctx.setHeader("x-early", "yes");
      ctx.sendHeaders();
      await released;
      await tx.send(msg({ id: 1 }));
    };
    const call = h.client.download(msg());
    expect((await call.headers).get("x-early")).toBe("yes");
    release();
    expect((await call.receiver.recv())?.id).toBe(1);
  });

  it("send headers and trailers with an error status (trailers-only when nothing was sent)", async () => {
    h.impl.upload = async (_rx, ctx) => {
      ctx.setHeader("x-h", "1");
      ctx.setTrailer("x-t", "2");
      throw new RpcError(Code.PERMISSION_DENIED, "no", new Metadata({ "x-e": "3" }));
    };
    const call = h.client.upload();
    const err = await call.response.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe(Code.PERMISSION_DENIED);
    expect((err as RpcError).metadata.get("x-t")).toBe("2");
    expect((err as RpcError).metadata.get("x-e")).toBe("3");
    expect((await call.headers).get("x-h")).toBe("1");
  });

  it.runIf(overSockets)("keep transport headers (content-type, te) out of the metadata both sides see, as gRPC-Go does", async () => {
    let seen: string[] = [];
    h.impl.unary = async (req, ctx) => {
      seen = [...ctx.metadata.keys()];
      if (req.text === "fail") throw new RpcError(Code.ABORTED, "trailers-only");
      return msg();
    };
    let headers: string[] = [];
    let trailers: string[] = [];
    const observe = { onHeaders: (md: Metadata) => (headers = [...md.keys()]), onTrailers: (md: Metadata) => (trailers = [...md.keys()]) };
    await h.client.unary(msg(), { ...observe, metadata: { "x-app": "1" } });
    expect(seen).toContain("x-app");
    expect(seen).toContain("user-agent");
    for (const keys of [seen, headers, trailers]) expect(keys).not.toContain("content-type");
    expect(seen).not.toContain("te");
    // A trailers-only response: grpc-js hands its HTTP/2 headers over as trailers.
    const err = await h.client.unary(msg({ text: "fail" }), observe).catch((e: unknown) => e);
    expect((err as RpcError).code).toBe(Code.ABORTED);
    expect(trailers.length).toBeGreaterThan(0);
    expect(trailers).not.toContain("content-type");
    expect([...(err as RpcError).metadata.keys()]).not.toContain("content-type");
  });

  it("run each call on its own: a stuck handler and a throwing one do not affect others", async () => {
    let unstick!: () => void;
    const stuck = new Promise<void>((resolve) => (unstick = resolve));
    h.impl.unary = async (req) => {
      if (req.text === "stuck") await stuck;
      if (req.text === "throw") throw new Error("boom");
      return msg({ text: `ok ${req.text}` });
    };
    const slow = h.client.unary(msg({ text: "stuck" }));
    const failing = h.client.unary(msg({ text: "throw" })).catch((e: unknown) => e);
    const quick = await Promise.all(Array.from({ length: 20 }, (_, i) => h.client.unary(msg({ text: String(i) }))));
    expect(quick.map((r) => r.text)).toEqual(Array.from({ length: 20 }, (_, i) => `ok ${i}`));
    expect(((await failing) as RpcError).code).toBe(Code.UNKNOWN);
    unstick();
    expect((await slow).text).toBe("ok stuck");
  });

  it("refuse sends from a Sender kept after its handler returned", async () => {
    let kept: Sender<Msg> | undefined;
    h.impl.download = async (_req, tx) => {
      kept = tx;
    };
    const call = h.client.download(msg());
    await expect(call.receiver.recv()).resolves.toBeUndefined();
    await expect(kept!.send(msg())).rejects.toBeInstanceOf(StreamEndedError);
  });

  it("abort ctx.signal when the client cancels a stream, and the handler's pending send rejects; a signal first read after the cancel is already aborted", async () => {
    let outcome: unknown;
    h.impl.download = async (_req, tx, ctx) => {
      const payload = Buffer.alloc(64 * 1024);
      try {
        for (let id = 0; id < 100_000; id++) await tx.send(msg({ id, payload }));
      } catch (err) {
        // The first look at ctx.signal (the runtime makes it on demand).
        outcome = { err, aborted: ctx.signal.aborted, reason: ctx.signal.reason };
      }
    };
    const call = h.client.download(msg());
    await call.receiver.recv();
    call.cancel();
    expect(await eventually(() => outcome !== undefined)).toBe(true);
    const { err, aborted, reason } = outcome as { err: RpcError; aborted: boolean; reason: RpcError };
    expect(err).toBeInstanceOf(RpcError);
    expect(err.code).toBe(Code.CANCELLED);
    expect(aborted).toBe(true);
    expect(reason).toBe(err);
  });

  it("report handler errors to onHandlerError and refuse incomplete or duplicate services", async () => {
    const logged: unknown[] = [];
    const server = newServer({ onHandlerError: (err) => logged.push(err) });
    const handlers = {
      unary: () => {
        throw new Error("inside");
      },
      download: async () => {},
      upload: async () => msg(),
      chat: async () => {},
    };
    server.add(ProbeService, handlers);
    expect(() => server.add(ProbeService, handlers)).toThrow(TypeError);
    expect(() => newServer().add(ProbeService, { ...handlers, chat: undefined } as never)).toThrow(/no handler for Chat/);
    const { ProbeClient } = await import("@backend/probe.js");
    const channel = await channelTo(server);
    try {
      await expect(new ProbeClient(channel).unary(msg())).rejects.toMatchObject({ code: Code.UNKNOWN, details: "Unknown error" });
      expect(logged).toHaveLength(1);
      expect((logged[0] as Error).message).toBe("inside");
    } finally {
      channel.close();
      await server.shutdown({ graceMs: 100 });
    }
  });
});

describe("a partial service (addPartial)", () => {
  it("serves the handlers it was given; every other method answers UNIMPLEMENTED", async () => {
    const server = newServer().addPartial(ProbeService, { unary: (req) => req });
    const { ProbeClient } = await import("@backend/probe.js");
    const channel = await channelTo(server);
    try {
      const client = new ProbeClient(channel);
      expect((await client.unary(msg({ id: 3 }))).id).toBe(3);
      await expect(client.download(msg()).receiver.recv()).rejects.toMatchObject({ code: Code.UNIMPLEMENTED, details: "method /safestub.testing.Probe/Download is not implemented by this server" });
      await expect(client.upload().response).rejects.toMatchObject({ code: Code.UNIMPLEMENTED });
      await expect(client.chat().receiver.recv()).rejects.toMatchObject({ code: Code.UNIMPLEMENTED });
      expect(() => newServer().addPartial(ProbeService, { unary: "not a function" } as never)).toThrow(/no handler for Unary/);
    } finally {
      channel.close();
      await server.shutdown({ graceMs: 100 });
    }
  });
});

describe("no unhandled rejections", () => {
  it("come from the runtime when callers ignore headers, trailers, responses and failed streams", async () => {
    const seen: unknown[] = [];
    const onRejection = (reason: unknown) => seen.push(reason);
    process.on("unhandledRejection", onRejection);
    try {
      h.impl.upload = async () => {
        throw new RpcError(Code.INTERNAL, "upload fails");
      };
      h.impl.chat = async () => {
        throw new RpcError(Code.INTERNAL, "chat fails");
      };
      h.impl.download = async () => {
        throw new RpcError(Code.INTERNAL, "download fails");
      };
      // Calls whose promises nobody ever looks at.
      const upload = h.client.upload();
      void upload;
      h.client.chat();
      h.client.download(msg());
      h.client.upload({ timeoutMs: 1 });
      h.client.chat({ signal: AbortSignal.abort() });
      const cancelled = h.client.download(msg());
      cancelled.cancel();
      const closedChannel = h.newChannel();
      closedChannel.close();
      const { ProbeClient } = await import("@backend/probe.js");
      new ProbeClient(closedChannel).upload();
      new ProbeClient(closedChannel).chat();
      await sleep(500);
      // Give Node's unhandled-rejection detection (after microtasks and a macrotask) time to run.
      await new Promise((resolve) => setImmediate(resolve));
      expect(seen).toEqual([]);
    } finally {
      process.off("unhandledRejection", onRejection);
    }
  });
});
