import type * as grpc from "@grpc/grpc-js";
import { Code } from "../../core/code.js";
import { RpcError } from "../../core/errors.js";
import type { Metadata } from "../../core/metadata.js";
import { BaseServerCall } from "../../server/base-call.js";
import type { Inbound, Outbound } from "../../stream/ports.js";
import type { MethodKind } from "../../core/method.js";
import { STATUS_DETAILS_KEY, fromGrpcMetadata, toGrpcMetadata } from "./metadata.js";
import { batchResponseWrites, serverWire, type ServerWire } from "./internals.js";
import { watchRequestWire, type RequestFault, type RequestWire } from "./request-wire.js";
import { SERVER_ENCODINGS } from "./compression.js";
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
 * deadline: the client's RST_STREAM says CANCEL whether its deadline timer or
 * its user cancelled, and the server started its own clock late by the
 * network latency plus however long it took to read the headers (tens of ms
 * on a busy machine). At most a quarter of the call's time, so an early
 * cancel of a short call stays CANCELLED.
 */
const DEADLINE_SLACK_MS = 50;

/**
 * GrpcServerCall is one call a grpc-js server accepted: BaseServerCall's
 * headers, trailers, status, cancellation and deadline, over grpc-js's call
 * object. Its `inbound` and `outbound` are the ports the handler's Receiver
 * and Sender sit on. It is used by the runtime only.
 */
export class GrpcServerCall extends BaseServerCall {
  readonly #call: GrpcServerStream;
  /** The HTTP/2 stream under grpc-js's call (undefined where grpc-js's shape differs). */
  readonly #wire: ServerWire | undefined;
  /** grpc-js's callback for the one response of unary and client-streaming calls. */
  readonly #respond: grpc.sendUnaryData<Buffer> | undefined;
  /** The request stream ended with a real half-close (END_STREAM with no RST_STREAM after it). */
  #halfClosed = false;
  /** How long before the deadline a client's cancel counts as the deadline (DEADLINE_SLACK_MS). */
  readonly #deadlineSlack: number;
  readonly #kind: MethodKind;
  /** Request messages handed to the handler, and how many it may have (fewer after a broken message). */
  #delivered = 0;
  #deliverable = Infinity;
  /** What the request stream's wire tells beyond its messages: grpc-encoding, compressed flags. */
  readonly #requestWire: RequestWire | undefined;
  /** The call ended UNIMPLEMENTED for its grpc-encoding: its status advertises the ones taken. */
  #encodingRefused = false;

