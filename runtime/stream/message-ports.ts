// Ports over messages instead of frames, for calls that go through interceptors: the handles
// (Sender, Receiver) stay outermost and keep their rules, and the interceptors see the messages as
// async iterables, pulled one at a time at every step.
import { decodeMessage, type Codec } from "../core/codec.js";
import { Code } from "../core/code.js";
import { RpcError } from "../core/errors.js";
import type { Inbound, Outbound } from "./ports.js";
import { Waker } from "./waker.js";

/**
 * An Outbound a Sender writes messages to, read as an async iterable: one
 * message waits in its slot until the reader pulls it, and only then does the
 * Sender's send resolve. `end()` ends the iteration after the last message;
 * so does the end of the call (`ended` says when).
 */
export class MessageSlot implements Outbound<unknown> {
  readonly #ended: () => RpcError | "ok" | undefined;
  readonly #whenEnded: Promise<unknown>;
  #slot: { message: unknown } | undefined;
  #closeRequested = false;
  /** The reader's pending pull. */
  #pull: ((result: IteratorResult<unknown>) => void) | undefined;
  readonly #writer = new Waker();
  /** The messages, for the reader (the chain); iterate it once. */
  readonly messages: AsyncIterable<unknown> = { [Symbol.asyncIterator]: () => ({ next: () => this.#next() }) };

  constructor(ended: () => RpcError | "ok" | undefined, whenEnded: Promise<unknown>) {
    this.#ended = ended;
    this.#whenEnded = whenEnded;
  }

  write(message: unknown): boolean {
    const pull = this.#pull;
    if (pull) {
      this.#pull = undefined;
      pull({ done: false, value: message });
      return true;
    }
    this.#slot = { message };
    return false;
  }

  drained(): Promise<void> {
    if (this.#slot === undefined || this.#ended() !== undefined) return Promise.resolve();
    return this.#writer.wait();
  }

  end(): void {
    this.#closeRequested = true;
    if (this.#slot === undefined) this.#release();
  }

  ended(): RpcError | "ok" | undefined {
    return this.#ended();
  }

  whenEnded(): Promise<unknown> {
    return this.#whenEnded;
  }

  /** The call ended: a waiting Sender and a waiting reader move on (the reader sees the end). */
  stop(): void {
    this.#writer.wake();
    this.#release();
  }

  #release(): void {
    const pull = this.#pull;
    this.#pull = undefined;
    pull?.({ done: true, value: undefined });
  }

  #next(): Promise<IteratorResult<unknown>> {
    if (this.#slot !== undefined) {
      const { message } = this.#slot;
      this.#slot = undefined;
      this.#writer.wake();
      return Promise.resolve({ done: false, value: message });
    }
    if (this.#closeRequested || this.#ended() !== undefined) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => (this.#pull = resolve));
  }
}

/**
 * An Inbound a Receiver reads messages from, over an async iterator it pulls
 * one message at a time, only when the Receiver waits. A clean end of the
 * iteration and a throw from it are reported through `onEnd`, which decides
 * the call's end; `ended` reports it back.
 */
export class PulledInbound implements Inbound<unknown> {
  readonly #ended: () => RpcError | "ok" | undefined;
  readonly #onEnd: (failure: unknown) => void;
  readonly #abandon: (reason: RpcError) => void;
  #source: AsyncIterator<unknown> | undefined;
  #buffered: { message: unknown } | undefined;
  #reading = false;
  #sourceDone = false;
  #onReadable: (() => void) | undefined;

  /**
   * `onEnd(undefined)` at the clean end of the iteration, `onEnd(error)` when it threw;
   * `abandon` when the Receiver gave up (a loop left early, a message it refused).
   */
  constructor(ended: () => RpcError | "ok" | undefined, onEnd: (failure: unknown) => void, abandon: (reason: RpcError) => void) {
    this.#ended = ended;
    this.#onEnd = onEnd;
    this.#abandon = abandon;
  }

  /** Whether a pull is in flight: its result will say how the iteration went. */
  get reading(): boolean {
    return this.#reading;
  }

  /** Starts reading from `source` (the chain's messages, once they exist). */
  attach(source: AsyncIterator<unknown>): void {
    this.#source = source;
    this.#readAhead();
  }

  read(): unknown {
    if (this.#buffered === undefined) return null;
    const { message } = this.#buffered;
    this.#buffered = undefined;
    return message;
  }

  onReadable(callback: () => void): void {
    this.#onReadable = callback;
    this.#readAhead();
  }

  ended(): RpcError | "ok" | undefined {
    return this.#ended();
  }

  abandon(reason: RpcError): void {
    this.#abandon(reason);
  }

  /** The call ended: a waiting Receiver looks again (and sees the end). */
  stop(): void {
    if (!this.#sourceDone) void this.#source?.return?.()?.catch(() => {});
    this.#sourceDone = true;
    this.#wake();
  }

  #readAhead(): void {
    if (!this.#onReadable) return;
    if (this.#buffered !== undefined || this.#ended() !== undefined) return this.#wake();
    if (this.#reading || this.#source === undefined || this.#sourceDone) return;
    this.#reading = true;
    this.#source.next().then(
      (result) => {
        this.#reading = false;
        if (result.done) {
          this.#sourceDone = true;
          this.#onEnd(undefined);
        } else this.#buffered = { message: result.value };
        this.#wake();
      },
      (err: unknown) => {
        this.#reading = false;
        this.#sourceDone = true;
        this.#onEnd(err);
        this.#wake();
      },
    );
  }

  #wake(): void {
    const callback = this.#onReadable;
    this.#onReadable = undefined;
    if (callback) queueMicrotask(callback);
  }
}

/**
 * One message as an async iterable, iterable again and again (a retrying
 * client interceptor sends a unary request twice). The runtime reads
 * `message` directly when the chain passed the iterable on unchanged.
 */
export class OneMessage implements AsyncIterable<unknown> {
  readonly message: unknown;

  constructor(message: unknown) {
    this.message = message;
  }

  [Symbol.asyncIterator](): AsyncIterator<unknown> {
    let taken = false;
    return {
      next: () => {
        if (taken) return Promise.resolve({ done: true, value: undefined });
        taken = true;
        return Promise.resolve({ done: false, value: this.message });
      },
    };
  }
}

/**
 * The one message a promise will give (a unary handler's answer), as an async
 * iterable: it yields the value, or throws what the promise rejected with. The
 * runtime awaits `answer` directly when the chain passed it on unchanged.
 */
export class OneAnswer implements AsyncIterable<unknown> {
  readonly answer: Promise<unknown>;

  constructor(answer: Promise<unknown>) {
    this.answer = answer;
    answer.catch(() => {}); // reported through the iteration (or `answer`), which the runtime always reads
  }

  [Symbol.asyncIterator](): AsyncIterator<unknown> {
    let taken = false;
    return {
      next: async () => {
        if (taken) return { done: true, value: undefined };
        taken = true;
        return { done: false, value: await this.answer };
      },
    };
  }
}

/**
 * The messages of a transport's frame Inbound, decoded with `codec` (the one
 * decode policy), pulled one at a time: the iteration ends at a clean end of
 * the stream and throws the call's RpcError otherwise. What leaving it early
 * means is the caller's to decide.
 */
export async function* decodedMessages(inbound: Inbound, codec: Codec<unknown, never>, what: string): AsyncGenerator<unknown, void, undefined> {
  for (;;) {
    const frame = inbound.read();
    if (frame !== null) {
      yield decodeMessage(codec, frame, what);
      continue;
    }
    const ended = inbound.ended();
    if (ended === "ok") return;
    if (ended !== undefined) throw ended;
    await new Promise<void>((resolve) => inbound.onReadable(resolve));
  }
}

/** The one message of `messages`; none, or a second one, is INTERNAL with the given details (a cardinality violation). */
export async function onlyMessage(messages: AsyncIterable<unknown>, noneDetails: string, manyDetails: string): Promise<unknown> {
  let only: { message: unknown } | undefined;
  for await (const message of messages) {
    if (only !== undefined) throw new RpcError(Code.INTERNAL, manyDetails);
    only = { message };
  }
  if (only === undefined) throw new RpcError(Code.INTERNAL, noneDetails);
  return only.message;
}
