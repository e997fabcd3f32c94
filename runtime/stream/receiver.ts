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
  /** The pending recv() or next(), told a message (undefined at the clean end) or a failure. */
  #waiting: Waiting | undefined;
  /**
   * The one callback of this Receiver (no function per message): #onWake,
   * bound (an arrow would keep a closure context per Receiver beside it).
   */
  readonly #wake: () => void;
  /** What #step settles a microtask later (one at a time: the slot is taken until then). */
  #later: Waiting | undefined;
  #laterOk = true;
  #laterValue: unknown;

  /** @internal Created by the runtime; user code receives Receivers from calls and handlers. */
  constructor(codec: Codec<T, never> | null, inbound: Inbound<unknown>, cancelOnEarlyExit: boolean) {
    this.#codec = codec;
    this.#in = inbound;
    this.#cancelOnEarlyExit = cancelOnEarlyExit;
    this.#wake = this.#onWake.bind(this);
  }

  /** Settles what #step held for a microtask, or, woken by the transport, takes the next step. */
  #onWake(): void {
    const later = this.#later;
    if (later === undefined) return this.#step(false);
    const value = this.#laterValue;
    this.#later = undefined;
    this.#laterValue = undefined;
    later.settle(this.#laterOk, value);
  }

  /** The next message, or undefined at the clean end of the stream. A non-OK status rejects with RpcError. */
  recv(): Promise<T | undefined> {
    if (this.#state !== "idle") return Promise.reject(new ConcurrentRecvError("recv()"));
    this.#state = "receiving";
    return new Promise((resolve, reject) =>
      this.#receive({
        settle: (ok, value) => {
          this.#state = "idle";
          if (ok) resolve(value as T | undefined);
          else reject(value);
        },
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
    return new Receiver.#Loop<T>(this);
  }

  /**
   * One for-await loop over a Receiver: its next() and return() are
   * prototype methods and it is itself what the Receiver settles, so a loop
   * makes one object, not a closure per method (a suspended loop is what
   * every idle stream holds). Nested in Receiver for its private fields.
   */
  static readonly #Loop = class ReceiveLoop<U> implements AsyncIterator<U> {
    readonly #rx: Receiver<U>;
    #pending = false;
    #finished = false;
    /** The pending next()'s promise, held while the Receiver looks for the message. */
    #resolve: (result: IteratorResult<U>) => void = noop;
    #reject: (reason: unknown) => void = noop;

    constructor(rx: Receiver<U>) {
      this.#rx = rx;
    }

    next(): Promise<IteratorResult<U>> {
      if (this.#finished) return Promise.resolve({ done: true, value: undefined });
      if (this.#pending) return Promise.reject(new ConcurrentRecvError("next()"));
      this.#pending = true;
      const next = new Promise<IteratorResult<U>>(captureResolvers);
      this.#resolve = captured.resolve as (result: IteratorResult<U>) => void;
      this.#reject = captured.reject;
      // The shared slot must not keep this promise (and whoever awaits it) alive.
      captured.resolve = captured.reject = noop;
      this.#rx.#receive(this);
      return next;
    }

    return(): Promise<IteratorResult<U>> {
      if (!this.#finished) {
        this.#finished = true;
        const rx = this.#rx;
        rx.#state = "idle";
        if (rx.#cancelOnEarlyExit && rx.#in.ended() === undefined) rx.#in.abandon(new RpcError(Code.CANCELLED, "receive loop left early"));
      }
      return Promise.resolve({ done: true, value: undefined });
    }

    /** @internal The Receiver's report for the pending next(). */
    settle(ok: boolean, value: unknown): void {
      this.#pending = false;
      const resolve = this.#resolve;
      const reject = this.#reject;
      this.#resolve = this.#reject = noop;
      if (ok && value !== undefined) return resolve({ done: false, value: value as U });
      if (!this.#finished) {
        this.#finished = true;
        this.#rx.#state = "idle";
      }
      if (ok) resolve({ done: true, value: undefined });
      else reject(value);
    }
  };

  /** Starts receiving the next message for `waiting` (one at a time: the slot is taken). */
  #receive(waiting: Waiting): void {
    this.#waiting = waiting;
    this.#step(true);
  }

  /**
   * Reports the next message, the end or the failure to #waiting, or waits for
   * the transport. This is the hot path of every stream: waiting parks a
   * callback made once per Receiver, not a promise per message.
   */
  #step(sameTick: boolean): void {
    // A wake-up may come after its caller went away (an iterator's return() while its next() waited,
    // then a recv() that was served at once): nobody waits, so leave the messages buffered.
    if (this.#waiting === undefined) return;
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
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (!sameTick) return waiting.settle(ok, value);
    // Settled in the tick of the call: free the slot a microtask later,
    // so a second recv() in this same tick is still refused.
    this.#later = waiting;
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

/** Who waits for a Receiver's next message: a recv() or a loop's next(). */
interface Waiting {
  settle(ok: boolean, value: unknown): void;
}

/**
 * A promise's resolvers, taken out of its executor: the executor runs
 * synchronously inside `new Promise`, so one function serves every promise
 * and no closure is made per promise.
 */
const captured: { resolve: (value: never) => void; reject: (reason: unknown) => void } = { resolve: noop, reject: noop };
function captureResolvers(resolve: (value: never) => void, reject: (reason: unknown) => void): void {
  captured.resolve = resolve;
  captured.reject = reject;
}

function noop(): void {}
