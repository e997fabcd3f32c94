// Helpers over grpc-js streams, shared by the raw grpc-js and ts-proto stacks.
import type * as grpc from "@grpc/grpc-js";

/** Writes one message and waits for grpc-js's write callback ("every send awaited"). */
export function write<T>(call: grpc.ClientWritableStream<T>, message: T): Promise<void> {
  return new Promise((resolve, reject) => call.write(message, (err: Error | null | undefined) => (err ? reject(err) : resolve())));
}

/** Resolves once the call reported its status; rejects on a non-OK one. */
export function finished(call: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve, reject) => {
    call.on("error", reject);
    call.on("status", (s: grpc.StatusObject) => (s.code === 0 ? resolve() : reject(new Error(s.details))));
  });
}

/** Pulls messages one at a time from a grpc-js readable in flowing mode ('data' events), the way grpc-js's examples read. */
export class DataQueue<T> {
  readonly #queue: T[] = [];
  #waiter: ((value: T | undefined) => void) | undefined;
  #ended = false;

  constructor(call: grpc.ClientReadableStream<T> | grpc.ClientDuplexStream<unknown, T>) {
    call.on("data", (message: T) => {
      const waiter = this.#waiter;
      if (waiter) {
        this.#waiter = undefined;
        waiter(message);
      } else this.#queue.push(message);
    });
    const end = () => {
      this.#ended = true;
      this.#waiter?.(undefined);
      this.#waiter = undefined;
    };
    call.on("end", end);
    call.on("error", end);
  }

  next(): Promise<T | undefined> {
    if (this.#queue.length > 0) return Promise.resolve(this.#queue.shift());
    if (this.#ended) return Promise.resolve(undefined);
    return new Promise((resolve) => (this.#waiter = resolve));
  }
}
