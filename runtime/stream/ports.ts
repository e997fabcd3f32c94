import type { RpcError } from "../core/errors.js";

/**
 * Inbound is the transport side of a Receiver, read one message at a time so
 * the transport stays paused while nobody reads. Every transport's calls
 * implement it over encoded frames (`F` = Buffer); a call with client
 * interceptors implements it over the messages the chain hands on. It is
 * used by the runtime only.
 */
export interface Inbound<F = Buffer> {
  /** The next message (encoded, for a transport) if one is buffered, else null. */
  read(): F | null;
  /** Calls `callback` once, in a microtask of its own, when read() may have something new or the stream ended. */
  onReadable(callback: () => void): void;
  /** undefined while messages may still come; "ok" at a clean end; the RpcError of a failed RPC. */
  ended(): RpcError | "ok" | undefined;
  /** The consumer gave up early (left a for-await, or a message failed to decode). */
  abandon(reason: RpcError): void;
}

/**
 * Outbound is the transport side of a Sender: a client's request stream or a
 * server's response stream. Every transport's calls implement it over
 * encoded frames; a call with client interceptors over messages. It is used
 * by the runtime only.
 */
export interface Outbound<F = Buffer> {
  /** Hands one message (encoded, for a transport) on; false asks for a drain before the next. */
  write(frame: F): boolean;
  /** Resolves once the transport drained, or once the RPC ended (check `ended()` after). */
  drained(): Promise<void>;
  /** No more messages (client: half-close; server: mark done, status follows the handler). */
  end(): void;
  /** undefined while the RPC runs; "ok" or the RpcError once it ended. */
  ended(): RpcError | "ok" | undefined;
  /** Resolves once the RPC ended (then `ended()` says how); never rejects. */
  whenEnded(): Promise<unknown>;
}
