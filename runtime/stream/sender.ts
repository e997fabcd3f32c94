import { type Codec, encodeMessage } from "../core/codec.js";
import { ConcurrentSendError, RpcError, SendAfterCloseError, StreamEndedError } from "../core/errors.js";
import type { Outbound } from "./ports.js";
import { markUncompressed } from "./uncompressed.js";

/** How one message is sent. */
export interface SendOptions {
  /**
   * Sends this message uncompressed in a call that compresses (CallOptions
   * `compression: "gzip"`), as gRPC's NoCompress write flag: for data that is
   * already compressed, or secrets sent beside data an attacker chooses
   * (compression leaks them: CRIME, BREACH). Responses always go
   * uncompressed (grpc-js's server does not compress). Not carried through
   * client interceptors: there the send is refused with a TypeError.
   */
  noCompression?: boolean | undefined;
}

type SenderState = "idle" | "sending" | "closed";

const RESOLVED = Promise.resolve();

/**
 * Sender is the single-owner handle for one direction of a stream: requests
 * on a client, responses in a server handler. At most one send, sendAll or
 * close may be pending; a second is refused at once with ConcurrentSendError
 * and changes nothing. After close(), sends are refused with
 * SendAfterCloseError. The check is synchronous, so two sends in the same
 * tick always conflict.
 */
export class Sender<T> {
  #state: SenderState = "idle";
  /** null: the Outbound takes messages as they are (a call with client interceptors encodes below them). */
  readonly #codec: Codec<unknown, T> | null;
  readonly #out: Outbound<unknown>;
  /** Frees the send slot: #setIdle, bound (an arrow would keep a closure context per Sender beside it). */
  readonly #free: () => void;

  /** @internal Created by the runtime; user code receives Senders from calls and handlers. */
  constructor(codec: Codec<unknown, T> | null, out: Outbound<unknown>) {
    this.#codec = codec;
    this.#out = out;
    this.#free = this.#setIdle.bind(this);
  }

  #setIdle(): void {
    this.#state = "idle";
  }

  /** Sends one message. Resolves once the transport admitted it (flow control), not when it was delivered. */
  send(message: T, options?: SendOptions): Promise<void> {
    const refusal = this.#refusal("send");
    if (refusal) return Promise.reject(refusal);
    this.#state = "sending";
    let admitted: boolean;
    try {
      this.#throwIfEnded("send");
      admitted = this.#out.write(options?.noCompression ? this.#encodeUncompressed(message) : this.#encode(message));
    } catch (err) {
      this.#state = "idle";
      return Promise.reject(err);
    }
    if (!admitted) return this.#release(this.#afterDrain());
    // Taken at once: the slot is still freed a microtask later (before the
    // caller's continuation), so a second send in this same tick is refused
    // whatever the transport did.
    return RESOLVED.then(this.#free);
  }

  /**
   * Sends every message of `messages` in order, holding the send slot until
   * the last one was admitted. It does not close the Sender.
   */
  sendAll(messages: Iterable<T> | AsyncIterable<T>): Promise<void> {
    const refusal = this.#refusal("sendAll");
    if (refusal) return Promise.reject(refusal);
    this.#state = "sending";
    return this.#release(this.#writeAll(messages));
  }

  /**
   * Ends this direction: on a client it half-closes the request stream
   * (CloseSend); in a server handler it means "no more messages" and the
   * status follows when the handler returns. A second close() is a no-op.
   */
  close(): Promise<void> {
    if (this.#state === "closed") return Promise.resolve();
    if (this.#state === "sending") return Promise.reject(new ConcurrentSendError("close"));
    this.#state = "closed";
    const ended = this.#out.ended();
    if (ended instanceof RpcError) return Promise.reject(ended);
    if (ended === undefined) this.#out.end();
    return Promise.resolve();
  }

  #refusal(operation: string): Error | undefined {
    if (this.#state === "closed") return new SendAfterCloseError(operation);
    if (this.#state === "sending") return new ConcurrentSendError(operation);
    return undefined;
  }

  /** Frees the send slot once `work` settled, before the caller's continuation runs. */
  #release(work: Promise<void>): Promise<void> {
    return work.then(this.#free, (err: unknown) => {
      this.#free();
      throw err;
    });
  }

  async #write(message: T, operation: string): Promise<void> {
    this.#throwIfEnded(operation);
    if (!this.#out.write(this.#encode(message))) await this.#afterDrain();
  }

  #encodeUncompressed(message: T): unknown {
    if (this.#codec === null) throw new TypeError("send(message, { noCompression: true }) is not carried through client interceptors");
    return markUncompressed(this.#encode(message) as Uint8Array);
  }

  async #afterDrain(): Promise<void> {
    await this.#out.drained();
    // The drain may have been the end of the RPC: the message was then not delivered.
    const ended = this.#out.ended();
    if (ended instanceof RpcError) throw ended;
  }

  async #writeAll(messages: Iterable<T> | AsyncIterable<T>): Promise<void> {
    this.#throwIfEnded("sendAll");
    if (!(Symbol.asyncIterator in messages)) {
      for (const message of messages) await this.#write(message, "sendAll");
      return;
    }
    const source = messages[Symbol.asyncIterator]();
    // The source may be parked in next() when the RPC ends: the end must not wait for it.
    let interrupt: ((err: unknown) => void) | undefined;
    let stopped = false;
    void this.#out.whenEnded().then(() => {
      if (!stopped) interrupt?.(this.#endedError("sendAll"));
    });
    let finished = false;
    try {
      for (;;) {
        const next = await new Promise<IteratorResult<T>>((resolve, reject) => {
          interrupt = reject;
          source.next().then(resolve, (err: unknown) => {
            finished = true; // a source that threw is done: no return() for it
            reject(err);
          });
        });
        interrupt = undefined;
        if (next.done) {
          finished = true;
          return;
        }
        await this.#write(next.value, "sendAll");
      }
    } finally {
      stopped = true;
      interrupt = undefined;
      // Stopped early (the RPC ended or a message failed to encode): let the source clean up. Not
      // awaited: a generator still parked in next() would hold this rejection until it yields.
      if (!finished) source.return?.()?.then(undefined, () => {});
    }
  }

  #throwIfEnded(operation: string): void {
    const ended = this.#out.ended();
    if (ended !== undefined) throw this.#endedError(operation);
  }

  /** What an operation on an ended RPC rejects with: its RpcError, or StreamEndedError if it ended OK. */
  #endedError(operation: string): Error {
    const ended = this.#out.ended();
    return ended instanceof RpcError ? ended : new StreamEndedError(operation);
  }

  #encode(message: T): unknown {
    return this.#codec === null ? message : encodeMessage(this.#codec, message, "message");
  }
}
