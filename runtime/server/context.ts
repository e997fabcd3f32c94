import type { Metadata, MetadataValue } from "../core/metadata.js";

/** What a server transport's call shows its handler; ServerContext is a view of it. */
export interface ServerCallView {
  readonly method: string;
  readonly metadata: Metadata;
  readonly deadline: Date | undefined;
  readonly signal: AbortSignal;
  readonly peer: string;
  readonly headersSent: boolean;
  setHeader(key: string, value: MetadataValue): void;
  sendHeaders(): void;
  setTrailer(key: string, value: MetadataValue): void;
  readonly requestEncoding: string;
  requestCompressed(index: number): boolean | undefined;
}

/**
 * ServerContext is what a handler knows about its call: request metadata,
 * deadline, an AbortSignal that fires on client cancel, deadline or server
 * shutdown, and the response headers and trailers it wants to send.
 */
export class ServerContext {
  /** The full method path, `/package.Service/Method`. */
  readonly method: string;
  /** When the client's deadline passes, if it set one. */
  readonly deadline: Date | undefined;
  readonly #call: ServerCallView;

  /** @internal Created by the runtime for each call. */
  constructor(call: ServerCallView) {
    this.#call = call;
    this.method = call.method;
    this.deadline = call.deadline;
  }

  /** Request headers (read from the call on first use: most handlers never look). */
  get metadata(): Metadata {
    return this.#call.metadata;
  }

  /**
   * Aborts when the client cancels (reason: RpcError CANCELLED), the deadline
   * passes (DEADLINE_EXCEEDED) or the server shuts down (UNAVAILABLE "server
   * shutting down"). A streaming handler sees the shutdown at the start of
   * `shutdown()`'s grace while its call goes on: it may still send, and should
   * end its stream (return: OK; throw the reason: UNAVAILABLE). A unary
   * handler sees it only if it is still running when the grace ends. A
   * signal aborts once: after that notice, a client's cancel or the end of
   * the grace shows as the handler's Sender and Receiver rejecting.
   */
  get signal(): AbortSignal {
    return this.#call.signal;
  }

  /** The peer's address. */
  get peer(): string {
    return this.#call.peer;
  }

  /** Whether the response headers already went out (they go with the first message at the latest). */
  get headersSent(): boolean {
    return this.#call.headersSent;
  }

  /** Sets a response header. Refused with StreamUsageError once the headers were sent. */
  setHeader(key: string, value: MetadataValue): void {
    this.#call.setHeader(key, value);
  }

  /** Sends the response headers now instead of with the first message. */
  sendHeaders(): void {
    this.#call.sendHeaders();
  }

  /**
   * The request's `grpc-encoding`: "identity" when it sent none (always, in
   * memory). The server decompresses gzip and deflate before the handler
   * sees a message; a call with any other encoding ends UNIMPLEMENTED before
   * it reaches a handler.
   */
  get requestEncoding(): string {
    return this.#call.requestEncoding;
  }

  /**
   * Whether request message `index` (0-based, in the order the handler
   * receives them; 0 for the one request of a unary call) arrived with the
   * compressed flag set: a per-message fact of the wire that the interop
   * test's `expect_compressed` checks. Undefined for a message that has not
   * arrived, or arrived more than 65,536 messages ago. In memory, false
   * (compression is a wire concern).
   */
  requestCompressed(index: number): boolean | undefined {
    return this.#call.requestCompressed(index);
  }

  /** Sets a trailer; trailers go out with the status when the handler returns or throws. */
  setTrailer(key: string, value: MetadataValue): void {
    this.#call.setTrailer(key, value);
  }
}
