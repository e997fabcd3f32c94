import * as grpc from "@grpc/grpc-js";
import { Code } from "./code.js";
import { RpcError } from "./errors.js";
import { Receiver } from "./receiver.js";
import { Sender } from "./sender.js";
import { ServerContext } from "./server-context.js";
import { ServerInbound, ServerOutbound } from "./server-stream.js";
import type { AnyMethodDefinition, Codec, HandlersOf, ServiceDefinition } from "./service.js";

export interface ServerOptions {
  /** Transport credentials for listen(); plaintext when absent. */
  credentials?: grpc.ServerCredentials;
  /** Raw grpc-js server options, merged over safestub's defaults. */
  grpcOptions?: grpc.ServerOptions;
  /**
   * Called with what a handler threw when it was not an RpcError. The client
   * only sees UNKNOWN "Unknown error": log the details here.
   */
  onHandlerError?: (error: unknown, method: string) => void;
}

const passThrough = (frame: Buffer): Buffer => frame;

/**
 * Server hosts any number of services on one HTTP/2 server. Each call runs
 * its handler as its own async task; streams use the same Sender and
 * Receiver handles as clients.
 */
export class Server {
  readonly #grpc: grpc.Server;
  readonly #options: ServerOptions;
  readonly #typeNames = new Set<string>();

  constructor(options: ServerOptions = {}) {
    this.#options = options;
    this.#grpc = new grpc.Server(options.grpcOptions);
  }

  /** Adds a service with its handlers (the generated `FooHandlers` type). */
  add<S extends ServiceDefinition>(service: S, handlers: HandlersOf<S>): this {
    if (this.#typeNames.has(service.typeName)) throw new TypeError(`service ${service.typeName} was already added to this server`);
    const definition: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const [key, method] of Object.entries(service.methods)) {
      const handler = (handlers as Record<string, unknown>)[key];
      if (typeof handler !== "function") throw new TypeError(`${service.typeName}: no handler for ${method.name} (expected a function at "${key}")`);
      definition[key] = {
        path: method.path,
        originalName: key,
        requestStream: method.kind === "client_streaming" || method.kind === "bidi_streaming",
        responseStream: method.kind === "server_streaming" || method.kind === "bidi_streaming",
        requestSerialize: passThrough,
        requestDeserialize: passThrough,
        responseSerialize: passThrough,
        responseDeserialize: passThrough,
      };
      implementation[key] = this.#adapt(method, handler.bind(handlers) as AnyHandler);
    }
    this.#grpc.addService(definition as grpc.ServiceDefinition, implementation);
    this.#typeNames.add(service.typeName);
    return this;
  }

  /** Starts serving on `address` (`127.0.0.1:0` picks a free port) and resolves to the bound port. */
  listen(address: string): Promise<number> {
    const credentials = this.#options.credentials ?? grpc.ServerCredentials.createInsecure();
    return new Promise((resolve, reject) => this.#grpc.bindAsync(address, credentials, (err, port) => (err ? reject(err) : resolve(port))));
  }

  /**
   * Stops accepting calls and waits for the running ones to end; after
   * `graceMs` the rest are cancelled.
   */
  shutdown(options: { graceMs?: number } = {}): Promise<void> {
    const graceMs = options.graceMs ?? 5000;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#grpc.forceShutdown(), graceMs);
      this.#grpc.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Ends every call at once and stops serving. */
  forceShutdown(): void {
    this.#grpc.forceShutdown();
  }

  #adapt(method: AnyMethodDefinition, handler: AnyHandler): grpc.UntypedHandleCall {
    const { requestCodec, responseCodec } = method;
    // Runs the handler as its own task; a failure becomes the call's status unless the client is gone.
    const run = (ctx: ServerContext, body: () => Promise<void>, fail: (status: grpc.StatusObject) => void) => {
      body()
        .catch((err: unknown) => {
          if (ctx.cancellation) return; // grpc-js already ended the call
          const status = this.#statusOf(err, method.path);
          ctx.flushHeaders();
          fail({ code: status.code as number as grpc.status, details: status.details, metadata: ctx.trailersFor(status) });
        })
        .finally(() => ctx.finish());
    };
    // Unary and client streaming: the handler's return value is the one response.
    const respondOnce =
      (produce: (call: never, ctx: ServerContext) => Promise<unknown>) =>
      (call: grpc.ServerUnaryCall<Buffer, Buffer> | grpc.ServerReadableStream<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        const ctx = new ServerContext(method.path, call);
        run(
          ctx,
          async () => {
            const frame = encodeResponse(responseCodec, await produce(call as never, ctx));
            ctx.flushHeaders();
            callback(null, frame, ctx.trailersFor());
          },
          (status) => callback(status),
        );
      };
    // Server and bidi streaming: the handler sends; the status goes out when it returns.
    const respondStreaming =
      (produce: (call: never, sender: Sender<unknown>, ctx: ServerContext) => Promise<unknown>) =>
      (call: grpc.ServerWritableStream<Buffer, Buffer> | grpc.ServerDuplexStream<Buffer, Buffer>) => {
        const ctx = new ServerContext(method.path, call);
        const out = new ServerOutbound(call, ctx);
        run(
          ctx,
          async () => {
            await produce(call as never, new Sender(responseCodec, out), ctx);
            out.markDone();
            ctx.flushHeaders();
            call.end(ctx.trailersFor());
          },
          (status) => {
            out.markDone();
            call.emit("error", status);
          },
        );
      };
    const receiver = (call: grpc.ServerReadableStream<Buffer, Buffer> | grpc.ServerDuplexStream<Buffer, Buffer>, ctx: ServerContext) =>
      new Receiver(requestCodec, new ServerInbound(call, ctx), false);
    switch (method.kind) {
      case "unary":
        return respondOnce(async (call: grpc.ServerUnaryCall<Buffer, Buffer>, ctx) => handler(decodeRequest(requestCodec, call.request), ctx));
      case "client_streaming":
        return respondOnce(async (call: grpc.ServerReadableStream<Buffer, Buffer>, ctx) => handler(receiver(call, ctx), ctx));
      case "server_streaming":
        return respondStreaming(async (call: grpc.ServerWritableStream<Buffer, Buffer>, sender, ctx) => handler(decodeRequest(requestCodec, call.request), sender, ctx));
      case "bidi_streaming":
        return respondStreaming(async (call: grpc.ServerDuplexStream<Buffer, Buffer>, sender, ctx) => handler(receiver(call, ctx), sender, ctx));
    }
  }

  #statusOf(err: unknown, path: string): RpcError {
    if (err instanceof RpcError) return err;
    try {
      this.#options.onHandlerError?.(err, path);
    } catch {
      // a failing logger must not change the status
    }
    // Never leak a handler's internals (messages, stacks) to the client.
    return new RpcError(Code.UNKNOWN, "Unknown error");
  }
}

/** Creates a Server; add services, then listen(). */
export function createServer(options?: ServerOptions): Server {
  return new Server(options);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyHandler = (...args: any[]) => unknown;

function decodeRequest<T>(codec: Codec<T>, frame: Buffer): T {
  try {
    return codec.decode(frame);
  } catch (cause) {
    throw new RpcError(Code.INTERNAL, `failed to decode the request: ${String(cause)}`, undefined, { cause });
  }
}

function encodeResponse<T>(codec: Codec<T>, message: T): Buffer {
  let bytes: Uint8Array;
  try {
    bytes = codec.encode(message).finish();
  } catch (cause) {
    throw new RpcError(Code.INTERNAL, "failed to encode the response", undefined, { cause });
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
