import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, Metadata, RpcError, createChannel } from "safestub";
import { EchoClient, EchoService, GreeterClient, GreeterService } from "@backend/examples.js";
import { ProbeClient } from "@backend/probe.js";
import { ProbeHarness, channelTo, msg, newServer, overSockets, sleep } from "../helpers/probe.js";

let h: ProbeHarness;
beforeAll(async () => {
  h = await ProbeHarness.start();
  h.server.add(GreeterService, { sayHello: (req) => ({ message: `Hello ${req.name}` }) });
  h.server.add(EchoService, {
    unaryEcho: async (req) => ({ message: req.message }),
    bidiEcho: async (rx, tx) => {
      for await (const m of rx) await tx.send({ message: m.message });
    },
  });
});
afterAll(() => h.close());

async function rejection(p: Promise<unknown>): Promise<RpcError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RpcError);
  return err as RpcError;
}

describe("unary calls", () => {
  it("runs 200 parallel calls through two clients sharing one channel, on one server with several services", async () => {
    const greeter = new GreeterClient(h.channel);
    const echo = new EchoClient(h.channel);
    const calls = Array.from({ length: 200 }, (_, i) =>
      i % 2 ? greeter.sayHello({ name: `g${i}` }).then((r) => r.message) : echo.unaryEcho({ message: `e${i}` }).then((r) => r.message),
    );
    const results = await Promise.all(calls);
    expect(results).toEqual(Array.from({ length: 200 }, (_, i) => (i % 2 ? `Hello g${i}` : `e${i}`)));
  });

  it("ends with DEADLINE_EXCEEDED when the deadline passes, and the handler's signal aborts", async () => {
    let handlerSaw: unknown;
    h.impl.unary = async (_req, ctx) => {
      await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
      handlerSaw = ctx.signal.reason;
      return msg();
    };
    const err = await rejection(h.client.unary(msg(), { timeoutMs: 100 }));
    expect(err.code).toBe(Code.DEADLINE_EXCEEDED);
    await sleep(200);
    expect(handlerSaw).toBeInstanceOf(RpcError);
    expect([Code.DEADLINE_EXCEEDED, Code.CANCELLED]).toContain((handlerSaw as RpcError).code);
  });

  it("honours an absolute deadline and the earlier of deadline and timeoutMs", async () => {
    h.impl.unary = async (_req, ctx) => {
      await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
      return msg();
    };
    const started = Date.now();
    const err = await rejection(h.client.unary(msg(), { deadline: new Date(Date.now() + 80), timeoutMs: 60_000 }));
    expect(err.code).toBe(Code.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("ends with CANCELLED when the signal aborts, and the server handler sees its signal abort", async () => {
    let aborted!: () => void;
    const handlerAborted = new Promise<void>((resolve) => (aborted = resolve));
    let started!: () => void;
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    h.impl.unary = async (_req, ctx) => {
      ctx.signal.addEventListener("abort", () => aborted(), { once: true });
      started();
      await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
      return msg();
    };
    const controller = new AbortController();
    const call = h.client.unary(msg(), { signal: controller.signal });
    await handlerStarted;
    controller.abort();
    expect((await rejection(call)).code).toBe(Code.CANCELLED);
    await handlerAborted;
  });

  it("fails with CANCELLED at once when the signal is already aborted", async () => {
    const err = await rejection(h.client.unary(msg(), { signal: AbortSignal.abort() }));
    expect(err.code).toBe(Code.CANCELLED);
  });

  it("round-trips request metadata, response headers and -bin trailers", async () => {
    h.impl.unary = async (req, ctx) => {
      ctx.setHeader("x-echo-text", String(ctx.metadata.get("x-text")));
      ctx.setTrailer("x-trailer-bin", ctx.metadata.get("x-data-bin")!);
      // HTTP/2 may fold repeated headers into one comma-joined value: both forms carry both values.
      ctx.setTrailer("x-multi", ctx.metadata.getAll("x-multi").join(", "));
      return msg({ text: req.text });
    };
    let headers: Metadata | undefined;
    let trailers: Metadata | undefined;
    const res = await h.client.unary(msg({ text: "hi" }), {
      metadata: { "x-text": "hello", "x-data-bin": new Uint8Array([0xab, 0xab, 0xab]), "x-multi": ["a", "b"] },
      onHeaders: (md) => (headers = md),
      onTrailers: (md) => (trailers = md),
    });
    expect(res.text).toBe("hi");
    expect(headers?.get("x-echo-text")).toBe("hello");
    expect([...(trailers?.get("x-trailer-bin") as Uint8Array)]).toEqual([0xab, 0xab, 0xab]);
    expect(trailers?.get("x-multi")).toBe("a, b");
  });

  it("reports empty headers to onHeaders when the response is trailers-only", async () => {
    h.impl.unary = async () => {
      throw new RpcError(Code.ABORTED, "nothing sent");
    };
    let headers: Metadata | undefined;
    await rejection(h.client.unary(msg(), { onHeaders: (md) => (headers = md) }));
    expect(headers).toBeInstanceOf(Metadata);
    expect(headers!.get("x-anything")).toBeUndefined();
  });

  it("merges client default options under per-call options", async () => {
    h.impl.unary = async (_req, ctx) => msg({ text: `${String(ctx.metadata.get("x-a"))},${String(ctx.metadata.get("x-b"))}` });
    const client = new ProbeClient(h.channel, { metadata: { "x-a": "default-a", "x-b": "default-b" } });
    expect((await client.unary(msg(), { metadata: { "x-b": "call-b" } })).text).toBe("default-a,call-b");
  });

  it("turns a thrown RpcError into that status, with its metadata as trailers", async () => {
    h.impl.unary = async () => {
      throw new RpcError(Code.NOT_FOUND, "no such probe", new Metadata({ "x-why": "because", "x-detail-bin": new Uint8Array([1, 2]) }));
    };
    const err = await rejection(h.client.unary(msg()));
    expect(err.code).toBe(Code.NOT_FOUND);
    expect(err.details).toBe("no such probe");
    expect(err.metadata.get("x-why")).toBe("because");
    expect([...(err.metadata.get("x-detail-bin") as Uint8Array)]).toEqual([1, 2]);
  });

  it("turns any other throw into UNKNOWN without leaking the handler's message", async () => {
    h.impl.unary = async () => {
      throw new Error("secret database password is hunter2");
    };
    const err = await rejection(h.client.unary(msg()));
    expect(err.code).toBe(Code.UNKNOWN);
    expect(err.details).not.toContain("hunter2");
    expect(err.message).not.toContain("hunter2");
  });

  it("reports UNIMPLEMENTED for a method the server does not serve", async () => {
    const bare = newServer();
    const channel = await channelTo(bare);
    try {
      const err = await rejection(new GreeterClient(channel).sayHello({ name: "x" }));
      expect(err.code).toBe(Code.UNIMPLEMENTED);
    } finally {
      channel.close();
      bare.forceShutdown();
    }
  });

  it("fails calls on a closed channel with RpcError, never a synchronous throw", async () => {
    const channel = h.newChannel();
    const client = new GreeterClient(channel);
    await client.sayHello({ name: "before" });
    channel.close();
    let unary: Promise<unknown> | undefined;
    expect(() => {
      unary = client.sayHello({ name: "after" });
    }).not.toThrow();
    expect([Code.CANCELLED, Code.UNAVAILABLE]).toContain((await rejection(unary!)).code);
    const probe = new ProbeClient(channel);
    const bidi = probe.chat();
    expect([Code.CANCELLED, Code.UNAVAILABLE]).toContain((await rejection(bidi.receiver.recv())).code);
    expect([Code.CANCELLED, Code.UNAVAILABLE]).toContain((await rejection(bidi.sender.send(msg()))).code);
    const upload = probe.upload();
    expect([Code.CANCELLED, Code.UNAVAILABLE]).toContain((await rejection(upload.response)).code);
    await expect(upload.trailers).resolves.toBeInstanceOf(Metadata);
  });

  it.runIf(overSockets)("reports UNAVAILABLE when nothing listens", async () => {
    const closed = await ProbeHarness.start();
    const port = closed.port;
    closed.close();
    const channel = createChannel(`http://127.0.0.1:${port}`);
    try {
      const err = await rejection(new GreeterClient(channel).sayHello({ name: "x" }, { timeoutMs: 5000 }));
      expect([Code.UNAVAILABLE, Code.DEADLINE_EXCEEDED]).toContain(err.code);
    } finally {
      channel.close();
    }
  });
});
