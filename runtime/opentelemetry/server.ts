import { ROOT_CONTEXT, SpanKind, context, type Attributes } from "@opentelemetry/api";
import { Code } from "../core/code.js";
import { RpcError } from "../core/errors.js";
import type { ServerInterceptor, ServerResponse } from "../server/interceptor.js";
import { RpcSpan, metadataGetter, observed, propagatorOf, tracerOf, type StreamEnd, type TracingOptions } from "./span.js";

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
    // What the client leaving, its deadline or the server's shutdown made of the call, if any of them did.
    const aborted = (): RpcError | undefined => (ctx.signal.aborted ? asRpcError(ctx.signal.reason, Code.CANCELLED) : undefined);
    let res: ServerResponse;
    try {
      res = await context.with(call.context, next, undefined, { ...req, messages: observed(req.messages, call.context, () => call.message("RECEIVED")) });
    } catch (err) {
      call.end(asRpcError(err, Code.UNKNOWN)); // refused before the handler answered
      throw err;
    }
    const ended = (end: StreamEnd): void => {
      if (end === "done") call.end(aborted() ?? "ok");
      else if (end === "left") call.end(aborted() ?? new RpcError(Code.CANCELLED, "the response stream was left"));
      else call.end(aborted() ?? asRpcError(end.error, Code.UNKNOWN)); // what the Server sends for a throw that is no RpcError
    };
    return { ...res, messages: observed(res.messages, call.context, () => call.message("SENT"), ended) };
  };
}

/** `network.peer.address` and `.port` from a peer such as "127.0.0.1:50051" or "[::1]:50051"; none for others ("in-memory"). */
function peerAttributes(peer: string): Attributes {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(peer);
  return m ? { "network.peer.address": m[1]!, "network.peer.port": Number(m[2]) } : {};
}

function asRpcError(err: unknown, code: Code): RpcError {
  if (err instanceof RpcError) return err;
  return new RpcError(code, err instanceof Error ? err.message : String(err), undefined, { cause: err });
}
