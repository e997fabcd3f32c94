import type * as grpc from "@grpc/grpc-js";
import type { RpcError } from "./errors.js";
import type { Inbound } from "./receiver.js";
import type { Outbound } from "./sender.js";
import type { ServerContext } from "./server-context.js";
import { Waker } from "./waker.js";

/**
 * ServerInbound reads a handler's request stream one message at a time from
 * grpc-js (paused mode), ending "ok" when the client half-closed. It is used
 * by the runtime only.
 */
export class ServerInbound implements Inbound {
  readonly #stream: grpc.ServerReadableStream<Buffer, Buffer> | grpc.ServerDuplexStream<Buffer, Buffer>;
  readonly #ctx: ServerContext;
  #halfClosed = false;
  readonly #reader = new Waker();

  constructor(stream: grpc.ServerReadableStream<Buffer, Buffer> | grpc.ServerDuplexStream<Buffer, Buffer>, ctx: ServerContext) {
    this.#stream = stream;
    this.#ctx = ctx;
    const wake = () => this.#reader.wake();
    stream.on("readable", wake);
    stream.on("end", () => {
      this.#halfClosed = true;
      wake();
    });
    stream.on("error", () => {});
    ctx.signal.addEventListener("abort", wake, { once: true });
  }

  read(): Buffer | null {
    return (this.#stream.read() as Buffer | null) ?? null;
  }

  onReadable(callback: () => void): void {
    this.#reader.park(callback);
    if (this.ended() !== undefined) this.#reader.wake();
  }

  ended(): RpcError | "ok" | undefined {
    return this.#ctx.cancellation ?? (this.#halfClosed || this.#stream.readableEnded ? "ok" : undefined);
  }

  abandon(): void {
    // On a server, leaving a receive loop early does not end the call: the handler may still respond.
  }
}

/**
 * ServerOutbound writes a handler's response stream with grpc-js's flow
 * control (write() return value and 'drain'). It is used by the runtime only.
 */
export class ServerOutbound implements Outbound {
  readonly #stream: grpc.ServerWritableStream<Buffer, Buffer> | grpc.ServerDuplexStream<Buffer, Buffer>;
  readonly #ctx: ServerContext;
  #done = false;
  readonly #writer = new Waker();

  constructor(stream: grpc.ServerWritableStream<Buffer, Buffer> | grpc.ServerDuplexStream<Buffer, Buffer>, ctx: ServerContext) {
    this.#stream = stream;
    this.#ctx = ctx;
    const wake = () => this.#writer.wake();
    stream.on("drain", wake);
    ctx.signal.addEventListener("abort", wake, { once: true });
  }

  write(frame: Buffer): boolean {
    this.#ctx.flushHeaders();
    return this.#stream.write(frame);
  }

  drained(): Promise<void> {
    if (this.ended() !== undefined) return Promise.resolve();
    return this.#writer.wait();
  }

  end(): void {
    // "No more messages": the status goes out when the handler returns.
  }

  ended(): RpcError | "ok" | undefined {
    return this.#ctx.cancellation ?? (this.#done ? "ok" : undefined);
  }

  /** The handler returned: the Sender refuses further sends. */
  markDone(): void {
    this.#done = true;
  }
}
