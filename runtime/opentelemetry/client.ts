import { SpanKind, context, type Attributes } from "@opentelemetry/api";
import { interceptorFailure, type ClientInterceptor, type ClientResponse } from "../core/interceptor.js";
import type { RpcError } from "../core/errors.js";
import { RpcSpan, metadataSetter, observed, propagatorOf, tracerOf, type StreamEnd, type TracingOptions } from "./span.js";

/**
 * A client interceptor that traces every call: a CLIENT span per call, a
 * child of the active context, with "message" events for every request and
 * response; the trace context goes to the server in the request metadata
 * (traceparent, tracestate). Any non-OK status makes the span's status
 * ERROR. Put it first in `interceptors` to see the call as the caller does.
 */
export function clientTracing(options: TracingOptions = {}): ClientInterceptor {
  const tracer = tracerOf(options);
  const propagator = propagatorOf(options);
  return (next) => async (req) => {
    const call = new RpcSpan(tracer, req.method.path, SpanKind.CLIENT, context.active(), () => true, serverAttributes(req.target));
    propagator.inject(call.context, req.metadata, metadataSetter);
    let res: ClientResponse;
    try {
      res = await context.with(call.context, next, undefined, { ...req, messages: observed(req.messages, call.context, () => call.message("SENT")) });
    } catch (err) {
      call.end(interceptorFailure(err)); // failed before any response headers
      throw err;
    }
    const outcome = res.outcome;
    void outcome.then((o) => {
      if (o !== "ok") return call.end(o);
      // OK on the wire: the call ends once the caller read the responses (below), or gave up on them.
      if (req.signal.aborted) call.end("ok");
      else req.signal.addEventListener("abort", () => call.end("ok"), { once: true });
    });
    const ended = (end: StreamEnd): void => {
      if (end === "done") call.end("ok");
      else if (end === "left") void outcome.then((o: RpcError | "ok") => call.end(o)); // leaving early cancels the call, unless it had ended
      else call.end(interceptorFailure(end.error));
    };
    return { ...res, messages: observed(res.messages, call.context, () => call.message("RECEIVED"), ended) };
  };
}

/**
 * `server.address` and `server.port` from a Channel's address: "http://host:port", "https://host"
 * (443), "host:port", "dns:///host:port"; none for lists of backends ("ipv4:a,b"), unix sockets or
 * "in-memory".
 */
export function serverAttributes(target: string): Attributes {
  const https = /^https:\/\/([^/:]+|\[[^\]]+\])\/?$/.exec(target);
  if (https) return { "server.address": https[1]!.replace(/^\[|\]$/g, ""), "server.port": 443 };
  const m = /^(?:https?:\/\/|dns:(?:\/\/[^/]*)?\/)?(\[[^\]]+\]|[^/:,\[\]]+):(\d+)\/?$/.exec(target);
  return m ? { "server.address": m[1]!.replace(/^\[|\]$/g, ""), "server.port": Number(m[2]) } : {};
}
