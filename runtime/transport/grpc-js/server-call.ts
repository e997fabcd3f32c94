import type * as grpc from "@grpc/grpc-js";
import { Code } from "../../core/code.js";
import { RpcError } from "../../core/errors.js";
import type { Metadata } from "../../core/metadata.js";
import { BaseServerCall } from "../../server/base-call.js";
import type { Inbound, Outbound } from "../../stream/ports.js";
import type { MethodKind } from "../../core/method.js";
import { STATUS_DETAILS_KEY, fromGrpcMetadata, toGrpcMetadata } from "./metadata.js";
import { serverWire } from "./internals.js";
import { RequestWire, type RequestFault } from "./request-wire.js";
import { SERVER_ENCODINGS } from "./compression.js";
import { grpcStatusOf } from "./status.js";

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
 * deadline: the client's RST_STREAM says CANCEL whether its deadline timer or
 * its user cancelled, and the server started its own clock late by the
 * network latency plus however long it took to read the headers (tens of ms
 * on a busy machine). At most a quarter of the call's time, so an early
 * cancel of a short call stays CANCELLED.
 */
const DEADLINE_SLACK_MS = 50;

/**
 * Response bytes (with their 5-byte prefixes) a call may have handed to
 * grpc-js that node:http2 has not yet written: a send beyond it waits for a
 * drain. gRPC-Go's server gives each stream the same write quota (64 KiB).
 * Everything sent within it goes to the HTTP/2 stream at once, so node:http2
 * writes a burst of messages together (one socket write for what queued
 * behind the one in flight).
 */
const WRITE_QUOTA_BYTES = 64 * 1024;

/**
 * And at most this many messages (grpc-js's own server stream buffers 16):
 * each one in flight is a write node:http2 holds, and what a handler was told
 * it sent must reach the client before its status (a drain's grace) without
 * thousands of tiny messages queued ahead of it.
 */
const MESSAGES_IN_FLIGHT = 16;

/**
 * The quota behind a grpc-js server interceptor (or where grpc-js's shape
 * differs): one message at a time, as grpc-js's ServerInterceptingCall holds
 * a single pending message and drops one sent while another is pending.
 */
const ONE_AT_A_TIME = 1;

/** What a grpc-js server's options tell its calls. */
export interface GrpcCallLimits {
  /** grpc.max_send_message_length: -1 (grpc-js's default) for none. */
  readonly maxSendMessageLength: number;
}

const OK_DETAILS = "OK";

/** What grpc-js's intercepting call takes as a status. */
type GrpcStatus = Parameters<grpc.ServerInterceptingCallInterface["sendStatus"]>[0];

/**
 * GrpcServerCall is one call a grpc-js server accepted: BaseServerCall's
 * headers, trailers, status, cancellation and deadline, over grpc-js's
 * intercepting call (the public interface of its server interceptors) with
 * no Node stream object between: safestub reads one request message at a
 * time with `startRead()` and writes each response with `sendMessage()`.
 * It is itself the call's listener (onReceiveMetadata … onCancel), so a
 * call makes no closures for grpc-js. Its `inbound` and `outbound` are the
 * ports the handler's Receiver and Sender sit on. It is used by the runtime only.
 */
