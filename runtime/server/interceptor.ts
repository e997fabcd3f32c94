// Server interceptors: the same (next) => (request) => response shape as the client's, for all
// four call kinds. The handler's Sender and Receiver sit on message ports (stream/message-ports.ts),
// so their rules hold whatever the interceptors do; this module reads the requests off the call,
// runs the chain, and writes the responses the chain hands back.
import { decodeMessage } from "../core/codec.js";
import { Code } from "../core/code.js";
import { RpcError } from "../core/errors.js";
import type { AnyMethodDefinition } from "../core/method.js";
import { decodedMessages, MessageSlot, OneAnswer, OneMessage, onlyMessage, PulledInbound } from "../stream/message-ports.js";
import type { Inbound } from "../stream/ports.js";
import { Receiver } from "../stream/receiver.js";
import { Sender } from "../stream/sender.js";
import type { ServerCall } from "./call.js";
import { ServerContext } from "./context.js";
import { encodeResponse, type AnyHandler } from "./dispatch.js";

/** One call as a server interceptor sees it, before the handler runs. */
export interface ServerRequest {
  /** The rpc: path, kind, name and codecs. */
  readonly method: AnyMethodDefinition;
  /** The handler's context: request metadata, peer, deadline, signal; response headers and trailers. */
  readonly context: ServerContext;
  /** The requests, as `unknown`, pulled one at a time (a unary call's one request too). */
  readonly messages: AsyncIterable<unknown>;
  /**
   * How the call ended, once it did: "ok", the status the server sent (also
   * one decided after the chain, such as INTERNAL for a response that did not
   * encode or UNKNOWN for a thrown Error), or the reason the client's
   * departure, the deadline or a shutdown gave. Never rejects.
   */
  readonly outcome: Promise<RpcError | "ok">;
}

/** What the handler answers, as the chain hands it back. */
export interface ServerResponse {
  /**
   * The responses, one at a time (a unary call's one response too). The
   * iteration ends when the handler returned and throws what it threw: the
   * status is what this iteration ends with.
   */
  readonly messages: AsyncIterable<unknown>;
}

/** The rest of the chain: the next interceptor, or the handler. */
export type ServerNext = (request: ServerRequest) => Promise<ServerResponse>;

/**
 * A server interceptor, written once for every call kind: it may reject the
 * call before the handler runs (throw an RpcError, with trailers set on the
 * context), wrap the handler, transform the messages both ways, and map what
 * the handler threw to a status by catching it from the response iteration.
 *
 * ```ts
 * const auth: ServerInterceptor = (next) => async (req) => {
 *   if (req.context.metadata.get("authorization") !== "Bearer s3cret") throw new RpcError(Code.UNAUTHENTICATED, "bad token");
 *   return next(req);
 * };
 * ```
 */
export type ServerInterceptor = (next: ServerNext) => ServerNext;

/**
 * Runs `handler` for `call` through `interceptors` (the first outermost) and
 * sends the status: what the chain threw becomes it through `statusOf` (the
 * Server's policy, as for a handler without interceptors). Never rejects.
 */
export async function dispatchIntercepted(
  call: ServerCall,
  method: AnyMethodDefinition,
  handler: AnyHandler,
  interceptors: readonly ServerInterceptor[],
  report: (cause: unknown) => void,
  statusOf: (err: unknown) => RpcError,
): Promise<void> {
  let settle!: (outcome: RpcError | "ok") => void;
  const outcome = new Promise<RpcError | "ok">((resolve) => (settle = resolve));
  // The client left, the deadline passed or the server shut down: that is how the call ended.
  const departed = () => call.cancellation();
  try {
    let next: ServerNext = (request) => runHandler(call, method, handler, request);
    for (let i = interceptors.length - 1; i >= 0; i--) next = interceptors[i]!(next);
    const context = new ServerContext(call);
    const response = await next({ method, context, messages: requestsOf(call, method), outcome });
    const single = method.kind === "unary" || method.kind === "client_streaming";
    if (single) {
      const frame = encodeResponse(method, await onlyResponse(response.messages), report);
      settle(departed() ?? "ok");
      return call.respond(frame);
    }
    const out = call.outbound();
    for await (const message of response.messages) {
      const gone = out.ended();
      if (gone !== undefined) return settle(departed() ?? gone); // the client left: nothing more goes out
      if (!out.write(encodeResponse(method, message, report))) await out.drained();
    }
    settle(departed() ?? "ok");
    call.finish();
  } catch (err) {
    const status = statusOf(err);
    settle(departed() ?? status);
    call.fail(status);
  }
}

