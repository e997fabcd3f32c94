import type { ServerCall } from "./call.js";

/**
 * LiveCalls is the set of a Server's calls that can still respond, for
 * shutdown: an array, with each call's place in it kept on the call
 * (`liveSlot`), so adding and removing a call hashes nothing and allocates
 * nothing (a Map keyed by call cost about 1% of the server's CPU per unary
 * call). A removed call's place goes to the last one.
 */
export class LiveCalls {
  readonly #calls: ServerCall[] = [];
  /** Whether each call streams (client-, server- or bidi-streaming), by place. */
  readonly #streaming: boolean[] = [];

  add(call: ServerCall, streaming: boolean): void {
    call.liveSlot = this.#calls.length;
    this.#calls.push(call);
    this.#streaming.push(streaming);
  }

  delete(call: ServerCall): void {
    const slot = call.liveSlot;
    if (this.#calls[slot] !== call) return;
    const last = this.#calls.pop()!;
    const lastStreaming = this.#streaming.pop()!;
    if (last !== call) {
      this.#calls[slot] = last;
      this.#streaming[slot] = lastStreaming;
      last.liveSlot = slot;
    }
    call.liveSlot = -1;
  }

  /** The streaming calls, as they are now. */
  streaming(): ServerCall[] {
    return this.#calls.filter((_, slot) => this.#streaming[slot]);
  }

  /** Every call, as they are now. */
  all(): ServerCall[] {
    return [...this.#calls];
  }
}
