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
}

/**
 * ServerContext is what a handler knows about its call: request metadata,
 * deadline, an AbortSignal that fires on client cancel, deadline or server
 * shutdown, and the response headers and trailers it wants to send.
 */
export class ServerContext {
  /** The full method path, `/package.Service/Method`. */
  readonly method: string;
  /** Request headers. */
  readonly metadata: Metadata;
  /** When the client's deadline passes, if it set one. */
  readonly deadline: Date | undefined;
  readonly #call: ServerCallView;

  /** @internal Created by the runtime for each call. */
  constructor(call: ServerCallView) {
    this.#call = call;
    this.method = call.method;
    this.metadata = call.metadata;
    this.deadline = call.deadline;
  }

  /**
   * Aborts when the client cancels (reason: RpcError CANCELLED), the deadline
   * passes (DEADLINE_EXCEEDED) or the server shuts down (UNAVAILABLE).
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

  /** Sets a trailer; trailers go out with the status when the handler returns or throws. */
  setTrailer(key: string, value: MetadataValue): void {
    this.#call.setTrailer(key, value);
  }
}