/** The handler itself, as the chain's last step: its arguments on message ports, its result as messages. */
async function runHandler(call: ServerCall, method: AnyMethodDefinition, handler: AnyHandler, request: ServerRequest): Promise<ServerResponse> {
  const { context } = request;
  switch (method.kind) {
    case "unary":
      return answered(async () => handler(await firstOf(request.messages), context));
    case "client_streaming":
      return answered(async () => handler(new Receiver(null, inboundOver(request.messages), false), context));
    case "server_streaming":
      return streamed(call, async (sender) => handler(await firstOf(request.messages), sender, context));
    case "bidi_streaming":
      return streamed(call, (sender) => handler(new Receiver(null, inboundOver(request.messages), false), sender, context));
  }
}

/** A response stream fed by a handler's Sender, ending when the handler returns (or throwing what it threw). */
function streamed(call: ServerCall, run: (sender: Sender<unknown>) => unknown): ServerResponse {
  const out = call.outbound();
  const slot = new MessageSlot(() => out.ended(), out.whenEnded());
  void out.whenEnded().then(() => slot.stop());
  let failure: { error: unknown } | undefined;
  const finished = Promise.resolve()
    .then(() => run(new Sender(null, slot)))
    .then(
      () => slot.end(),
      (error: unknown) => {
        failure = { error };
        slot.end();
      },
    );
  return {
    messages: {
      async *[Symbol.asyncIterator]() {
        yield* slot.messages;
        await finished;
        if (failure) throw failure.error;
      },
    },
  };
}

/** The requests as messages: the one decoded request, or the decoded request stream pulled one at a time. */
function requestsOf(call: ServerCall, method: AnyMethodDefinition): AsyncIterable<unknown> {
  if (method.kind === "unary" || method.kind === "server_streaming") {
    return once(decodeMessage(method.requestCodec, call.request ?? Buffer.alloc(0), "the request")).messages;
  }
  const inbound = call.inbound();
  return { [Symbol.asyncIterator]: () => decodedMessages(inbound, method.requestCodec, "the request") };
}

/** An Inbound over the chain's request messages, for the handler's Receiver. */
function inboundOver(messages: AsyncIterable<unknown>): Inbound<unknown> {
  let outcome: RpcError | "ok" | undefined;
  const inbound = new PulledInbound(
    () => outcome,
    (failure) => {
      outcome = failure === undefined ? "ok" : failure instanceof RpcError ? failure : new RpcError(Code.INTERNAL, "a server interceptor failed", undefined, { cause: failure });
    },
    () => {},
  );
  inbound.attach(messages[Symbol.asyncIterator]());
  return inbound;
}

/** The one response of a handler started now: what it returns, or throws, comes out of the iteration. */
function answered(run: () => Promise<unknown>): ServerResponse {
  return { messages: new OneAnswer(run()) };
}

function once(message: unknown): ServerResponse {
  return { messages: new OneMessage(message) };
}

async function firstOf(messages: AsyncIterable<unknown>): Promise<unknown> {
  if (messages instanceof OneMessage) return messages.message; // passed on unchanged: no iteration
  for await (const message of messages) return message;
  throw new RpcError(Code.INTERNAL, "no request message");
}

async function onlyResponse(messages: AsyncIterable<unknown>): Promise<unknown> {
  if (messages instanceof OneAnswer) return messages.answer; // passed on unchanged: no iteration
  return onlyMessage(messages, "the server answered no response message", "the server answered more than one response message");
}
