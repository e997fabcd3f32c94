/**
 * Messages a pipe holds between its two ends, like the 16 objects of a
 * Writable's highWaterMark on the grpc-js path: a producer waits while this
 * many are queued, so a stream nobody reads stays this small.
 */
export const PIPE_CAPACITY = 16;

const nothing = (): void => {};

/**
 * FramePipe carries the messages of one direction of an in-memory call: a
 * bounded queue with one producer and one consumer. Each frame is copied on
 * the way in, so neither side sees the other mutate its buffer. The ends'
 * callbacks run synchronously: they only wake or schedule, never deliver.
 */
export class FramePipe {
  readonly #frames: Buffer[] = [];
  #ended = false;
  #discarding = false;
  #onData: () => void = nothing;
  #onRoom: () => void = nothing;

  /** The consumer's hook: a frame arrived or the producer ended. */
  onData(callback: () => void): void {
    this.#onData = callback;
  }

  /** The producer's hook: a frame was taken, so there may be room. */
  onRoom(callback: () => void): void {
    this.#onRoom = callback;
  }

  get size(): number {
    return this.#frames.length;
  }

  /** Whether a push stays within the capacity (always, once the consumer is gone). */
  get hasRoom(): boolean {
    return this.#frames.length < PIPE_CAPACITY;
  }

  /** Queues a copy of `frame`. The producer checks hasRoom first; the pipe does not refuse. */
  push(frame: Buffer): void {
    if (this.#ended || this.#discarding) return;
    this.#frames.push(Buffer.from(frame));
    this.#onData();
  }

  shift(): Buffer | undefined {
    const frame = this.#frames.shift();
    if (frame) this.#onRoom();
    return frame;
  }

  /** The producer sends nothing more (a half-close, or the end of the responses). */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#onData();
  }

  /** The producer ended (the queue may still hold frames). */
  get ended(): boolean {
    return this.#ended;
  }

  /** The consumer is gone: drop what is queued, and from now on every push, so producers never wait for it. */
  discard(): void {
    this.#discarding = true;
    this.#frames.length = 0;
    this.#onRoom();
  }
}
