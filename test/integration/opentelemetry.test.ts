// safestub/opentelemetry with the real SDK (BasicTracerProvider, InMemorySpanExporter, W3C trace
// context) over grpc-js on loopback: one span per side per call, named and attributed per the RPC
// semantic conventions, with message events in order, statuses, propagation and parenting, on every
// call shape, failed and cancelled calls included. The tracer provider and propagator are passed
// explicitly; only the context manager is global (set up and disabled around this file).
import { SpanKind, SpanStatusCode, context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Code, RpcError, createChannel, type Channel, type ClientInterceptor, type Server } from "safestub";
import { clientTracing } from "safestub/opentelemetry";
import { Msg } from "../../gen/testing/probe.js";
import { ProbeClient, ProbeService } from "../../gen/testing/probe_grpc.js";
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

/** The traceparent header each handler saw last. */
let seenTraceparent: string | undefined;
let unavailableOnce = false;

let server: Server;
let channel: Channel;
let client: ProbeClient;

beforeAll(async () => {
  context.setGlobalContextManager(contextManager.enable());
  server = newServer();
  server.add(ProbeService, {
    unary: (req, ctx) => {
      seenTraceparent = ctx.metadata.get("traceparent") as string | undefined;
      if (req.id === NOT_FOUND) throw new RpcError(Code.NOT_FOUND, "no such thing");
      if (req.id === UNAVAILABLE || unavailableOnce) {
        unavailableOnce = false;
        throw new RpcError(Code.UNAVAILABLE, "try again");
      }
      return Msg.fromPartial({ id: req.id });
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
  });
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
const clientSpans = () => finished().filter((s) => s.kind === SpanKind.CLIENT);

/** The one client span, once it ended (and that there is exactly one). */
async function oneClientSpan(): Promise<ReadableSpan> {
  expect(await eventually(() => clientSpans().length > 0)).toBe(true);
  expect(clientSpans()).toHaveLength(1);
  return clientSpans()[0]!;
}

/** A span's message events as "SENT 1", "RECEIVED 1", …, in the order they were added. */
const messages = (span: ReadableSpan): string[] =>
  span.events.filter((e) => e.name === "message").map((e) => `${String(e.attributes?.["message.type"])} ${String(e.attributes?.["message.id"])}`);

const rpcAttributes = (method: string, code: Code) => ({ "rpc.system": "grpc", "rpc.service": SERVICE, "rpc.method": method, "rpc.grpc.status_code": code });

/** The traceparent a child of `span` is sent with (W3C, sampled). */
const traceparentOf = (span: ReadableSpan) => `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`;

describe("clientTracing", () => {
  it("unary: one CLIENT span named package.Service/Method with the rpc attributes, SENT 1 and RECEIVED 1, status unset; the server gets its traceparent", async () => {
    expect((await client.unary(msg({ id: 7 }))).id).toBe(7);
    const span = await oneClientSpan();
    expect(span.name).toBe(`${SERVICE}/Unary`);
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toEqual(rpcAttributes("Unary", Code.OK));
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(messages(span)).toEqual(["SENT 1", "RECEIVED 1"]);
    expect(span.instrumentationScope.name).toBe("safestub");
    expect(seenTraceparent).toBe(traceparentOf(span));
  });

  it("server streaming: SENT 1, then RECEIVED 1..3 as the caller reads them", async () => {
    const call = client.download(msg({ count: 3 }));
    const ids: number[] = [];
    for await (const m of call.receiver) ids.push(m.id);
    expect(ids).toEqual([1, 2, 3]);
    const span = await oneClientSpan();
    expect(span.name).toBe(`${SERVICE}/Download`);
    expect(span.attributes).toEqual(rpcAttributes("Download", Code.OK));
    expect(messages(span)).toEqual(["SENT 1", "RECEIVED 1", "RECEIVED 2", "RECEIVED 3"]);
    expect(seenTraceparent).toBe(traceparentOf(span));
  });

  it("client streaming: SENT 1..3, then RECEIVED 1", async () => {
    const call = client.upload();
    for (const id of [1, 2, 3]) await call.sender.send(msg({ id }));
    await call.sender.close();
    expect((await call.response).id).toBe(6);
    const span = await oneClientSpan();
    expect(span.name).toBe(`${SERVICE}/Upload`);
    expect(span.attributes).toEqual(rpcAttributes("Upload", Code.OK));
    expect(messages(span)).toEqual(["SENT 1", "SENT 2", "SENT 3", "RECEIVED 1"]);
  });

  it("bidi streaming: SENT and RECEIVED interleaved as they happened, each numbered from 1", async () => {
    const call = client.chat();
    for (const id of [1, 2, 3]) {
      await call.sender.send(msg({ id }));
      expect((await call.receiver.recv())?.id).toBe(id);
    }
    await call.sender.close();
    expect(await call.receiver.recv()).toBeUndefined();
    const span = await oneClientSpan();
    expect(span.name).toBe(`${SERVICE}/Chat`);
    expect(span.attributes).toEqual(rpcAttributes("Chat", Code.OK));
    expect(messages(span)).toEqual(["SENT 1", "RECEIVED 1", "SENT 2", "RECEIVED 2", "SENT 3", "RECEIVED 3"]);
  });

  it("a call failed by the server (NOT_FOUND): status ERROR with the details, rpc.grpc.status_code 5, the exception recorded, no RECEIVED", async () => {
    const err = await client.unary(msg({ id: NOT_FOUND })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    const span = await oneClientSpan();
    expect(span.attributes).toEqual(rpcAttributes("Unary", Code.NOT_FOUND));
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: "no such thing" });
    expect(messages(span)).toEqual(["SENT 1"]);
    const exception = span.events.find((e) => e.name === "exception");
    expect(exception?.attributes).toMatchObject({ "exception.type": "RpcError", "exception.message": "NOT_FOUND: no such thing" });
  });

  it("a call to a port nobody listens on (UNAVAILABLE): one span, status ERROR, code 14", async () => {
    const probe = createChannel("http://127.0.0.1:1");
    try {
      const err = await new ProbeClient(probe, { interceptors: [clientTracing(tracing)] }).unary(msg({ id: 1 }), { timeoutMs: 5_000 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: Code.UNAVAILABLE });
    } finally {
      probe.close();
    }
    const span = await oneClientSpan();
    expect(span.attributes).toEqual(rpcAttributes("Unary", Code.UNAVAILABLE));
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it("a failed streaming call ends its span once, at the status, with what the caller saw", async () => {
    const call = client.chat();
    await call.sender.send(msg({ id: 1 }));
    expect((await call.receiver.recv())?.id).toBe(1);
    call.cancel();
    await expect(call.receiver.recv()).rejects.toMatchObject({ code: Code.CANCELLED });
    const span = await oneClientSpan();
    expect(span.attributes["rpc.grpc.status_code"]).toBe(Code.CANCELLED);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(messages(span)).toEqual(["SENT 1", "RECEIVED 1"]);
  });

  it("a cancelled call (a server stream the server holds open) ends its span with CANCELLED", async () => {
    const call = client.download(msg({ id: HANG, count: 1 }));
    expect((await call.receiver.recv())?.id).toBe(1);
    expect(clientSpans()).toEqual([]); // still open
    call.cancel();
    const span = await oneClientSpan();
    expect(span.attributes["rpc.grpc.status_code"]).toBe(Code.CANCELLED);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(messages(span)).toEqual(["SENT 1", "RECEIVED 1"]);
  });

  it("leaving a for-await early ends the span (the call is cancelled)", async () => {
    const call = client.download(msg({ id: HANG, count: 2 }));
    for await (const m of call.receiver) if (m.id === 1) break;
    const span = await oneClientSpan();
    expect(span.attributes["rpc.grpc.status_code"]).toBe(Code.CANCELLED);
    expect(messages(span)[0]).toBe("SENT 1");
  });

  it("is a child of the active span, in its trace", async () => {
    const outer = provider.getTracer("test").startSpan("outer");
    await context.with(trace.setSpan(context.active(), outer), () => client.unary(msg({ id: 1 })));
    outer.end();
    const span = await oneClientSpan();
    expect(span.spanContext().traceId).toBe(outer.spanContext().traceId);
    expect(span.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    expect(seenTraceparent).toBe(traceparentOf(span));
  });

  it("outside a retrying interceptor: one span for the call, the request sent twice (the request stream can be read again)", async () => {
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
    const span = await oneClientSpan();
    expect(span.attributes["rpc.grpc.status_code"]).toBe(Code.OK);
    expect(messages(span)).toEqual(["SENT 1", "SENT 2", "RECEIVED 1"]);
  });

  it("makes no spans where it is not installed", async () => {
    await new ProbeClient(channel).unary(msg({ id: 1 }));
    expect(seenTraceparent).toBeUndefined();
    expect(finished()).toEqual([]);
  });
});
