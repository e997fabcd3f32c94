import * as grpc from "@grpc/grpc-js";
import { Code } from "./code.js";
import { RpcError, StreamUsageError } from "./errors.js";
import { fromGrpcMetadata, Metadata, type MetadataValue, toGrpcMetadata } from "./metadata.js";

/** The part of a grpc-js server call a context needs. */
type GrpcServerCall = grpc.ServerUnaryCall<Buffer, Buffer> | grpc.ServerReadableStream<Buffer, Buffer> | grpc.ServerWritableStream<Buffer, Buffer> | grpc.ServerDuplexStream<Buffer, Buffer>;

/**
 * ServerContext is what a handler knows about its call: request metadata,
 * deadline, an AbortSignal that fires on client cancel or deadline, and the
 * response headers and trailers it wants to send.
 */
export class ServerContext {
  /** The full method path, `/package.Service/Method`. */
  readonly method: string;
  /** Request headers. */
  readonly metadata: Metadata;
  /** When the client's deadline passes, if it set one. */
  readonly deadline: Date | undefined;
  /** Aborts when the client cancels, the deadline passes or the server shuts down; its reason is an RpcError. */
  readonly signal: AbortSignal;
  readonly #call: GrpcServerCall;
  readonly #abort = new AbortController();
  readonly #headers = new Metadata();
  readonly #trailers = new Metadata();
  #headersSent = false;
  #deadlineTimer: NodeJS.Timeout | undefined;
  #finished = false;

  /** @internal Created by the runtime for each call. */
  constructor(method: string, call: GrpcServerCall) {
    this.method = method;
    this.#call = call;
    this.metadata = fromGrpcMetadata(call.metadata);
    this.signal = this.#abort.signal;
    const deadline = call.getDeadline();
    const at = deadline instanceof Date ? deadline.getTime() : deadline;
    this.deadline = Number.isFinite(at) ? new Date(at) : undefined;
    if (this.deadline) {
      this.#deadlineTimer = setTimeout(() => this.#cancel(new RpcError(Code.DEADLINE_EXCEEDED, "deadline exceeded")), Math.max(0, at - Date.now()));
    }
    // grpc-js emits 'cancelled' on every close, also after a normal end: only a running handler cares.
    (call as grpc.ServerUnaryCall<Buffer, Buffer>).on("cancelled", () => this.#cancel(new RpcError(Code.CANCELLED, "the client cancelled the call")));
    if (call.cancelled) this.#cancel(new RpcError(Code.CANCELLED, "the client cancelled the call"));
  }

  /** The peer's address. */
  get peer(): string {
    return this.#call.getPeer();
  }

  /** Whether the response headers already went out (they go with the first message at the latest). */
  get headersSent(): boolean {
    return this.#headersSent;
  }

  /** Sets a response header. Refused with StreamUsageError once the headers were sent. */
  setHeader(key: string, value: MetadataValue): void {
    if (this.#headersSent) throw new StreamUsageError(`setHeader("${key}") refused: the response headers were already sent`);
    this.#headers.append(key, value);
  }

  /** Sends the response headers now instead of with the first message. */
  sendHeaders(): void {
    if (this.#headersSent) return;
    this.#headersSent = true;
    if (!this.#finished && !this.#call.cancelled) this.#call.sendMetadata(toGrpcMetadata(this.#headers));
  }

  /** Sets a trailer; trailers go out with the status when the handler returns or throws. */
  setTrailer(key: string, value: MetadataValue): void {
    this.#trailers.append(key, value);
  }

  /** @internal The trailers to send, with an error's own metadata merged in. */
  trailersFor(err?: RpcError): grpc.Metadata {
    const out = new Metadata(this.#trailers);
    if (err) for (const [key, value] of err.metadata) out.append(key, value);
    return toGrpcMetadata(out);
  }

  /** @internal Sends headers set by the handler before the first message or the status. */
  flushHeaders(): void {
    if (!this.#headersSent && this.#headers.size > 0) this.sendHeaders();
    this.#headersSent = true;
  }

  /** @internal The handler settled: later cancel events are the normal close. */
  finish(): void {
    this.#finished = true;
    clearTimeout(this.#deadlineTimer);
  }

  /** @internal Why the call can no longer respond, if it cannot. */
  get cancellation(): RpcError | undefined {
    return this.signal.aborted ? (this.signal.reason as RpcError) : undefined;
  }

  #cancel(reason: RpcError): void {
    if (this.#finished || this.signal.aborted) return;
    clearTimeout(this.#deadlineTimer);
    this.#abort.abort(reason);
  }
}