export class GrpcServerCall extends BaseServerCall {
  readonly #call: grpc.ServerInterceptingCallInterface;
  readonly #kind: MethodKind;
  /** The request headers as grpc-js parsed them (converted on first read: most handlers never look). */
  #grpcMetadata: grpc.Metadata | undefined;
  /** What the request stream's wire tells beyond its messages (grpc-encoding, compressed flags) and its faults; none where grpc-js's shape differs. */
  readonly #requestWire: RequestWire | undefined;
  /** How long before the deadline a client's cancel counts as the deadline (DEADLINE_SLACK_MS). */
  readonly #deadlineSlack: number;
  /** Called with this call once the one request of a unary or server-streaming call came whole (acceptSingleRequest). */
  #accepted: ((call: this) => void) | undefined;
  /** A request message read ahead of the handler (at most one), and whether a startRead() is out. */
  #frame: Buffer | null = null;
  #reading = false;
  /** grpc-js reported the end of the request stream; #halfClosed once it settled as a real half-close. */
  #requestsDone = false;
  #halfClosed = false;
  /** Request messages handed on, and how many may be after a broken message (-1: no limit; a small integer, not Infinity, which a call would keep boxed). */
  #delivered = 0;
  #deliverable = -1;
  /** Response bytes given to grpc-js whose write has not completed (WRITE_QUOTA_BYTES). */
  #unwritten = 0;
  /** The sizes of the response messages in flight, oldest first, and grpc-js's callback for each (made with the response port). */
  #writing: number[] | undefined;
  #written: (() => void) | undefined;
  /** A status waiting for the messages in flight behind a grpc-js interceptor (#putStatus). */
  #heldStatus: GrpcStatus | undefined;
  /** grpc-js's base call itself, no grpc-js interceptor between: the write quota holds, and the status may follow messages at once. */
  readonly #direct: boolean;
  readonly #limits: GrpcCallLimits;
  /** The call ended UNIMPLEMENTED for its grpc-encoding: its status advertises the ones taken. */
  #encodingRefused = false;

