import type { ResolvedCall } from "../core/call-options.js";
import type { ClientInterceptor } from "../core/interceptor.js";
import { Code } from "../core/code.js";
import { RpcError } from "../core/errors.js";
import type { Metadata } from "../core/metadata.js";
import { ClientStream } from "./client-call.js";

/** A call the Channel can end: close() ends each with CANCELLED "channel closed". */
export interface OpenCall {
  endWith(error: RpcError): void;
}

/**
 * What a client transport reports for one call. Metadata comes as a thunk,
 * so a unary call nobody observes never converts its headers or trailers.
 */
export interface TransportCallListener {
  onHeaders(headers: () => Metadata): void;
  onMessage(frame: Buffer): void;
  /** `statusDetails`: a failed call's grpc-status-details-bin, as received (RpcError decodes it when asked). */
  onStatus(code: Code, details: string, trailers: () => Metadata, statusDetails?: Uint8Array): void;
}

/** One RPC on a client transport: one write at a time, one read requested at a time. */
export interface TransportCall {
  /** Sends one message; `onWritten` runs once the transport took it (never after the call ended). */
  write(frame: Buffer, onWritten?: () => void): void;
  halfClose(): void;
  /** Asks for the next message (one onMessage per startRead). */
  startRead(): void;
  /** Ends the call with this status on the client and resets it on the wire. */
  cancel(code: Code, details: string): void;
}

/** What a Channel runs on: grpc-js over HTTP/2, or the in-memory transport. */
export interface ClientTransport {
  /**
   * Starts an RPC with its request headers and deadline. The transport owns
   * the deadline: at `options.deadline` it ends the call with
   * DEADLINE_EXCEEDED on both ends. Throws when the transport is closed.
   */
  startCall(path: string, options: ResolvedCall, listener: TransportCallListener): TransportCall;
  /** Closes the transport; calls in flight are the Channel's to end. */
  close(): void;
  /** Resolves once the transport is connected; rejects once `deadline` passes. */
  waitForReady(deadline: Date | number): Promise<void>;
}

/**
 * Channel is the ClientConn analogue: one connection pool to one target,
 * shared by any number of generated clients and parallel RPCs. Clients never
 * close it; `close()` does.
 */
export class Channel {
  /** The target as given when the channel was created. */
  readonly address: string;
  /** @internal The transport every call of every client on this Channel goes through. */
  readonly transport: ClientTransport;
  /** Client interceptors for every call of every client on this Channel, the first outermost. */
  readonly interceptors: readonly ClientInterceptor[];
  /** The calls started on this Channel that have not ended yet: close() ends them. */
  readonly #open = new Set<OpenCall>();
  #closed = false;

  /** @internal Use createChannel() (or the in-memory transport's channel()). */
  constructor(address: string, transport: ClientTransport, interceptors: readonly ClientInterceptor[] = []) {
    this.address = address;
    this.transport = transport;
    this.interceptors = interceptors;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Closes the channel, like gRPC-Go's `ClientConn.Close`: every RPC in
   * flight ends at once with RpcError CANCELLED "channel closed" (the server
   * sees each cancel), and new ones fail with RpcError CANCELLED.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // grpc-js lets calls in flight run on after its channel closed.
    for (const call of [...this.#open]) call.endWith(new RpcError(Code.CANCELLED, "channel closed"));
    this.transport.close();
  }

  /** Waits until the channel is connected, or rejects once `deadline` passes. */
  waitForReady(deadline: Date | number): Promise<void> {
    return this.transport.waitForReady(deadline);
  }

  /**
   * @internal Starts one RPC. `responses` is "stream" for a response stream or
   * "single" for calls with exactly one response; `exposed` says whether the
   * caller sees `headers` and `trailers` (streaming calls).
   */
  startCall(path: string, options: ResolvedCall, responses: "stream" | "single", exposed: boolean): ClientStream {
    return new ClientStream(this.transport, path, options, responses, exposed, this.#open);
  }

  /**
   * @internal Tracks a call that is not (or not yet) a ClientStream, such as
   * one inside client interceptors: close() ends it too. Returns the untrack.
   */
  track(call: OpenCall): () => void {
    if (this.#closed) {
      call.endWith(new RpcError(Code.CANCELLED, "channel closed"));
      return () => {};
    }
    this.#open.add(call);
    return () => this.#open.delete(call);
  }
}
