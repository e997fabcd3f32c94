import type * as grpc from "@grpc/grpc-js";
import { Code } from "../../core/code.js";
import { RpcError, StreamUsageError } from "../../core/errors.js";
import { Metadata, type MetadataValue } from "../../core/metadata.js";
import type { ServerCall } from "../../server/call.js";
import type { Inbound, Outbound } from "../../stream/ports.js";
import { Waker } from "../../stream/waker.js";
import { fromGrpcMetadata, toGrpcMetadata } from "./metadata.js";
import { grpcStatusOf } from "./status.js";

/** Any of grpc-js's four server call objects, all with pass-through (Buffer) serializers. */
export type GrpcServerStream =
  | grpc.ServerUnaryCall<Buffer, Buffer>
  | grpc.ServerReadableStream<Buffer, Buffer>
  | grpc.ServerWritableStream<Buffer, Buffer>
  | grpc.ServerDuplexStream<Buffer, Buffer>;

/**
 * How long the end of a request stream waits for an RST_STREAM before it
 * counts as a half-close. A grpc-js (node:http2) client that cancels sends
 * END_STREAM and then RST_STREAM, the RST a turn of its event loop later:
 * 0.1–0.4 ms apart on an idle loopback, several ms when the client is busy.
 * Waiting this long keeps a cancelled upload from looking complete to its
 * handler; it delays only the end of a request stream, never a message.
 */
export const HALF_CLOSE_SETTLE_MS = 20;

/**
 * A cancel that arrives this close to the deadline (or after it) is the
 * deadline: the client's deadline timer and the server's fire within a
 * network latency of each other, and the client's RST_STREAM says CANCEL.
 */
const DEADLINE_SLACK_MS = 20;

/**
 * GrpcServerCall owns one call a grpc-js server accepted: the request,
 * response headers and trailers, the status, cancellation (the handler's
 * AbortSignal) and the deadline timer. Its `inbound` and `outbound` are the
 * ports the handler's Receiver and Sender sit on. It is used by the runtime only.
 */
export class GrpcServerCall implements ServerCall {
  readonly method: string;
  readonly metadata: Metadata;
  readonly deadline: Date | undefined;
  readonly signal: AbortSignal;
  /** The one request of a unary or server-streaming call. */
  readonly request: Buffer | undefined;
  readonly #call: GrpcServerStream;
  /** grpc-js's callback for the one response of unary and client-streaming calls. */
  readonly #respond: grpc.sendUnaryData<Buffer> | undefined;
  readonly #abort = new AbortController();
  readonly #headers = new Metadata();
  readonly #trailers = new Metadata();
  #headersSent = false;
  #deadlineTimer: NodeJS.Timeout | undefined;
  /** The status went out (or the call ended without one): nothing more goes to the client. */
  #responded = false;
  /** The request stream ended with a real half-close (END_STREAM with no RST_STREAM after it). */
  #halfClosed = false;
  readonly #reader = new Waker();
  readonly #writer = new Waker();
  readonly over: Promise<void>;
  #resolveOver!: () => void;

