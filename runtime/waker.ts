/**
 * Waker parks one waiter (a pending recv or send) until the next event that
 * may unblock it. A handle has at most one pending operation per direction,
 * so one slot is enough. It is used by the runtime only.
 */
export class Waker {
  #wake: (() => void) | undefined;

  /** Resolves at the next wake(). */
  wait(): Promise<void> {
    return new Promise((resolve) => (this.#wake = resolve));
  }

  wake(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
