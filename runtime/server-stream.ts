import type * as grpc from "@grpc/grpc-js";
import type { RpcError } from "./errors.js";
import type { Inbound } from "./receiver.js";
import type { Outbound } from "./sender.js";
import type { ServerContext } from "./server-context.js";

/**
 * ServerInbound reads a handler's request stream one message at a time from
 * grpc-js (paused mode), ending "ok" when the client half-closed. It is used
 * by the runtime only.
 */
export class ServerInbound implements Inbound {
  readonly #stream: grpc.ServerReadableStream<Buffer, Buffer> | grpc.ServerDuplexStream<Buffer, Buffer>;
  readonly #ctx: ServerContext;
  #halfClosed = false;
  #wake: (() => void) | undefined;

  constructor(stream: grpc.ServerReadableStream<Buffer, Buffer> | grpc.ServerDuplexStream<Buffer, Buffer>, ctx: ServerContext) {
    this.#stream = stream;
    this.#ctx = ctx;
    const notify = () => {
      const wake = this.#wake;
      this.#wake = undefined;
      wake?.();
    };
    stream.on("readable", notify);
    stream.on("end", () => {
      this.#halfClosed = true;
      notify();
    });
    stream.on("error", () => {});
    ctx.signal.addEventListener("abort", notify, { once: true });
  }

  read(): Buffer | null {
    return (this.#stream.read() as Buffer | null) ?? null;
  }

  readable(): Promise<void> {
    if (this.ended() !== undefined) return Promise.resolve();
    return new Promise((resolve) => (this.#wake = resolve));
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
  #wake: (() => void) | undefined;

  constructor(stream: grpc.ServerWritableStream<Buffer, Buffer> | grpc.ServerDuplexStream<Buffer, Buffer>, ctx: ServerContext) {
    this.#stream = stream;
    this.#ctx = ctx;
    const notify = () => {
      const wake = this.#wake;
      this.#wake = undefined;
      wake?.();
    };
    stream.on("drain", notify);
    ctx.signal.addEventListener("abort", notify, { once: true });
  }

  write(frame: Buffer): boolean {
    this.#ctx.flushHeaders();
    return this.#stream.write(frame);
  }

  drained(): Promise<void> {
    if (this.ended() !== undefined) return Promise.resolve();
    return new Promise((resolve) => (this.#wake = resolve));
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
