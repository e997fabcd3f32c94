// safestub/opentelemetry with the real SDK (BasicTracerProvider, InMemorySpanExporter, W3C trace
// context) over grpc-js on loopback: one span per side per call, named and attributed per the RPC
// semantic conventions, with message events in order, statuses, propagation and parenting, on every
// call shape, failed and cancelled calls included. The tracer provider and propagator are passed
// explicitly; only the context manager is global (set up and disabled around this file), and the
// one test of the defaults registers the global provider and propagator and disables them after.
import { SpanKind, SpanStatusCode, context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Code, RpcError, createChannel, type Channel, type ClientInterceptor, type Server } from "safestub";
import { clientTracing, serverTracing } from "safestub/opentelemetry";
import { ProbeClient, ProbeService, type ProbeHandlers } from "@backend/probe.js";
import { channelTo, eventually, msg, newServer } from "../helpers/probe.js";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const propagator = new W3CTraceContextPropagator();
const tracing = { tracerProvider: provider, propagator };
const contextManager = new AsyncLocalStorageContextManager();

const SERVICE = "safestub.testing.Probe";
/** Ids the handlers treat specially. */
const NOT_FOUND = 404;
const UNAVAILABLE = 503;
const HANG = 999;
const NESTED = 42;

/** The traceparent the handlers saw last. */
let seenTraceparent: string | undefined;
let unavailableOnce = false;

/** The Probe service's handlers: echoes and sums, with failures and hangs on the ids above. */
function probeHandlers(nested: () => ProbeClient): ProbeHandlers {
  return {
    unary: async (req, ctx) => {
      seenTraceparent = ctx.metadata.get("traceparent") as string | undefined;
      if (req.id === NOT_FOUND) throw new RpcError(Code.NOT_FOUND, "no such thing");
      if (req.id === UNAVAILABLE || unavailableOnce) {
        unavailableOnce = false;
        throw new RpcError(Code.UNAVAILABLE, "try again");
      }
      if (req.id === NESTED) return msg({ id: (await nested().unary(msg({ id: 1 }), { signal: ctx.signal })).id + NESTED });
      return msg({ id: req.id });
    },
    download: async (req, tx, ctx) => {
      seenTraceparent = ctx.metadata.get("traceparent") as string | undefined;
      for (let i = 1; i <= req.count; i++) await tx.send(msg({ id: i }));
      if (req.id === HANG) await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
    },
    upload: async (rx) => {
      let sum = 0;
      for await (const m of rx) sum += m.id;
      return msg({ id: sum });
    },
    chat: async (rx, tx) => {
      for await (const m of rx) await tx.send(m);
    },
  };
}

let server: Server;
let channel: Channel;
let client: ProbeClient;

beforeAll(async () => {
  context.setGlobalContextManager(contextManager.enable());
  server = newServer({ interceptors: [serverTracing(tracing)] });
  server.add(ProbeService, probeHandlers(() => client));
  channel = await channelTo(server);
  client = new ProbeClient(channel, { interceptors: [clientTracing(tracing)] });
});

afterAll(async () => {
  channel.close();
  server.forceShutdown();
  context.disable();
  await provider.shutdown();
});

beforeEach(() => {
  exporter.reset();
  seenTraceparent = undefined;
  unavailableOnce = false;
});

const finished = (): ReadableSpan[] => exporter.getFinishedSpans();
const ofKind = (kind: SpanKind) => finished().filter((s) => s.kind === kind);

/** Once `clients` CLIENT and `servers` SERVER spans ended: exactly those, a moment later too. */
async function spans(clients: number, servers: number): Promise<{ client: ReadableSpan[]; server: ReadableSpan[] }> {
  expect(await eventually(() => ofKind(SpanKind.CLIENT).length >= clients && ofKind(SpanKind.SERVER).length >= servers)).toBe(true);
  await new Promise((resolve) => setTimeout(resolve, 20)); // a second end would show up by now
  expect(finished().map((s) => s.kind).sort()).toEqual([...Array<SpanKind>(clients).fill(SpanKind.CLIENT), ...Array<SpanKind>(servers).fill(SpanKind.SERVER)].sort());
  return { client: ofKind(SpanKind.CLIENT), server: ofKind(SpanKind.SERVER) };
}

/**
 * The call's two spans: one per side, the server's the child of the client's, in its trace; for a
 * call of `okMethod` that succeeded, both named after it, with its attributes and status unset.
 */
