// What every client stack implements, and the small helpers the stacks share.

/** Options a stack is started with (the retry-buffer variants use `grpcOptions`). */
export interface StackOptions {
  readonly port: number;
  readonly grpcOptions?: Record<string, number | string>;
}

/**
 * One client stack talking to the bench server. Every method runs one RPC to
 * completion and returns what the other side counted, so a workload can check
 * that nothing was lost.
 */
export interface Stack {
  /** One unary echo of a small message. */
  unary(seq: number): Promise<void>;
  /** Reads a server stream of `count` small messages; returns how many arrived. */
  serverStream(count: number, size: number): Promise<number>;
  /** Sends the messages of `seqs` one at a time, each send awaited, then half-closes; returns the server's count. */
  clientStream(seqs: Iterable<number>, payload: Uint8Array): Promise<number>;
  /** For each of `seqs`: send one message, wait for its echo; returns the number of echoes. */
  pingPong(seqs: Iterable<number>, payload: Uint8Array): Promise<number>;
  /** Bidi: sends every message of `seqs` (each send awaited), half-closes, reads the one summary; returns the server's byte count. */
  oneWay(seqs: Iterable<number>, payload: Uint8Array): Promise<number>;
  close(): void;
}

export type StackFactory = (options: StackOptions) => Promise<Stack> | Stack;

/** The sequence numbers 0..count-1, stopping early once `deadline` (ms, performance.now()) passed. */
export function* sequence(count: number, deadline = Infinity): Generator<number> {
  for (let i = 0; i < count; i++) {
    if ((i & 255) === 0 && performance.now() > deadline) return;
    yield i;
  }
}

/**
 * Ping-pong for stacks whose request stream is an async iterable: the request
 * iterable yields the next message only after the previous echo arrived.
 */
export class Turnstile<T> {
  #open: (() => void) | undefined;
  readonly #seqs: Iterable<number>;
  readonly #make: (seq: number) => T;

  constructor(seqs: Iterable<number>, make: (seq: number) => T) {
    this.#seqs = seqs;
    this.#make = make;
  }

  /** Called by the response loop for every echo. */
  arrived(): void {
    const open = this.#open;
    this.#open = undefined;
    open?.();
  }

  async *requests(): AsyncGenerator<T> {
    for (const seq of this.#seqs) {
      const echoed = new Promise<void>((resolve) => (this.#open = resolve));
      yield this.#make(seq);
      await echoed;
    }
  }
}

/** An async iterable of the messages `make(seq)` for `seqs`; the transport pulls, so each send is awaited. */
export async function* messages<T>(seqs: Iterable<number>, make: (seq: number) => T): AsyncGenerator<T> {
  for (const seq of seqs) yield make(seq);
}
