/**
 * Waker parks one waiter (a pending recv or send) until the next event that
 * may unblock it. A handle has at most one pending operation per direction,
 * so one slot is enough. The waiter runs in a microtask of its own, never
 * inside the transport's callback that woke it. It is used by the runtime only.
 */
export class Waker {
  #waiter: (() => void) | undefined;

  /** Calls `waiter` (once) after the next wake(). */
  park(waiter: () => void): void {
    this.#waiter = waiter;
  }

  /** Resolves after the next wake(). */
  wait(): Promise<void> {
    return new Promise((resolve) => this.park(resolve));
  }

  wake(): void {
    const waiter = this.#waiter;
    if (!waiter) return;
    this.#waiter = undefined;
    queueMicrotask(waiter);
  }
}