async function onePerSide(okMethod?: string): Promise<{ client: ReadableSpan; server: ReadableSpan }> {
  const { client: [c], server: [s] } = await spans(1, 1);
  expect(s!.spanContext().traceId).toBe(c!.spanContext().traceId);
  expect(s!.parentSpanContext?.spanId).toBe(c!.spanContext().spanId);
  expect(s!.parentSpanContext?.isRemote).toBe(true);
  if (okMethod !== undefined) {
    expect([c!.name, s!.name]).toEqual([`${SERVICE}/${okMethod}`, `${SERVICE}/${okMethod}`]);
    expect(c!.attributes).toEqual(clientAttributes(okMethod, Code.OK));
    expect(s!.attributes).toEqual(serverAttributes(okMethod, Code.OK));
    expect([c!.status.code, s!.status.code]).toEqual([SpanStatusCode.UNSET, SpanStatusCode.UNSET]);
  }
  return { client: c!, server: s! };
}

/** A span's message events as "SENT 1", "RECEIVED 1", …, in the order they were added. */
const messages = (span: ReadableSpan): string[] =>
  span.events.filter((e) => e.name === "message").map((e) => `${String(e.attributes?.["message.type"])} ${String(e.attributes?.["message.id"])}`);
const exceptions = (span: ReadableSpan) => span.events.filter((e) => e.name === "exception").map((e) => e.attributes);

const rpcAttributes = (method: string, code: Code) => ({ "rpc.system": "grpc", "rpc.service": SERVICE, "rpc.method": method, "rpc.grpc.status_code": code });
/** A client span's attributes: the rpc ones and the server it called (channels here are http://127.0.0.1:port). */
const clientAttributes = (method: string, code: Code, port: unknown = expect.any(Number)) => ({ ...rpcAttributes(method, code), "server.address": "127.0.0.1", "server.port": port });
const serverAttributes = (method: string, code: Code) => ({ ...rpcAttributes(method, code), "network.peer.address": "127.0.0.1", "network.peer.port": expect.any(Number) as number });

/** The traceparent a child of `span` is sent with (W3C, sampled). */
const traceparentOf = (span: ReadableSpan) => `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`;

describe("clientTracing and serverTracing, on every call shape", () => {
  it("unary: a CLIENT and a SERVER span named package.Service/Method with the rpc attributes and one message each way", async () => {
    expect((await client.unary(msg({ id: 7 }))).id).toBe(7);
    const { client: c, server: s } = await onePerSide("Unary");
    expect(s.attributes["network.peer.port"]).toBeGreaterThan(0);
    expect(messages(c)).toEqual(["SENT 1", "RECEIVED 1"]);
    expect(messages(s)).toEqual(["RECEIVED 1", "SENT 1"]);
    expect(c.instrumentationScope.name).toBe("safestub");
    expect(seenTraceparent).toBe(traceparentOf(c));
  });

  it("server streaming: one request, then three responses, numbered 1..3 on both sides", async () => {
    const call = client.download(msg({ count: 3 }));
    const ids: number[] = [];
    for await (const m of call.receiver) ids.push(m.id);
    expect(ids).toEqual([1, 2, 3]);
    const { client: c, server: s } = await onePerSide("Download");
    expect(messages(c)).toEqual(["SENT 1", "RECEIVED 1", "RECEIVED 2", "RECEIVED 3"]);
    expect(messages(s)).toEqual(["RECEIVED 1", "SENT 1", "SENT 2", "SENT 3"]);
  });

  it("client streaming: three requests, then one response", async () => {
    const call = client.upload();
    for (const id of [1, 2, 3]) await call.sender.send(msg({ id }));
    await call.sender.close();
    expect((await call.response).id).toBe(6);
    const { client: c, server: s } = await onePerSide("Upload");
    expect(messages(c)).toEqual(["SENT 1", "SENT 2", "SENT 3", "RECEIVED 1"]);
    expect(messages(s)).toEqual(["RECEIVED 1", "RECEIVED 2", "RECEIVED 3", "SENT 1"]);
  });

  it("bidi streaming: requests and responses interleaved as they happened, each direction numbered from 1", async () => {
    const call = client.chat();
    for (const id of [1, 2, 3]) {
      await call.sender.send(msg({ id }));
      expect((await call.receiver.recv())?.id).toBe(id);
    }
    await call.sender.close();
    expect(await call.receiver.recv()).toBeUndefined();
    const { client: c, server: s } = await onePerSide("Chat");
    expect(messages(c)).toEqual(["SENT 1", "RECEIVED 1", "SENT 2", "RECEIVED 2", "SENT 3", "RECEIVED 3"]);
    expect(messages(s)).toEqual(["RECEIVED 1", "SENT 1", "RECEIVED 2", "SENT 2", "RECEIVED 3", "SENT 3"]);
  });
});

