import type * as grpc from "@grpc/grpc-js";
import { Code } from "./code.js";
import { RpcError } from "./errors.js";
import { fromGrpcMetadata, Metadata } from "./metadata.js";
import type { ResolvedCall } from "./call-options.js";
import type { Inbound } from "./receiver.js";
import type { Outbound } from "./sender.js";

type GrpcStream = grpc.ClientReadableStream<Buffer> | grpc.ClientWritableStream<Buffer> | grpc.ClientDuplexStream<Buffer, Buffer>;

/**
 * ClientStream adapts one grpc-js client stream to the Inbound and Outbound
 * ports of Receiver and Sender, and owns the call's lifecycle: headers,
 * trailers, status, cancellation and the abort signal. It is used by the
 * runtime only.
 */
export class ClientStream implements Inbound, Outbound {
  readonly headers: Promise<Metadata>;
  readonly trailers: Promise<Metadata>;
  /** Resolves with the status (as an RpcError for non-OK, "ok" otherwise) once the RPC ended. */
  readonly done: Promise<RpcError | "ok">;
  readonly #stream: GrpcStream | undefined;
  readonly #call: ResolvedCall;
  #outcome: RpcError | "ok" | undefined;
  #cancelled = false;
  #wake: (() => void) | undefined;
  #resolveHeaders!: (md: Metadata) => void;
  #resolveTrailers!: (md: Metadata) => void;
  #resolveDone!: (outcome: RpcError | "ok") => void;
  readonly #onAbort = () => this.cancel();

  /** `start` opens the grpc-js stream; if it throws (channel closed) the call ends at once. */
  constructor(call: ResolvedCall, start: () => GrpcStream, reads: boolean) {
    this.#call = call;
    this.headers = new Promise((resolve) => (this.#resolveHeaders = resolve));
    this.trailers = new Promise((resolve) => (this.#resolveTrailers = resolve));
    this.done = new Promise((resolve) => (this.#resolveDone = resolve));
    if (call.signal?.aborted) {
      this.#finish(new RpcError(Code.CANCELLED, "call aborted before it started"), new Metadata());
      return;
    }
    let stream: GrpcStream;
    try {
      stream = start();
    } catch (err) {
      this.#finish(startFailure(err), new Metadata());
      return;
    }
    this.#stream = stream;
    // Every non-OK status is also emitted as 'error'; the 'status' event carries it for us.
    stream.on("error", () => {});
    stream.on("metadata", (md: grpc.Metadata) => {
      const headers = fromGrpcMetadata(md);
      this.#resolveHeaders(headers);
      notify(call.onHeaders, headers);
    });
    stream.on("status", (status: grpc.StatusObject) => {
      const trailers = fromGrpcMetadata(status.metadata);
      this.#finish(status.code === 0 ? "ok" : new RpcError(status.code as number as Code, status.details, trailers), trailers);
    });
    if ("write" in stream) stream.on("drain", () => this.#notify());
    // A 'readable' listener puts the stream in paused mode: grpc-js reads one
    // message per _read, so an unread stream stops the HTTP/2 stream.
    if (reads) stream.on("readable", () => this.#notify());
    call.signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** Ends the RPC with CANCELLED (no-op once it ended). */
  cancel(): void {
    if (this.#outcome !== undefined) return;
    this.#cancelled = true;
    this.#stream?.cancel();
  }

  async dispose(): Promise<void> {
    this.cancel();
    await this.done;
  }

  // Inbound
  read(): Buffer | null {
    // Messages still buffered when the caller cancelled are dropped: the caller gave up on them.
    if (this.#cancelled) return null;
    const stream = this.#stream as grpc.ClientReadableStream<Buffer> | undefined;
    return (stream?.read() as Buffer | null | undefined) ?? null;
  }

  readable(): Promise<void> {
    return this.#wait();
  }

  ended(): RpcError | "ok" | undefined {
    return this.#outcome;
  }

  abandon(): void {
    this.cancel();
  }

  // Outbound
  write(frame: Buffer): boolean {
    return (this.#stream as grpc.ClientWritableStream<Buffer>).write(frame);
  }

  drained(): Promise<void> {
    return this.#wait();
  }

  end(): void {
    (this.#stream as grpc.ClientWritableStream<Buffer>).end();
  }

  #wait(): Promise<void> {
    if (this.#outcome !== undefined) return Promise.resolve();
    // At most one reader and one writer wait at a time; both are woken by any event.
    return new Promise((resolve) => {
      const previous = this.#wake;
      this.#wake = previous
        ? () => {
            previous();
            resolve();
          }
        : resolve;
    });
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #finish(outcome: RpcError | "ok", trailers: Metadata): void {
    if (this.#outcome !== undefined) return;
    this.#outcome = outcome;
    this.#call.signal?.removeEventListener("abort", this.#onAbort);
    this.#resolveHeaders(new Metadata());
    this.#resolveTrailers(trailers);
    notify(this.#call.onTrailers, trailers);
    this.#resolveDone(outcome);
    this.#notify();
  }
}

/** What a synchronous throw from grpc-js at call start means: a closed channel. */
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
