import { decodeMessage, encodeMessage } from "../core/codec.js";
import type { AnyMethodDefinition, MethodKind } from "../core/method.js";
import { Receiver } from "../stream/receiver.js";
import { Sender } from "../stream/sender.js";
import type { ServerCall } from "./call.js";
import { ServerContext } from "./context.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyHandler = (...args: any[]) => unknown;

export function isHandler(value: unknown): value is AnyHandler {
  return typeof value === "function";
}

/** What a handler's failure becomes (the Server's status for what it threw): called instead of rejecting. */
export type DispatchFailed = (call: ServerCall, err: unknown) => void;

/**
 * Runs a handler of one kind on its call; what it returns (if it is a
 * promise) settles once the status went out, or once `failed` had what the
 * handler threw, and never rejects.
 */
type Dispatch = (call: ServerCall, method: AnyMethodDefinition, handler: AnyHandler, ctx: ServerContext, report: (cause: unknown) => void, failed: DispatchFailed) => Promise<void> | void;

/**
 * One entry per call kind: how the handler gets its request(s) and how its
 * result becomes the response. What a handler throws at once goes to
 * `failed`; what it returns is awaited with `then`, not in an async function
 * of dispatch's own: a long-lived stream then holds no suspended generator
 * of the runtime's, only the handler's.
 */
const dispatchers: Record<MethodKind, Dispatch> = {
  unary: (call, method, handler, ctx, report, failed) => {
    let response: unknown;
    try {
      response = handler(decodeRequest(method, call.request), ctx);
    } catch (err) {
      return failed(call, err);
    }
    return respondWhenDone(call, method, response, report, failed);
  },
  client_streaming: (call, method, handler, ctx, report, failed) => {
    let response: unknown;
    try {
      response = handler(new Receiver(method.requestCodec, call.inbound(), false), ctx);
    } catch (err) {
      return failed(call, err);
    }
    return respondWhenDone(call, method, response, report, failed);
  },
  server_streaming: (call, method, handler, ctx, _report, failed) => {
    let done: unknown;
    try {
      done = handler(decodeRequest(method, call.request), new Sender(method.responseCodec, call.outbound()), ctx);
    } catch (err) {
      return failed(call, err);
    }
    return finishWhenDone(call, done, failed);
  },
  bidi_streaming: (call, method, handler, ctx, _report, failed) => {
    let done: unknown;
    try {
      done = handler(new Receiver(method.requestCodec, call.inbound(), false), new Sender(method.responseCodec, call.outbound()), ctx);
    } catch (err) {
      return failed(call, err);
    }
    return finishWhenDone(call, done, failed);
  },
};

/** Sends a unary or client-streaming handler's response: at once when it returned a value (as grpc-js's callback), else once its promise resolves. */
function respondWhenDone(call: ServerCall, method: AnyMethodDefinition, response: unknown, report: (cause: unknown) => void, failed: DispatchFailed): Promise<void> | void {
  if (!isPromiseLike(response)) return respondNow(call, method, response, report, failed);
  return Promise.resolve(response).then(
    (value) => respondNow(call, method, value, report, failed),
    (err: unknown) => failed(call, err),
  );
}

function respondNow(call: ServerCall, method: AnyMethodDefinition, response: unknown, report: (cause: unknown) => void, failed: DispatchFailed): void {
  try {
    call.respond(encodeResponse(method, response, report));
  } catch (err) {
    failed(call, err);
  }
}

/**
 * Ends a streaming-response call with status OK once its handler returned,
 * or with what it threw. Bound functions, not arrows: a long-lived stream
 * keeps these two until its handler settles, and bound functions need no
 * closure context beside them.
 */
function finishWhenDone(call: ServerCall, done: unknown, failed: DispatchFailed): Promise<void> | void {
  if (!isPromiseLike(done)) return call.finish();
  return Promise.resolve(done).then(call.finish.bind(call), failed.bind(undefined, call));
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}

/**
 * Runs `handler` for `call` as its own task; what it throws goes to
 * `failed` (the returned promise never rejects). `report` gets what the
 * operator must see but the client must not (a response that does not encode).
 */
export function dispatch(call: ServerCall, method: AnyMethodDefinition, handler: AnyHandler, report: (cause: unknown) => void, failed: DispatchFailed): Promise<void> | void {
  return dispatchers[method.kind](call, method, handler, new ServerContext(call), report, failed);
}

function decodeRequest(method: AnyMethodDefinition, frame: Buffer | undefined): unknown {
  return decodeMessage(method.requestCodec, frame ?? Buffer.alloc(0), "the request");
}

/** A response that does not encode is the handler's bug: the client gets INTERNAL, the operator the cause. */
export function encodeResponse(method: AnyMethodDefinition, response: unknown, report: (cause: unknown) => void): Buffer {
  try {
    return encodeMessage(method.responseCodec, response, "the response", true);
  } catch (err) {
    report((err as Error).cause);
    throw err;
  }
}