describe("failed calls", () => {
  it("NOT_FOUND from the handler: the client span is ERROR with the exception; the server span keeps status unset (not a server fault)", async () => {
    const err = await client.unary(msg({ id: NOT_FOUND })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: Code.NOT_FOUND });
    const { client: c, server: s } = await onePerSide();
    expect(c.attributes).toEqual(clientAttributes("Unary", Code.NOT_FOUND));
    expect(c.status).toEqual({ code: SpanStatusCode.ERROR, message: "no such thing" });
    expect(exceptions(c)).toEqual([expect.objectContaining({ "exception.type": "RpcError", "exception.message": "NOT_FOUND: no such thing" })]);
    expect(messages(c)).toEqual(["SENT 1"]);
    expect(s.attributes).toEqual(serverAttributes("Unary", Code.NOT_FOUND));
    expect(s.status.code).toBe(SpanStatusCode.UNSET);
    expect(exceptions(s)).toEqual([]);
    expect(messages(s)).toEqual(["RECEIVED 1"]);
  });

  it("UNAVAILABLE from the handler: ERROR on both sides, with the exception", async () => {
    await expect(client.unary(msg({ id: UNAVAILABLE }))).rejects.toMatchObject({ code: Code.UNAVAILABLE });
    const { client: c, server: s } = await onePerSide();
    for (const span of [c, s]) {
      expect(span.attributes["rpc.grpc.status_code"]).toBe(Code.UNAVAILABLE);
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: "try again" });
      expect(exceptions(span)).toEqual([expect.objectContaining({ "exception.type": "RpcError", "exception.message": "UNAVAILABLE: try again" })]);
    }
  });

  it("UNAVAILABLE with no server: one CLIENT span, ERROR, code 14", async () => {
    const nowhere = createChannel("http://127.0.0.1:1");
    try {
      const err = await new ProbeClient(nowhere, { interceptors: [clientTracing(tracing)] }).unary(msg({ id: 1 }), { timeoutMs: 5_000 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: Code.UNAVAILABLE });
    } finally {
      nowhere.close();
    }
    const { client: [c] } = await spans(1, 0);
    expect(c!.attributes).toEqual(clientAttributes("Unary", Code.UNAVAILABLE, 1));
    expect(c!.status.code).toBe(SpanStatusCode.ERROR);
  });

  it("a deadline that passes: DEADLINE_EXCEEDED, ERROR on both sides (a server fault per the conventions)", async () => {
    const call = client.download(msg({ id: HANG, count: 1 }), { timeoutMs: 200 });
    await expect((async () => { for await (const _ of call.receiver); })()).rejects.toMatchObject({ code: Code.DEADLINE_EXCEEDED });
    const { client: c, server: s } = await onePerSide();
    for (const span of [c, s]) {
      expect(span.attributes["rpc.grpc.status_code"]).toBe(Code.DEADLINE_EXCEEDED);
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
    }
  });
});

describe("cancelled calls", () => {
  it("cancel() on a server stream the server holds open: both spans end, CANCELLED (ERROR on the client only)", async () => {
    const call = client.download(msg({ id: HANG, count: 1 }));
    expect((await call.receiver.recv())?.id).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(finished()).toEqual([]); // both still open
    call.cancel();
    const { client: c, server: s } = await onePerSide();
    expect([c.attributes["rpc.grpc.status_code"], s.attributes["rpc.grpc.status_code"]]).toEqual([Code.CANCELLED, Code.CANCELLED]);
    expect([c.status.code, s.status.code]).toEqual([SpanStatusCode.ERROR, SpanStatusCode.UNSET]);
    expect(messages(c)).toEqual(["SENT 1", "RECEIVED 1"]);
    expect(messages(s)).toEqual(["RECEIVED 1", "SENT 1"]);
  });

  it("cancel() mid-bidi and a for-await left early: each call's spans end once, CANCELLED", async () => {
    const chat = client.chat();
    await chat.sender.send(msg({ id: 1 }));
    expect((await chat.receiver.recv())?.id).toBe(1);
    chat.cancel();
    await expect(chat.receiver.recv()).rejects.toMatchObject({ code: Code.CANCELLED });
    const first = await onePerSide();
    expect(messages(first.client)).toEqual(["SENT 1", "RECEIVED 1"]);
    exporter.reset();

    const download = client.download(msg({ id: HANG, count: 2 }));
    for await (const m of download.receiver) if (m.id === 1) break;
    const second = await onePerSide();
    for (const span of [first.client, first.server, second.client, second.server]) expect(span.attributes["rpc.grpc.status_code"]).toBe(Code.CANCELLED);
  });
});