  constructor(method: string, call: GrpcServerStream, respond: grpc.sendUnaryData<Buffer> | undefined) {
    this.method = method;
    this.#call = call;
    this.#respond = respond;
    this.request = "request" in call ? call.request : undefined;
    this.metadata = fromGrpcMetadata(call.metadata);
    this.signal = this.#abort.signal;
    this.over = new Promise((resolve) => (this.#resolveOver = resolve));
    const deadline = call.getDeadline();
    const at = deadline instanceof Date ? deadline.getTime() : deadline;
    this.deadline = Number.isFinite(at) ? new Date(at) : undefined;
    if (this.deadline) {
      this.#deadlineTimer = setTimeout(() => this.#cancel(new RpcError(Code.DEADLINE_EXCEEDED, "deadline exceeded")), Math.max(0, at - Date.now()));
    }
    // grpc-js emits 'cancelled' on every close, also after the status went out: #cancel ignores those.
    (call as grpc.ServerUnaryCall<Buffer, Buffer>).on("cancelled", () => this.#cancel(this.#clientLeft()));
    if (call.cancelled) this.#cancel(this.#clientLeft());
  }

  get peer(): string {
    return this.#call.getPeer();
  }

  get headersSent(): boolean {
    return this.#headersSent;
  }

  setHeader(key: string, value: MetadataValue): void {
    if (this.#headersSent) throw new StreamUsageError(`setHeader("${key}") refused: the response headers were already sent`);
    this.#headers.append(key, value);
  }

  sendHeaders(): void {
    if (this.#headersSent) return;
    this.#headersSent = true;
    if (!this.#responded && !this.signal.aborted) this.#call.sendMetadata(toGrpcMetadata(this.#headers));
  }

  setTrailer(key: string, value: MetadataValue): void {
    this.#trailers.append(key, value);
  }

  /** The request stream, read one message at a time (grpc-js in paused mode). */
  inbound(): Inbound {
    const stream = this.#call as grpc.ServerReadableStream<Buffer, Buffer>;
    const wake = () => this.#reader.wake();
    stream.on("readable", wake);
    stream.on("end", () => settleHalfClose(() => {
      if (!this.signal.aborted) this.#halfClosed = true;
      wake();
    }));
    stream.on("error", () => {});
    return {
      read: () => (stream.read() as Buffer | null) ?? null,
      onReadable: (callback) => {
        this.#reader.park(callback);
        if (this.#requestsEnded() !== undefined) this.#reader.wake();
      },
      ended: () => this.#requestsEnded(),
      // On a server, leaving a receive loop early does not end the call: the handler may still respond.
      abandon: () => {},
    };
  }

  /** The response stream, with grpc-js's flow control (write()'s result and 'drain'). */
  outbound(): Outbound {
    const stream = this.#call as grpc.ServerWritableStream<Buffer, Buffer>;
    stream.on("drain", () => this.#writer.wake());
    const ended = () => this.#cancellation() ?? (this.#responded ? "ok" : undefined);
    return {
      write: (frame) => {
        this.#flushHeaders();
        return stream.write(frame);
      },
      drained: () => (ended() !== undefined ? Promise.resolve() : this.#writer.wait()),
      // "No more messages": the status goes out when the handler returns.
      end: () => {},
      ended,
      whenEnded: () => this.over,
    };
  }

  /** Sends the one response of a unary or client-streaming call, and status OK. */
  respond(frame: Buffer): void {
    if (this.#settle()) return;
    this.#respond!(null, frame, this.#trailersFor());
  }

  /** Ends a streaming call with status OK. */
  finish(): void {
    if (this.#settle()) return;
    (this.#call as grpc.ServerWritableStream<Buffer, Buffer>).end(this.#trailersFor());
  }

  /** Ends the call with `status` (nothing goes out if the client is gone). */
  fail(status: RpcError): void {
    if (this.#settle()) return;
    this.#sendStatus(status);
  }

  /** Server shutdown: the handler sees UNAVAILABLE "server shutting down", and so does the client. */
  shutDown(): void {
    if (this.#responded || this.signal.aborted) return;
    const reason = new RpcError(Code.UNAVAILABLE, "server shutting down");
    this.#cancel(reason);
    this.#sendStatus(reason);
  }

  /** Marks the call answered; true when the client is gone and nothing may be sent. */
  #settle(): boolean {
    if (this.signal.aborted) {
      this.#end();
      return true;
    }
    this.#flushHeaders();
    this.#end();
    return false;
  }

  #sendStatus(status: RpcError): void {
    this.#end();
    const grpcStatus = { code: grpcStatusOf(status.code), details: status.details, metadata: this.#trailersFor(status) };
    if (this.#respond) this.#respond(grpcStatus);
    else this.#call.emit("error", grpcStatus);
  }

  #requestsEnded(): RpcError | "ok" | undefined {
    return this.#cancellation() ?? (this.#halfClosed ? "ok" : undefined);
  }

  #cancellation(): RpcError | undefined {
    return this.signal.aborted ? (this.signal.reason as RpcError) : undefined;
  }

  /** Why grpc-js says the call was cancelled: the deadline once it passed, the client otherwise. */
  #clientLeft(): RpcError {
    if (this.deadline && Date.now() >= this.deadline.getTime() - DEADLINE_SLACK_MS) return new RpcError(Code.DEADLINE_EXCEEDED, "deadline exceeded");
    return new RpcError(Code.CANCELLED, "the client cancelled the call");
  }

  #cancel(reason: RpcError): void {
    if (this.#responded || this.signal.aborted) return;
    this.#abort.abort(reason);
    this.#wrapUp();
  }

  /** The response side is done: no status or message will go out after this. */
  #end(): void {
    if (this.#responded) return;
    this.#responded = true;
    this.#wrapUp();
  }

  #wrapUp(): void {
    clearTimeout(this.#deadlineTimer);
    this.#reader.wake();
    this.#writer.wake();
    this.#resolveOver();
  }

  /** Sends headers the handler set before the first message or the status. */
  #flushHeaders(): void {
    if (!this.#headersSent && this.#headers.size > 0) this.sendHeaders();
    this.#headersSent = true;
  }

  /** The trailers to send, with an error's own metadata merged in. */
  #trailersFor(err?: RpcError): grpc.Metadata {
    const out = new Metadata(this.#trailers);
    if (err) for (const [key, value] of err.metadata) out.append(key, value);
    return toGrpcMetadata(out);
  }
}

/** Runs `then` once HALF_CLOSE_SETTLE_MS and two more turns of the event loop have passed. */
function settleHalfClose(then: () => void): void {
  setTimeout(() => setImmediate(() => setImmediate(then)), HALF_CLOSE_SETTLE_MS);
}
