import { Code } from "../core/code.js";
import { RpcError, StreamUsageError, statusDetailsBin } from "../core/errors.js";
import { Metadata, type MetadataValue } from "../core/metadata.js";
import type { Inbound, Outbound } from "../stream/ports.js";
import { Waker } from "../stream/waker.js";
import type { ServerCall } from "./call.js";

/**
 * BaseServerCall is what every transport's server call shares: the response
 * headers and trailers, the status (sent once), cancellation (the handler's
 * AbortSignal) and the deadline timer. A transport adds how headers,
 * messages and the status reach its client, and its two ports. It is used
 * by the runtime only.
 */
export abstract class BaseServerCall implements ServerCall {
  readonly method: string;
  readonly deadline: Date | undefined;
  liveSlot = -1;
  /** The request port, woken when the request stream may have something new or the call ended (a unary call has none). */
  #reader: ServerInbound | undefined;
  /** The response port, woken when the response stream drained or the call ended. */
  #writer: ServerOutbound | undefined;
  /** Why the call was cancelled, once it was (the client left, the deadline passed, or the call broke). */
  #cancelled: RpcError | undefined;
  /** A server drain's notice (noticeShutdown): the handler's signal aborts with it, the call goes on. */
  #noticed: RpcError | undefined;
  /**
   * The handler's signal, made on first use of `signal`: most handlers never
   * look at it, and an AbortController (an EventTarget) is one of the dearest
   * objects of a call. It follows the first of the notice and the cancel.
   */
  #handlerAbort: AbortController | undefined;
  /** Request metadata, converted from the transport's on first read (most handlers never read it). */
  #metadata: Metadata | undefined;
  /** Response headers and trailers, made when the handler sets the first one (most set none). */
  #headers: Metadata | undefined;
  #trailers: Metadata | undefined;
  #headersSent = false;
  #deadlineTimer: NodeJS.Timeout | undefined;
  /** The status went out (or the call ended without one): nothing more goes to the client. */
  #responded = false;
  /** The call can send nothing more (#wrapUp ran). */
  #over = false;
  /** `over`, made on first use; and what the server runs when the call is over (onOver). */
  #overPromise: Promise<void> | undefined;
  #resolveOver: (() => void) | undefined;
  #onOver: ((call: ServerCall) => void) | undefined;
  #request: Buffer | undefined;

  constructor(method: string, metadata: Metadata | undefined, deadline: Date | undefined, request: Buffer | undefined) {
    this.method = method;
    this.#metadata = metadata;
    this.deadline = deadline;
    this.#request = request;
    if (deadline) {
      this.#deadlineTimer = setTimeout(() => this.cancel(new RpcError(Code.DEADLINE_EXCEEDED, "deadline exceeded")), Math.max(0, deadline.getTime() - Date.now()));
    }
  }

  abstract get peer(): string;