  constructor(method: string, kind: MethodKind, call: GrpcServerStream, respond: grpc.sendUnaryData<Buffer> | undefined) {
    const deadline = call.getDeadline();
    const at = deadline instanceof Date ? deadline.getTime() : deadline;
    // The request metadata is converted on first read (readMetadata): most handlers never read it.
    super(method, undefined, Number.isFinite(at) ? new Date(at) : undefined, undefined);
    this.#call = call;
    this.#respond = respond;
    this.#kind = kind;
    this.#wire = serverWire(call);
    this.#requestWire = watchRequestWire(this.#wire, (fault) => this.#requestBroken(fault));
    this.#deadlineSlack = Number.isFinite(at) ? Math.min(DEADLINE_SLACK_MS, Math.max(0, at - Date.now()) / 4) : 0;
    // grpc-js emits 'cancelled' at the close of every call, also after its status went out: build
    // the error (a stack trace each) only for a call that really was cut short.
    (call as grpc.ServerUnaryCall<Buffer, Buffer>).on("cancelled", () => {
      if (!this.settled) this.cancel(this.#clientLeft());
    });
    if (call.cancelled) this.cancel(this.#clientLeft());
  }

  get peer(): string {
    return this.#call.getPeer();
  }

  protected override readMetadata(): Metadata {
    return fromGrpcMetadata(this.#call.metadata);
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

  /** The request stream, read one message at a time (grpc-js in paused mode). */
  inbound(): Inbound {
    const stream = this.#call as grpc.ServerReadableStream<Buffer, Buffer>;
    const wake = () => this.reader.wake();
    stream.on("readable", wake);
    stream.on("end", () => settleHalfClose(() => {
      if (!this.cancellation()) this.#halfClosed = true;
      wake();
    }));
    stream.on("error", ignore);
    const read = () => {
      if (this.#delivered >= this.#deliverable) return null;
      const frame = (stream.read() as Buffer | null) ?? null;
      if (frame) this.#delivered++;
      return frame;
    };
    return this.inboundPort(read, () => this.#requestsEnded());
  }

  /**
   * Reads the one request of a unary or server-streaming call (grpc-js
   * serves them as request streams, so that safestub counts) and runs
   * `accepted` once exactly one whole message came before the half-close;
   * otherwise the call ends INTERNAL (or was cancelled, or ended otherwise)
   * and `accepted` never runs. Callbacks, not a promise: this is every unary call.
   */
  acceptSingleRequest(accepted: () => void): void {
    const stream = this.#call as grpc.ServerReadableStream<Buffer, Buffer>;
    let request: Buffer | undefined;
    let done = false;
    stream.on("error", ignore);
    stream.on("data", (frame: Buffer) => {
      // After the call ended (cancelled, shut down, refused) nothing more counts: it is never dispatched.
      if (done || this.settled) return;
      if (request === undefined) request = frame;
      else {
        done = true;
        this.fail(new RpcError(Code.INTERNAL, `more than one request message ${this.#forMethod()}`));
      }
    });
    stream.on("end", () => {
      if (done || this.settled) return;
      done = true;
      if (request === undefined) return this.fail(new RpcError(Code.INTERNAL, `no request message ${this.#forMethod()}`));
      this.takeRequest(request);
      accepted();
    });
  }

  /**
   * The response stream, with grpc-js's flow control (write()'s result and
   * 'drain'); messages sent while one is being written go out together
   * (batchResponseWrites).
   */
  outbound(): Outbound {
    const stream = this.#call as grpc.ServerWritableStream<Buffer, Buffer>;
    if (this.#wire) batchResponseWrites(stream, this.#wire.http2);
    stream.on("drain", () => this.writer.wake());
    const write = (frame: Buffer) => {
      this.flushHeaders();
      return stream.write(frame);
    };
    // Room comes back only with 'drain'.
    return this.outboundPort(write, () => false);
  }

  protected sendHeaderFrame(headers: Metadata | undefined): void {
    this.#call.sendMetadata(toGrpcMetadata(headers));
  }

  // Without trailers grpc-js gets none: it sends an empty set of its own (it copies what it is given).
  protected sendResponse(frame: Buffer, trailers: Metadata | undefined): void {
    this.#respond!(null, frame, trailers?.size ? toGrpcMetadata(trailers) : undefined);
  }

  protected sendOk(trailers: Metadata | undefined): void {
    (this.#call as grpc.ServerWritableStream<Buffer, Buffer>).end(trailers?.size ? toGrpcMetadata(trailers) : undefined);
  }

  protected sendError(status: RpcError, trailers: Metadata | undefined, statusDetails: Uint8Array | undefined): void {
    const metadata = toGrpcMetadata(trailers);
    if (statusDetails) metadata.set(STATUS_DETAILS_KEY, Buffer.from(statusDetails));
    // As gRPC specifies for an encoding the server does not support (grpc-js adds it to headers only).
    if (this.#encodingRefused) metadata.set("grpc-accept-encoding", SERVER_ENCODINGS.join(","));
    const grpcStatus = { code: grpcStatusOf(status.code), details: status.details, metadata };
    if (this.#respond) this.#respond(grpcStatus);
    else this.#call.emit("error", grpcStatus);
  }

  /** A request message grpc-js would pass (or drop) silently is broken: the handler and the client get INTERNAL. */
  #requestBroken(fault: RequestFault): void {
    this.#deliverable = fault.wholeBefore;
    this.breakCall(new RpcError(Code.INTERNAL, `${fault.details} ${this.#forMethod()}`));
  }

  /** "for unary method /pkg.Service/Method": how the statuses this call makes up name it (built only when one is). */
  #forMethod(): string {
    return `for ${this.#kind.replace("_", "-")} method ${this.method}`;
  }

  #requestsEnded(): RpcError | "ok" | undefined {
    return this.cancellation() ?? (this.#halfClosed ? "ok" : undefined);
  }

  /** Why grpc-js says the call was cancelled: the deadline once it passed, the client otherwise. */
  #clientLeft(): RpcError {
    if (this.deadline && Date.now() >= this.deadline.getTime() - this.#deadlineSlack) return new RpcError(Code.DEADLINE_EXCEEDED, "deadline exceeded");
    return new RpcError(Code.CANCELLED, "the client cancelled the call");
  }
}

/** grpc-js's call objects are EventEmitters: an 'error' without a listener would throw (the call's status reports it). */
function ignore(): void {}

/** Runs `then` once HALF_CLOSE_SETTLE_MS and two more turns of the event loop have passed. */
function settleHalfClose(then: () => void): void {
  setTimeout(() => setImmediate(() => setImmediate(then)), HALF_CLOSE_SETTLE_MS);
}