describe("context", () => {
  it("the client span is a child of the active span", async () => {
    const outer = provider.getTracer("test").startSpan("outer");
    await context.with(trace.setSpan(context.active(), outer), () => client.unary(msg({ id: 1 })));
    const { client: c } = await onePerSide();
    outer.end();
    expect(c.spanContext().traceId).toBe(outer.spanContext().traceId);
    expect(c.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
  });

  it("a call the handler makes is a child of the server span: one trace, four spans, each the child of the one before", async () => {
    expect((await client.unary(msg({ id: NESTED }))).id).toBe(NESTED + 1);
    const { client: clients, server: servers } = await spans(2, 2);
    const outerClient = clients.find((s) => s.parentSpanContext === undefined)!;
    const outerServer = servers.find((s) => s.parentSpanContext?.spanId === outerClient.spanContext().spanId)!;
    const innerClient = clients.find((s) => s.parentSpanContext?.spanId === outerServer?.spanContext().spanId);
    const innerServer = servers.find((s) => s.parentSpanContext?.spanId === innerClient?.spanContext().spanId);
    expect([outerClient, outerServer, innerClient, innerServer].every((s) => s !== undefined)).toBe(true);
    expect(new Set(finished().map((s) => s.spanContext().traceId)).size).toBe(1);
  });

  it("outside a retrying interceptor: one client span with the request sent twice, a server span per attempt", async () => {
    const retry: ClientInterceptor = (next) => async (req) => {
      try {
        return await next(req);
      } catch (err) {
        if (err instanceof RpcError && err.code === Code.UNAVAILABLE) return next(req);
        throw err;
      }
    };
    unavailableOnce = true;
    const retrying = new ProbeClient(channel, { interceptors: [clientTracing(tracing), retry] });
    expect((await retrying.unary(msg({ id: 3 }))).id).toBe(3);
    const { client: [c], server: attempts } = await spans(1, 2);
    expect(c!.attributes["rpc.grpc.status_code"]).toBe(Code.OK);
    expect(messages(c!)).toEqual(["SENT 1", "SENT 2", "RECEIVED 1"]);
    expect(attempts.map((s) => s.attributes["rpc.grpc.status_code"]).sort()).toEqual([Code.OK, Code.UNAVAILABLE]);
    for (const s of attempts) expect(s.parentSpanContext?.spanId).toBe(c!.spanContext().spanId);
  });

  it("with no options, uses the global tracer provider and propagator", async () => {
    const defaults = newServer({ interceptors: [serverTracing()] });
    defaults.add(ProbeService, probeHandlers(() => client));
    const plain = await channelTo(defaults);
    trace.setGlobalTracerProvider(provider);
    propagation.setGlobalPropagator(propagator);
    try {
      await new ProbeClient(plain, { interceptors: [clientTracing()] }).unary(msg({ id: 5 }));
      const { client: c } = await onePerSide();
      expect(seenTraceparent).toBe(traceparentOf(c));
    } finally {
      trace.disable();
      propagation.disable();
      plain.close();
      defaults.forceShutdown();
    }
  });

  it("makes no spans and sends no traceparent where it is not installed", async () => {
    const untraced = newServer();
    untraced.add(ProbeService, probeHandlers(() => client));
    const plain = await channelTo(untraced);
    try {
      await new ProbeClient(plain).unary(msg({ id: 1 }));
    } finally {
      plain.close();
      untraced.forceShutdown();
    }
    expect(seenTraceparent).toBeUndefined();
    expect(finished()).toEqual([]);
  });
});