  /** Resolves once the call can send nothing more (made on first use: the server itself uses onOver). */
  get over(): Promise<void> {
    if (!this.#overPromise) this.#overPromise = this.#over ? Promise.resolve() : new Promise((resolve) => (this.#resolveOver = resolve));
    return this.#overPromise;
  }

  /** Runs `callback(this)` once, synchronously, when the call can send nothing more (at once if it already cannot). */
  onOver(callback: (call: ServerCall) => void): void {
    if (this.#over) return callback(this);
    const before = this.#onOver;
    this.#onOver = before ? (call) => (before(call), callback(call)) : callback;
  }

  /** The request metadata. */
  get metadata(): Metadata {
    return (this.#metadata ??= this.readMetadata());
  }

  /** The request metadata as the transport received it, for a call constructed without it. */
  protected readMetadata(): Metadata {
    return new Metadata();
  }

  /**
   * Aborts (with an RpcError reason) when the call is cancelled (client
   * cancel, deadline, shutdown, broken request stream) or, earlier, at a
   * server drain's notice.
   */
  get signal(): AbortSignal {
    if (!this.#handlerAbort) {
      this.#handlerAbort = new AbortController();
      const reason = this.#noticed ?? this.#cancelled;
      if (reason) this.#handlerAbort.abort(reason);
    }
    return this.#handlerAbort.signal;
  }

  /** The request's grpc-encoding; a transport without a wire has none. */
  get requestEncoding(): string {
    return "identity";
  }

  /** Whether request message `index` came compressed; a transport without a wire compresses nothing. */
  requestCompressed(_index: number): boolean | undefined {
    return false;
  }

  /** The one request of a unary or server-streaming call. */
  get request(): Buffer | undefined {
    return this.#request;
  }

  /** For a transport that reads the one request itself after the call started (before dispatch). */
  protected takeRequest(frame: Buffer): void {
    this.#request = frame;
  }
  /** The request stream, for client-streaming and bidi calls. */
  abstract inbound(): Inbound;
  /** The response stream, for server-streaming and bidi calls. */
  abstract outbound(): Outbound;
  /** Puts the response headers on the wire. */
  protected abstract sendHeaderFrame(headers: Metadata | undefined): void;
  /** Puts the one response and status OK on the wire (trailers: undefined when there are none). */
  protected abstract sendResponse(frame: Buffer, trailers: Metadata | undefined): void;
  /** Puts status OK on the wire, after the response stream. */
  protected abstract sendOk(trailers: Metadata | undefined): void;
  /**
   * Puts a failed status on the wire; `statusDetails`, when the error has
   * details, is the google.rpc.Status for grpc-status-details-bin (with the
   * status's own code and message).
   */
  protected abstract sendError(status: RpcError, trailers: Metadata | undefined, statusDetails: Uint8Array | undefined): void;

  get headersSent(): boolean {
    return this.#headersSent;
  }

  setHeader(key: string, value: MetadataValue): void {
    if (this.#headersSent) throw new StreamUsageError(`setHeader("${key}") refused: the response headers were already sent`);
    (this.#headers ??= new Metadata()).append(key, value);
  }

  sendHeaders(): void {
    if (this.#headersSent) return;
    this.#headersSent = true;
    if (!this.#responded && !this.#cancelled) this.sendHeaderFrame(this.#headers);
  }

  setTrailer(key: string, value: MetadataValue): void {
    (this.#trailers ??= new Metadata()).append(key, value);
  }

  /** Sends the one response of a unary or client-streaming call, and status OK. */
  respond(frame: Buffer): void {
    if (this.#settle()) return;
    this.sendResponse(frame, this.#trailersFor());
  }

  /** Ends a streaming call with status OK. */
  finish(): void {
    if (this.#settle()) return;
    this.sendOk(this.#trailersFor());
  }

  /** Ends the call with `status` (nothing goes out if the client is gone). */
  fail(status: RpcError): void {
    if (this.#settle()) return;
    this.#sendStatus(status);
  }

  /** Server shutdown: the handler sees UNAVAILABLE "server shutting down", and so does the client. */
  shutDown(): void {
    this.breakCall(new RpcError(Code.UNAVAILABLE, "server shutting down"));
  }

  /**
   * Server drain: the handler's signal aborts with UNAVAILABLE "server
   * shutting down" but the call goes on, so a long-lived stream can end
   * itself within the grace: it may still send, and its status goes out
   * (OK if it returns, what it throws otherwise).
   */
  noticeShutdown(): void {
    if (this.settled || this.#noticed) return;
    this.#noticed = new RpcError(Code.UNAVAILABLE, "server shutting down");
    this.#handlerAbort?.abort(this.#noticed);
  }

  /** The call cannot go on (a broken request stream, shutdown): the handler sees `reason`, and so does the client. */
  protected breakCall(reason: RpcError): void {
    if (this.settled) return;
    this.cancel(reason);
    this.#sendStatus(reason);
  }

  /** Whether the status went out or the call was cancelled: a later cancel is ignored (check it before building one). */
  protected get settled(): boolean {
    return this.#responded || this.#cancelled !== undefined;
  }

  /** The call is over for the handler: its signal aborts with `reason` (ignored once the call ended). */
  protected cancel(reason: RpcError): void {
    if (this.settled) return;
    this.#cancelled = reason;
    if (this.#noticed === undefined) this.#handlerAbort?.abort(reason);
    this.#wrapUp();
  }

  /** Why the call was cancelled, if it was (a drain's notice is not a cancel). */
  cancellation(): RpcError | undefined {
    return this.#cancelled;
  }

  /** Wakes a receive waiting on the request port: something new may be readable, or the stream ended. */
  protected wakeReader(): void {
    this.#reader?.wake();
  }

  /** Wakes a send waiting on the response port: the transport has room again. */
  protected wakeWriter(): void {
    this.#writer?.wake();
  }

  /**
   * The handler's request port over a transport's `source`: a waiting reader
   * parks until the transport calls wakeReader(), or is woken at once when
   * the source says the stream is over.
   */
  protected inboundPort(source: RequestSource): Inbound {
    return (this.#reader ??= new ServerInbound(source));
  }

  /**
   * The handler's response port over a transport's `sink` (a write that says
   * false waits for wakeWriter()). A drain waits unless the call ended or the
   * sink already has room again.
   */
  protected outboundPort(sink: ResponseSink): Outbound {
    return (this.#writer ??= new ServerOutbound(this, sink));
  }

  /** @internal The response port's end: the cancellation, or "ok" once the status went out. */
  responseEnded(): RpcError | "ok" | undefined {
    return this.#cancelled ?? (this.#responded ? "ok" : undefined);
  }

  /** Sends headers the handler set before the first message or the status (the transport may send empty ones itself). */
  protected flushHeaders(): void {
    if (!this.#headersSent && this.#headers !== undefined && this.#headers.size > 0) this.sendHeaders();
    this.#headersSent = true;
  }

  /** Marks the call answered; true when the client is gone and nothing may be sent. */
  #settle(): boolean {
    if (this.#cancelled) {
      this.#end();
      return true;
    }
    this.flushHeaders();
    this.#end();
    return false;
  }

  #sendStatus(status: RpcError): void {
    this.#end();
    this.sendError(status, this.#trailersFor(status), statusDetailsBin(status));
  }

  /** The response side is done: no status or message will go out after this. */
  #end(): void {
    if (this.#responded) return;
    this.#responded = true;
    this.#wrapUp();
  }

  #wrapUp(): void {
    clearTimeout(this.#deadlineTimer);
    this.#reader?.wake();
    this.#writer?.wake();
    if (this.#over) return;
    this.#over = true;
    this.#resolveOver?.();
    const onOver = this.#onOver;
    this.#onOver = undefined;
    onOver?.(this);
  }

  /**
   * The trailers to send, with an error's own metadata merged in; undefined
   * when there are none. Not a copy unless merged: a transport that keeps
   * them past the status copies them itself.
   */
  #trailersFor(err?: RpcError): Metadata | undefined {
    if (!err || err.metadata.size === 0) return this.#trailers;
    const out = new Metadata(this.#trailers);
    for (const [key, value] of err.metadata) out.append(key, value);
    return out;
  }
}

/** What a transport's call reads its request stream through (the grpc-js call itself: no closures per call). */
export interface RequestSource {
  /** The next request message if one is here, else null. */
  readFrame(): Buffer | null;
  /** undefined while requests may still come; "ok" after a clean half-close; the call's RpcError once it was cancelled. */
  requestsEnded(): RpcError | "ok" | undefined;
}

/** What a transport's call writes its response stream through. */
export interface ResponseSink {
  /** Hands one message on; false: wait for the call's wakeWriter() before the next. */
  writeFrame(frame: Buffer): boolean;
  /** Whether the transport has room again for a message. */
  hasRoom(): boolean;
}

const RESOLVED = Promise.resolve();

/** A server call's request port: prototype methods over the transport's source, and its own waker (one object per call). */
class ServerInbound extends Waker implements Inbound {
  readonly #source: RequestSource;

  constructor(source: RequestSource) {
    super();
    this.#source = source;
  }

  read(): Buffer | null {
    return this.#source.readFrame();
  }

  onReadable(callback: () => void): void {
    this.park(callback);
    if (this.#source.requestsEnded() !== undefined) this.wake();
  }

  ended(): RpcError | "ok" | undefined {
    return this.#source.requestsEnded();
  }

  // On a server, leaving a receive loop early does not end the call: the handler may still respond.
  abandon(): void {}
}

/** A server call's response port: prototype methods over the transport's sink, and its own waker (one object per call). */
class ServerOutbound extends Waker implements Outbound {
  readonly #call: BaseServerCall;
  readonly #sink: ResponseSink;

  constructor(call: BaseServerCall, sink: ResponseSink) {
    super();
    this.#call = call;
    this.#sink = sink;
  }

  write(frame: Buffer): boolean {
    return this.#sink.writeFrame(frame);
  }

  drained(): Promise<void> {
    return this.ended() !== undefined || this.#sink.hasRoom() ? RESOLVED : this.wait();
  }

  // "No more messages": the status goes out when the handler returns.
  end(): void {}

  ended(): RpcError | "ok" | undefined {
    return this.#call.responseEnded();
  }

  whenEnded(): Promise<void> {
    return this.#call.over;
  }
}
