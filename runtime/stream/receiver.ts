import { type Codec, decodeMessage } from "../core/codec.js";
import { Code } from "../core/code.js";
import { ConcurrentRecvError, RpcError } from "../core/errors.js";
import type { Inbound } from "./ports.js";

type ReceiverState = "idle" | "receiving" | "iterating";

/**
 * Receiver is the single-owner handle for the incoming direction of a stream:
 * responses on a client, requests in a server handler. One recv() or one
 * for-await loop at a time; a second is refused with ConcurrentRecvError.
 * It pulls: the transport is paused while its small buffer is full.
 */
export class Receiver<T> implements AsyncIterable<T> {
  #state: ReceiverState = "idle";
  /** null: the Inbound yields messages already decoded (a call with client interceptors). */
  readonly #codec: Codec<T, never> | null;
  readonly #in: Inbound<unknown>;
  readonly #cancelOnEarlyExit: boolean;
  /** Reports to the pending recv() or next(): a message (undefined at the clean end) or a failure. */
  #settle: ((ok: boolean, value: unknown) => void) | undefined;
  /**
   * The one callback of this Receiver (no function per message): settles
   * what #step held for a microtask, or, woken by the transport, takes the
   * next step.
   */
  readonly #wake = () => {
    const later = this.#later;
    if (later === undefined) return this.#step(false);
    const value = this.#laterValue;
    this.#later = undefined;
    this.#laterValue = undefined;
    later(this.#laterOk, value);
  };
  /** What #step settles a microtask later (one at a time: the slot is taken until then). */
  #later: ((ok: boolean, value: unknown) => void) | undefined;
  #laterOk = true;
  #laterValue: unknown;

  /** @internal Created by the runtime; user code receives Receivers from calls and handlers. */
  constructor(codec: Codec<T, never> | null, inbound: Inbound<unknown>, cancelOnEarlyExit: boolean) {
    this.#codec = codec;
    this.#in = inbound;
    this.#cancelOnEarlyExit = cancelOnEarlyExit;
  }

  /** The next message, or undefined at the clean end of the stream. A non-OK status rejects with RpcError. */
  recv(): Promise<T | undefined> {
    if (this.#state !== "idle") return Promise.reject(new ConcurrentRecvError("recv()"));
    this.#state = "receiving";
    return new Promise((resolve, reject) =>
      this.#receive((ok, value) => {
        this.#state = "idle";
        if (ok) resolve(value as T | undefined);
        else reject(value);
      }),
    );
  }

  /**
   * Iterates the remaining messages. Leaving the loop early (break, throw,
   * return) cancels a client RPC; in a server handler it only stops reading.
   */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.#state !== "idle") throw new ConcurrentRecvError("for await");
    this.#state = "iterating";
    let pending = false;
    let finished = false;
    // One settle function per loop, not per message: the pending next()'s promise is held in these two.
    let resolveNext: (result: IteratorResult<T>) => void = noop;
    let rejectNext: (reason: unknown) => void = noop;
    const capture = (resolve: typeof resolveNext, reject: typeof rejectNext) => {
      resolveNext = resolve;
      rejectNext = reject;
    };
    const settle = (ok: boolean, value: unknown) => {
      pending = false;
      if (ok && value !== undefined) return resolveNext({ done: false, value: value as T });
      if (!finished) {
        finished = true;
        this.#state = "idle";
      }
      if (ok) resolveNext({ done: true, value: undefined });
      else rejectNext(value);
    };
    return {
      next: (): Promise<IteratorResult<T>> => {
        if (finished) return Promise.resolve({ done: true, value: undefined });
        if (pending) return Promise.reject(new ConcurrentRecvError("next()"));
        pending = true;
        const next = new Promise<IteratorResult<T>>(capture);
        this.#receive(settle);
        return next;
      },
      return: async (): Promise<IteratorResult<T>> => {
        if (!finished) {
          finished = true;
          this.#state = "idle";
          if (this.#cancelOnEarlyExit && this.#in.ended() === undefined) {
            this.#in.abandon(new RpcError(Code.CANCELLED, "receive loop left early"));
          }
        }
        return { done: true, value: undefined };
      },
    };
  }

  /** Starts receiving the next message for the caller that `settle` reports to (one at a time: the slot is taken). */
  #receive(settle: (ok: boolean, value: unknown) => void): void {
    this.#settle = settle;
    this.#step(true);
  }

  /**
   * Reports the next message, the end or the failure to #settle, or waits for
   * the transport. This is the hot path of every stream: waiting parks a
   * callback made once per Receiver, not a promise per message.
   */
  #step(sameTick: boolean): void {
    // A wake-up may come after its caller went away (an iterator's return() while its next() waited,
    // then a recv() that was served at once): nobody waits, so leave the messages buffered.
    if (this.#settle === undefined) return;
    let ok = true;
    let value: unknown;
    const frame = this.#in.read();
    if (frame !== null) {
      try {
        value = this.#decode(frame);
      } catch (err) {
        ok = false;
        value = err;
      }
    } else {
      const ended = this.#in.ended();
      if (ended === undefined) return this.#in.onReadable(this.#wake);
      if (ended !== "ok") {
        ok = false;
        value = ended;
      }
    }
    const settle = this.#settle;
    this.#settle = undefined;
    if (!sameTick) return settle(ok, value);
    // Settled in the tick of the call: free the slot a microtask later,
    // so a second recv() in this same tick is still refused.
    this.#later = settle;
    this.#laterOk = ok;
    this.#laterValue = value;
    queueMicrotask(this.#wake);
  }

  #decode(frame: unknown): T {
    if (this.#codec === null) return frame as T;
    try {
      return decodeMessage(this.#codec, frame as Buffer, "message");
    } catch (failure) {
      this.#in.abandon(failure as RpcError);
      throw failure;
    }
  }
}

function noop(): void {}
