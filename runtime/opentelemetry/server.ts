import { ROOT_CONTEXT, SpanKind, context, type Attributes } from "@opentelemetry/api";
import { Code } from "../core/code.js";
import type { ServerInterceptor } from "../server/interceptor.js";
import { RpcSpan, metadataGetter, observed, propagatorOf, tracerOf, type TracingOptions } from "./span.js";

/** The statuses that are the server's fault, the only ones that make a SERVER span's status ERROR (RPC semantic conventions). */
const serverFaults = new Set<Code>([Code.UNKNOWN, Code.DEADLINE_EXCEEDED, Code.UNIMPLEMENTED, Code.INTERNAL, Code.UNAVAILABLE, Code.DATA_LOSS]);

/**
 * A server interceptor that traces every call: a SERVER span per call, the
 * child of the client's span when the request metadata carries its trace
 * context, with "message" events for every request and response. The
 * handler runs inside the span, so calls it makes through a traced client
 * are its children. Put it first in `interceptors`.
 */
export function serverTracing(options: TracingOptions = {}): ServerInterceptor {
  const tracer = tracerOf(options);
  const propagator = propagatorOf(options);
  return (next) => async (req) => {
    const ctx = req.context;
    // From the root: a server call's parent is what the client sent, never whatever context accepted it.
    const parent = propagator.extract(ROOT_CONTEXT, ctx.metadata, metadataGetter);
    const call = new RpcSpan(tracer, req.method.path, SpanKind.SERVER, parent, (code) => serverFaults.has(code), peerAttributes(ctx.peer));
    // The call's outcome is the status the server sent (or the client's departure, the deadline, a
    // shutdown), also when it was decided after the chain: a response that did not encode, a thrown Error.
    void req.outcome.then((outcome) => call.end(outcome));
    const res = await context.with(call.context, next, undefined, { ...req, messages: observed(req.messages, call.context, () => call.message("RECEIVED")) });
    return { ...res, messages: observed(res.messages, call.context, () => call.message("SENT")) };
  };
}

/** `network.peer.address` and `.port` from a peer such as "127.0.0.1:50051" or "[::1]:50051"; none for others ("in-memory"). */
function peerAttributes(peer: string): Attributes {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(peer);
  return m ? { "network.peer.address": m[1]!, "network.peer.port": Number(m[2]) } : {};
}