  constructor(method: string, kind: MethodKind, call: grpc.ServerInterceptingCallInterface, limits: GrpcCallLimits) {
    const deadline = call.getDeadline();
    const at = deadline instanceof Date ? deadline.getTime() : deadline;
    super(method, undefined, Number.isFinite(at) ? new Date(at) : undefined, undefined);
    this.#call = call;
    this.#kind = kind;
    this.#limits = limits;
    const wire = serverWire(call);
    this.#direct = wire?.direct ?? false;
    this.#requestWire = wire && new RequestWire(wire);
    this.#deadlineSlack = Number.isFinite(at) ? Math.min(DEADLINE_SLACK_MS, Math.floor(Math.max(0, at - Date.now()) / 4)) : 0;
    call.start(this);
    // grpc-js starts no listener on a call whose stream already closed: it never hears of the cancel.
    if (this.#grpcMetadata === undefined) this.cancel(this.#clientLeft());
  }

  /** @internal grpc-js: the request headers (synchronously, from start()). */
  onReceiveMetadata(metadata: grpc.Metadata): void {
    this.#grpcMetadata = metadata;
  }

  /** @internal grpc-js: the request message a startRead() asked for. */
  onReceiveMessage(frame: Buffer): void {
    this.#reading = false;
    // After the call ended (cancelled, shut down, refused) nothing more counts.
    if (this.settled) return;
    const fault = this.#requestWire?.received(frame);
    if (fault) return this.#requestBroken(fault);
    if (this.#accepted === undefined) {
      this.#frame = frame;
      this.wakeReader();
    } else if (this.request === undefined) {
      this.takeRequest(frame);
      this.#readAhead();
    } else this.fail(new RpcError(Code.INTERNAL, `more than one request message ${this.#forMethod()}`));
  }

  /** @internal grpc-js: the request stream ended (after every message was read). */
  onReceiveHalfClose(): void {
    this.#reading = false;
    this.#requestsDone = true;
    if (this.settled) return;
    const fault = this.#requestWire?.halfClosed();
    if (fault) return this.#requestBroken(fault);
    const accepted = this.#accepted;
    if (accepted === undefined) return settleHalfClose(() => this.#settleHalfClose());
    if (this.request === undefined) return this.fail(new RpcError(Code.INTERNAL, `no request message ${this.#forMethod()}`));
    accepted(this);
  }

  /** @internal grpc-js: the HTTP/2 stream closed (also after the status went out). */
  onCancel(): void {
    // Build the error (a stack trace each) only for a call that really was cut short.
    if (!this.settled) this.cancel(this.#clientLeft());
  }

  get peer(): string {
    return this.#call.getPeer();
  }

  protected override readMetadata(): Metadata {
    return this.#grpcMetadata ? fromGrpcMetadata(this.#grpcMetadata) : super.readMetadata();
  }

  override get requestEncoding(): string {
    return this.#requestWire?.encoding ?? "identity";
  }

  override requestCompressed(index: number): boolean | undefined {
    return this.#requestWire?.compressed(index);
  }

  /**
   * Ends the call UNIMPLEMENTED when its grpc-encoding is one the server does
   * not decompress, before any handler runs, and says so (true). gRPC-Go
   * answers at once, from the headers; grpc-js would serve the call and fail
   * only at a compressed message, so an uncompressed stream would get
   * through with an encoding nobody can read.
   */
  refuseUnsupportedEncoding(): boolean {
    const encoding = this.requestEncoding;
    if (SERVER_ENCODINGS.includes(encoding)) return false;
    this.#encodingRefused = true;
    this.fail(new RpcError(Code.UNIMPLEMENTED, `grpc-encoding ${JSON.stringify(encoding)} is not supported by this server (it takes ${SERVER_ENCODINGS.join(", ")})`));
    return true;
  }

  /**
   * Reads the one request of a unary or server-streaming call and runs
   * `accepted(call)` once exactly one whole message came before the half-close;
   * otherwise the call ends INTERNAL (or was cancelled, or ended otherwise)
   * and `accepted` never runs.
   */
  acceptSingleRequest(accepted: (call: this) => void): void {
    this.#accepted = accepted;
    this.#readAhead();
  }

  /** The request stream, read one message ahead of the handler. */
  inbound(): Inbound {
    this.#readAhead();
    return this.inboundPort(this);
  }

  /** The response stream: each message goes to grpc-js at once, within the write quota. */
  outbound(): Outbound {
    this.#writing = [];
    // A bound method, not an arrow: no closure context kept per call beside it.
    this.#written = this.#onWritten.bind(this);
    return this.outboundPort(this);
  }

  /** grpc-js wrote the oldest message in flight: its callbacks come in order, so one function serves every message. */
  #onWritten(): void {
    const writing = this.#writing!;
    this.#unwritten -= writing.shift() ?? 0;
    const held = this.#heldStatus;
    if (held && writing.length === 0) {
      this.#heldStatus = undefined;
      this.#call.sendStatus(held);
    }
    if (this.hasRoom()) this.wakeWriter();
  }

  /** @internal The request port's read: the message read ahead, if it came (and asks for the next). */
  readFrame(): Buffer | null {
    if (this.#deliverable >= 0 && this.#delivered >= this.#deliverable) return null;
    if (this.#frame === null) this.#readAhead();
    const frame = this.#frame;
    if (frame === null) return null;
    this.#frame = null;
    this.#delivered++;
    this.#readAhead();
    return frame;
  }

  /** @internal The request port's end: the cancellation, or "ok" after a settled half-close. */
  requestsEnded(): RpcError | "ok" | undefined {
    return this.cancellation() ?? (this.#halfClosed ? "ok" : undefined);
  }

  /** @internal The response port's write. */
  writeFrame(frame: Buffer): boolean {
    const max = this.#limits.maxSendMessageLength;
    // grpc-js would end the call itself, but only once its status is written: later sends would go on.
    if (max >= 0 && frame.length > max) {
      this.breakCall(new RpcError(Code.RESOURCE_EXHAUSTED, `trying to send message larger than max (${frame.length} vs. ${max})`));
      return false;
    }
    this.flushHeaders();
    const size = frame.length + 5;
    this.#unwritten += size;
    this.#writing!.push(size);
    this.#call.sendMessage(frame, this.#written!);
    return this.hasRoom();
  }

  /** @internal Whether the write quota has room again. */
  hasRoom(): boolean {
    return this.#unwritten < (this.#direct ? WRITE_QUOTA_BYTES : ONE_AT_A_TIME) && this.#writing!.length < MESSAGES_IN_FLIGHT;
  }

  /** A request message grpc-js would pass (or drop) silently is broken: the handler and the client get INTERNAL. */
  #requestBroken(fault: RequestFault): void {
    this.#deliverable = fault.wholeBefore;
    this.breakCall(new RpcError(Code.INTERNAL, `${fault.details} ${this.#forMethod()}`));
  }

  protected sendHeaderFrame(headers: Metadata | undefined): void {
    this.#call.sendMetadata(toGrpcMetadata(headers));
  }

  protected sendResponse(frame: Buffer, trailers: Metadata | undefined): void {
    const ok = okStatus(trailers);
    // On grpc-js's base call the status may follow at once: node:http2 sends the trailers after the data it holds.
    if (this.#direct) {
      this.#call.sendMessage(frame, ignore);
      this.#call.sendStatus(ok);
    } else this.#call.sendMessage(frame, () => this.#call.sendStatus(ok));
  }

  protected sendOk(trailers: Metadata | undefined): void {
    this.#putStatus(okStatus(trailers));
  }

  protected sendError(status: RpcError, trailers: Metadata | undefined, statusDetails: Uint8Array | undefined): void {
    const metadata = toGrpcMetadata(trailers);
    if (statusDetails) metadata.set(STATUS_DETAILS_KEY, Buffer.from(statusDetails));
    // As gRPC specifies for an encoding the server does not support (grpc-js adds it to headers only).
    if (this.#encodingRefused) metadata.set("grpc-accept-encoding", SERVER_ENCODINGS.join(","));
    this.#putStatus({ code: grpcStatusOf(status.code), details: status.details, metadata });
  }

  /**
   * Sends the status, after the response messages still in flight behind a
   * grpc-js interceptor: grpc-js's ServerInterceptingCall would send a status
   * ahead of a message its responder still holds, or hold the status forever
   * (it sends a held status only after metadata). On grpc-js's base call
   * node:http2 orders the trailers after the data itself.
   */
  #putStatus(status: GrpcStatus): void {
    if (this.#direct || !this.#writing?.length) return this.#call.sendStatus(status);
    this.#heldStatus = status;
  }

  /** Asks grpc-js for the next request message unless one is buffered or asked for, or none can come. */
  #readAhead(): void {
    if (this.#reading || this.#frame !== null || this.#requestsDone || this.settled) return;
    this.#reading = true;
    this.#call.startRead();
  }

  #settleHalfClose(): void {
    if (!this.cancellation()) this.#halfClosed = true;
    this.wakeReader();
  }

  /** "for unary method /pkg.Service/Method": how the statuses this call makes up name it (built only when one is). */
  #forMethod(): string {
    return `for ${this.#kind.replace("_", "-")} method ${this.method}`;
  }

  /** Why grpc-js says the call was cancelled: the deadline once it passed, the client otherwise. */
  #clientLeft(): RpcError {
    if (this.deadline && Date.now() >= this.deadline.getTime() - this.#deadlineSlack) return new RpcError(Code.DEADLINE_EXCEEDED, "deadline exceeded");
    return new RpcError(Code.CANCELLED, "the client cancelled the call");
  }
}

function ignore(): void {}

/** Status OK with the handler's trailers (null when it set none: grpc-js then sends an empty set of its own). */
function okStatus(trailers: Metadata | undefined): GrpcStatus {
  return { code: 0, details: OK_DETAILS, metadata: trailers?.size ? toGrpcMetadata(trailers) : null };
}

/** Runs `then` once HALF_CLOSE_SETTLE_MS and two more turns of the event loop have passed. */
function settleHalfClose(then: () => void): void {
  setTimeout(() => setImmediate(() => setImmediate(then)), HALF_CLOSE_SETTLE_MS);
}
