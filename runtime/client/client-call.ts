import type { ResolvedCall } from "../core/call-options.js";
import { Code } from "../core/code.js";
import { RpcError, withReceivedStatus } from "../core/errors.js";
import { Metadata } from "../core/metadata.js";
import type { Inbound, Outbound } from "../stream/ports.js";
import { Waker } from "../stream/waker.js";
import type { ClientTransport, OpenCall, TransportCall, TransportCallListener } from "./channel.js";

/**
 * Frames a Sender may queue ahead of the transport; past this many, a send
 * waits. Like a Writable's highWaterMark of 16 objects, without a stream
 * object per call.
 */
const WRITE_WINDOW = 16;

/**
 * Messages read ahead of the consumer (a Readable's default of 16 objects).
 * The transport is only asked for the next message (startRead) while fewer
 * than this many wait, so a stream nobody reads stays paused at the HTTP/2
 * flow-control window.
 */
const STREAM_READ_AHEAD = 16;

/**
 * ClientStream drives one RPC on a client transport's call and adapts it to
 * the Inbound and Outbound ports of Receiver and Sender. It owns the call's
 * lifecycle: headers, trailers, status, cancellation and the abort signal.
 * It is used by the runtime only.
 */
export class ClientStream implements Inbound, Outbound, TransportCallListener {
  readonly headers: Promise<Metadata>;
  readonly trailers: Promise<Metadata>;
  /** Resolves with the status (an RpcError for non-OK, "ok" otherwise) once the RPC ended. Never rejects. */
  readonly done: Promise<RpcError | "ok">;
  readonly #options: ResolvedCall;
  readonly #readAhead: number;
  readonly #single: boolean;
  /** Whether the caller can see `headers` and `trailers` (streaming calls); a unary call only has its observers. */
  readonly #exposed: boolean;
  #call: TransportCall | undefined;
  #outcome: RpcError | "ok" | undefined;
  #cancelled = false;
  #sawHeaders = false;
  readonly #queue: Buffer[] = [];
  #reading = false;
  /** Frames waiting for the transport: grpc-js's call layer takes one write at a time. */
  readonly #outbox: Buffer[] = [];
  #writing = false;
  #halfCloseRequested = false;
  readonly #reader = new Waker();
  readonly #writer = new Waker();
  #resolveHeaders!: (md: Metadata) => void;
  #resolveTrailers!: (md: Metadata) => void;
  #resolveDone!: (outcome: RpcError | "ok") => void;
  /** The Channel's set of open calls: close() ends each of them. */
  readonly #open: Set<OpenCall> | undefined;
  readonly #onAbort = () => this.cancel(this.#options.signal?.reason);
  readonly #onWritten = () => {
    this.#writing = false;
    this.#flush();
    if (this.#outbox.length < WRITE_WINDOW) this.#writer.wake();
  };

