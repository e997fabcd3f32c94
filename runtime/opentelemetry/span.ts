// What the client and server tracing interceptors share: one span per call with the RPC semantic
// conventions' name and attributes, its message events, its end (exactly once), the metadata
// carrier for propagation, and message streams observed inside the span's context.
import { SpanStatusCode, context, propagation, trace, type Attributes, type Context, type Span, type SpanKind, type TextMapGetter, type TextMapPropagator, type TextMapSetter, type Tracer, type TracerProvider } from "@opentelemetry/api";
import { Code } from "../core/code.js";
import type { RpcError } from "../core/errors.js";
import type { Metadata } from "../core/metadata.js";

export interface TracingOptions {
  /** Where spans are made. Default: the global tracer provider (`trace.getTracerProvider()`). */
  readonly tracerProvider?: TracerProvider | undefined;
  /** How trace context travels in metadata. Default: the global propagator (`propagation`, W3C trace context once an SDK registers it). */
  readonly propagator?: Pick<TextMapPropagator, "inject" | "extract"> | undefined;
}

export const instrumentationName = "safestub";

export function tracerOf(options: TracingOptions): Tracer {
  return (options.tracerProvider ?? trace.getTracerProvider()).getTracer(instrumentationName);
}

export function propagatorOf(options: TracingOptions): Pick<TextMapPropagator, "inject" | "extract"> {
  return options.propagator ?? propagation;
}

/** Writes propagation fields (traceparent, tracestate, baggage) into request metadata. */
export const metadataSetter: TextMapSetter<Metadata> = {
  set: (carrier, key, value) => void carrier.set(key, value),
};

/** Reads propagation fields from request metadata (text values only). */
export const metadataGetter: TextMapGetter<Metadata> = {
  keys: (carrier) => [...carrier.keys()],
  get: (carrier, key) => {
    const values = carrier.getAll(key).filter((v): v is string => typeof v === "string");
    return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
  },
};

/** Whether a status is the span's error: `isError(code)` decides for non-OK codes (client: all; server: the server's faults). */
export type ErrorCodes = (code: Code) => boolean;

/**
 * One RPC's span: `package.Service/Method` with rpc.system, rpc.service and
 * rpc.method; "message" events numbered from 1 per direction; ended once,
 * with rpc.grpc.status_code, by whichever end of the call comes first.
 */
export class RpcSpan {
  readonly span: Span;
  /** `parent` with this span in it: what the rest of the chain runs in. */
  readonly context: Context;
  #sent = 0;
  #received = 0;
  #ended = false;
  readonly #isError: ErrorCodes;

  constructor(tracer: Tracer, path: string, kind: SpanKind, parent: Context, isError: ErrorCodes, attributes: Attributes = {}) {
    // "/package.Service/Method" -> "package.Service/Method"; a path we cannot split keeps rpc.service empty.
    const name = path.startsWith("/") ? path.slice(1) : path;
    const slash = name.lastIndexOf("/");
    this.span = tracer.startSpan(
      name,
      { kind, attributes: { "rpc.system": "grpc", "rpc.service": slash < 0 ? "" : name.slice(0, slash), "rpc.method": name.slice(slash + 1), ...attributes } },
      parent,
    );
    this.context = trace.setSpan(parent, this.span);
    this.#isError = isError;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** A "message" event for one message going `type`; none after the span ended. */
  message(type: "SENT" | "RECEIVED"): void {
    if (this.#ended) return;
    const id = type === "SENT" ? ++this.#sent : ++this.#received;
    this.span.addEvent("message", { "message.type": type, "message.id": id });
  }

  /** Ends the span with the call's status (a no-op after the first time). */
  end(outcome: RpcError | "ok"): void {
    if (this.#ended) return;
    this.#ended = true;
    const code = outcome === "ok" ? Code.OK : outcome.code;
    this.span.setAttribute("rpc.grpc.status_code", code);
    if (outcome !== "ok" && this.#isError(code)) {
      // Not the error itself: the SDK would take its numeric `code` for exception.type.
      this.span.recordException({ name: outcome.name, message: outcome.message, ...(outcome.stack === undefined ? {} : { stack: outcome.stack }) });
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.details });
    }
    this.span.end();
  }
}

/** How an observed stream of messages ended: all read, failed with `error`, or left early by its reader. */
export type StreamEnd = "done" | "left" | { readonly error: unknown };

/**
 * `messages`, calling `onMessage` as each one is handed on and `onEnd` once
 * when the reading ends; the source is pulled inside `ctx` (so work it
 * starts lazily, such as a handler, runs in the span). Iterable again, as
 * the source may be (a unary call's request, for an interceptor that
 * retries); leaving early leaves the source early too.
 */
export function observed(messages: AsyncIterable<unknown>, ctx: Context, onMessage: () => void, onEnd: (end: StreamEnd) => void = () => {}): AsyncIterable<unknown> {
  return {
    [Symbol.asyncIterator]: () => observe(context.with(ctx, () => messages[Symbol.asyncIterator]()), ctx, onMessage, onEnd),
  };
}

async function* observe(source: AsyncIterator<unknown>, ctx: Context, onMessage: () => void, onEnd: (end: StreamEnd) => void): AsyncGenerator<unknown, void, undefined> {
  let end: StreamEnd = "left";
  try {
    for (;;) {
      const next = await context.with(ctx, () => source.next());
      if (next.done) {
        end = "done";
        return;
      }
      onMessage();
      yield next.value;
    }
  } catch (error) {
    end = { error };
    throw error;
  } finally {
    try {
      if (end === "left") await source.return?.();
    } finally {
      onEnd(end);
    }
  }
}