  /**
   * Starts the RPC at once. `responses` is "stream" for a response stream, or
   * "single" for calls that get exactly one response (unary, client streaming).
   * `exposed` says whether the caller sees the `headers` and `trailers`
   * promises; when it does not (unary calls), metadata is only converted for
   * the onHeaders/onTrailers observers and for a failed status.
   */
  constructor(transport: ClientTransport | null, path: string, options: ResolvedCall, responses: "stream" | "single", exposed = true, open?: Set<OpenCall>) {
    this.#options = options;
    this.#open = open;
    this.#single = responses === "single";
    this.#exposed = exposed;
    // A single response needs a second read to see the end of the stream (or a second message, an error).
    this.#readAhead = this.#single ? 2 : STREAM_READ_AHEAD;
    this.headers = new Promise((resolve) => (this.#resolveHeaders = resolve));
    this.trailers = new Promise((resolve) => (this.#resolveTrailers = resolve));
    this.done = new Promise((resolve) => (this.#resolveDone = resolve));
    if (transport === null) return;
    if (options.signal?.aborted) {
      this.#finish(cancelled("call aborted before it started", options.signal.reason), new Metadata());
      return;
    }
    try {
      this.#call = transport.startCall(path, options, this);
    } catch (err) {
      // A closed transport throws synchronously.
      this.#finish(startFailure(err), new Metadata());
      return;
    }
    options.signal?.addEventListener("abort", this.#onAbort, { once: true });
    this.#open?.add(this);
    this.#pull();
  }

  /** A call that failed before it reached the transport (its request did not encode): it ends at once with `error`. */
  static failed(error: RpcError, options: ResolvedCall, responses: "stream" | "single"): ClientStream {
    // `this` is ClientStream: a class that names itself in its body is renamed by bundlers (its `.name` too).
    const stream = new this(null, "", options, responses);
    stream.#finish(error, new Metadata());
    return stream;
  }

  /** Whether response headers came (a trailers-only response has none). */
  get receivedHeaders(): boolean {
    return this.#sawHeaders;
  }

  /** Ends the RPC with CANCELLED (no-op once it ended); `reason`, when given, is the error's cause. */
  cancel(reason?: unknown): void {
    this.endWith(cancelled("Cancelled on client", reason));
  }

  /**
   * Ends the RPC now with `error`, in this same tick: from here on every
   * send, sendAll and close rejects with it and nothing more goes out, though
   * grpc-js reports the cancelled call's status only a turn later.
   */
  endWith(error: RpcError): void {
    if (this.#outcome !== undefined) return;
    this.#cancelled = true;
    this.#call?.cancel(error.code, error.details);
    this.#finish(error, new Metadata());
  }

  /** Resolves once the RPC ended, whatever its status. */
  whenEnded(): Promise<unknown> {
    return this.done;
  }

  async dispose(): Promise<void> {
    this.cancel();
    await this.done;
  }

  // Inbound

  read(): Buffer | null {
    // Messages still buffered when the caller cancelled are dropped: the caller gave up on them.
    if (this.#cancelled) return null;
    const message = this.#queue.shift();
    this.#pull();
    return message ?? null;
  }

  onReadable(callback: () => void): void {
    this.#reader.park(callback);
    if (this.#outcome !== undefined) this.#reader.wake();
  }

  ended(): RpcError | "ok" | undefined {
    return this.#outcome;
  }

  abandon(): void {
    this.cancel();
  }

  // Outbound

  write(frame: Buffer): boolean {
    this.#outbox.push(frame);
    this.#flush();
    return this.#outbox.length < WRITE_WINDOW;
  }

  drained(): Promise<void> {
    // grpc-js never calls write callbacks after the call ended: the end wakes us too.
    if (this.#outcome !== undefined || this.#outbox.length < WRITE_WINDOW) return Promise.resolve();
    return this.#writer.wait();
  }

  end(): void {
    this.#halfCloseRequested = true;
    this.#flush();
  }

  /**
   * Sends the only request of a unary or server-streaming call and half-closes
   * at once, as grpc-js's own unary path does: the end of the stream goes out
   * with the message instead of after its write completed.
   */
  sendOnly(frame: Buffer): void {
    if (this.#outcome !== undefined) return;
    this.#call!.write(frame);
    this.#call!.halfClose();
  }

  /** Hands the next frame to grpc-js once the previous write completed; half-closes after the last. */
  #flush(): void {
    if (this.#writing || this.#outcome !== undefined) return;
    const frame = this.#outbox.shift();
    if (frame) {
      this.#writing = true;
      this.#call!.write(frame, this.#onWritten);
    } else if (this.#halfCloseRequested) {
      this.#halfCloseRequested = false;
      this.#call!.halfClose();
    }
  }

  #pull(): void {
    if (this.#reading || this.#outcome !== undefined || !this.#call || this.#queue.length >= this.#readAhead) return;
    this.#reading = true;
    this.#call.startRead();
  }

  // TransportCallListener

  onHeaders(md: () => Metadata): void {
    this.#sawHeaders = true;
    if (!this.#exposed && !this.#options.onHeaders) return;
    const headers = md();
    this.#resolveHeaders(headers);
    notify(this.#options.onHeaders, headers);
  }

  onMessage(message: Buffer): void {
    this.#reading = false;
    if (this.#single && this.#queue.length > 0) {
      // gRPC-Go calls a second response to a non-streaming call a cardinality violation.
      this.#call!.cancel(Code.INTERNAL, "cardinality violation: more than one response message");
      return;
    }
    this.#queue.push(message);
    this.#pull();
    this.#reader.wake();
  }

  onStatus(code: Code, details: string, md: () => Metadata, statusDetails?: Uint8Array): void {
    if (code === Code.OK) {
      // Nobody may look at the trailers of a successful unary call without an observer: skip converting them.
      const wanted = this.#exposed || this.#options.onTrailers !== undefined;
      this.#finish("ok", wanted ? md() : new Metadata());
    } else {
      const trailers = md();
      this.#finish(withReceivedStatus(new RpcError(code, details, trailers), statusDetails), trailers);
    }
  }

  #finish(outcome: RpcError | "ok", trailers: Metadata): void {
    if (this.#outcome !== undefined) return;
    this.#outcome = outcome;
    this.#open?.delete(this);
    this.#options.signal?.removeEventListener("abort", this.#onAbort);
    if (!this.#sawHeaders) {
      const none = new Metadata();
      this.#resolveHeaders(none);
      notify(this.#options.onHeaders, none);
    }
    this.#resolveTrailers(trailers);
    notify(this.#options.onTrailers, trailers);
    this.#resolveDone(outcome);
    this.#reader.wake();
    this.#writer.wake();
  }
}

/** A CANCELLED error; the abort reason or the value given to cancel(), if any, is kept as its cause. */
function cancelled(details: string, reason: unknown): RpcError {
  return new RpcError(Code.CANCELLED, details, undefined, reason === undefined ? undefined : { cause: reason });
}

/** What a synchronous throw from a transport at call start means: a closed channel. */
export function startFailure(err: unknown): RpcError {
  const message = err instanceof Error ? err.message : String(err);
  return new RpcError(Code.CANCELLED, `the channel is closed (${message})`, undefined, { cause: err });
}

/** Calls a user's metadata observer; a throwing observer must not break the call it observes. */
export function notify(callback: ((md: Metadata) => void) | undefined, md: Metadata): void {
  if (!callback) return;
  try {
    callback(md);
  } catch {
    // ignored on purpose, see above
  }
}
