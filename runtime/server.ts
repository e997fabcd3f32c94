import * as grpc from "@grpc/grpc-js";
import { Code } from "./code.js";
import { RpcError } from "./errors.js";
import { Receiver } from "./receiver.js";
import { Sender } from "./sender.js";
import { GrpcServerCall, type GrpcServerStream } from "./server-call.js";
import { ServerContext } from "./server-context.js";
import type { AnyMethodDefinition, Codec, HandlersOf, MethodKind, ServiceDefinition } from "./service.js";

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

/** After the grace period, how long the UNAVAILABLE statuses get to reach clients before connections are cut. */
const SHUTDOWN_FLUSH_MS = 1000;

/**
 * Server hosts any number of services on one HTTP/2 server. Each call runs
 * its handler as its own async task; streams use the same Sender and
 * Receiver handles as clients.
 */
export class Server {
  readonly #grpc: grpc.Server;
  readonly #options: ServerOptions;
  readonly #typeNames = new Set<string>();
  /** Calls that can still respond: shutdown ends them with UNAVAILABLE. */
  readonly #live = new Set<GrpcServerCall>();

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
      if (!isHandler(handler)) throw new TypeError(`${service.typeName}: no handler for ${method.name} (expected a function at "${key}")`);
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
      const bound = handler.bind(handlers);
      implementation[key] = (call: GrpcServerStream, respond?: grpc.sendUnaryData<Buffer>) =>
        this.#serve(method, bound, new GrpcServerCall(method.path, call, respond, this.#live));
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
   * `graceMs` the rest end with UNAVAILABLE "server shutting down" (their
   * handlers' signals abort with that reason), as gRPC-Go's GracefulStop
   * followed by Stop.
   */
  shutdown(options: { graceMs?: number } = {}): Promise<void> {
    const graceMs = options.graceMs ?? 5000;
    return new Promise((resolve) => {
      let backstop: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => {
        this.#endLiveCalls();
        // The statuses are on their way; a peer that never reads them must not hold the shutdown.
        backstop = setTimeout(() => this.#grpc.forceShutdown(), SHUTDOWN_FLUSH_MS);
      }, graceMs);
      this.#grpc.tryShutdown(() => {
        clearTimeout(timer);
        clearTimeout(backstop);
        resolve();
      });
    });
  }

  /** Ends every call at once (handlers see UNAVAILABLE "server shutting down") and stops serving. */
  forceShutdown(): void {
    this.#endLiveCalls();
    this.#grpc.forceShutdown();
  }

  #endLiveCalls(): void {
    for (const call of [...this.#live]) call.shutDown();
  }

  /** Runs one call's handler as its own task; its outcome becomes the call's status. */
  #serve(method: AnyMethodDefinition, handler: AnyHandler, call: GrpcServerCall): void {
    const reportEncodeFailure = (cause: unknown) => this.#report(cause, method.path);
    dispatch[method.kind](call, method, handler, new ServerContext(call), reportEncodeFailure).catch((err: unknown) => call.fail(this.#statusOf(err, method.path)));
  }

  #statusOf(err: unknown, path: string): RpcError {
    if (err instanceof RpcError) return err;
    this.#report(err, path);
    // Never leak a handler's internals (messages, stacks) to the client.
    return new RpcError(Code.UNKNOWN, "Unknown error");
  }

  #report(err: unknown, path: string): void {
    try {
      this.#options.onHandlerError?.(err, path);
    } catch {
      // a failing logger must not change the status
    }
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyHandler = (...args: any[]) => unknown;

function isHandler(value: unknown): value is AnyHandler {
  return typeof value === "function";
}

/** Runs a handler of one kind on its call; resolves once the status went out. */
type Dispatch = (call: GrpcServerCall, method: AnyMethodDefinition, handler: AnyHandler, ctx: ServerContext, reportEncodeFailure: (cause: unknown) => void) => Promise<void>;

/** One entry per call kind: how the handler gets its request(s) and how its result becomes the response. */
const dispatch: Record<MethodKind, Dispatch> = {
  unary: async (call, method, handler, ctx, report) => {
    const response = await handler(decodeRequest(method.requestCodec, call.request), ctx);
    call.respond(encodeResponse(method.responseCodec, response, report));
  },
  client_streaming: async (call, method, handler, ctx, report) => {
    const response = await handler(new Receiver(method.requestCodec, call.inbound(), false), ctx);
    call.respond(encodeResponse(method.responseCodec, response, report));
  },
  server_streaming: async (call, method, handler, ctx) => {
    await handler(decodeRequest(method.requestCodec, call.request), new Sender(method.responseCodec, call.outbound()), ctx);
    call.finish();
  },
  bidi_streaming: async (call, method, handler, ctx) => {
    await handler(new Receiver(method.requestCodec, call.inbound(), false), new Sender(method.responseCodec, call.outbound()), ctx);
    call.finish();
  },
};

/** Creates a Server; add services, then listen(). */
export function createServer(options?: ServerOptions): Server {
  return new Server(options);
}

function decodeRequest<T>(codec: Codec<T>, frame: Buffer | undefined): T {
  try {
    return codec.decode(frame!);
  } catch (cause) {
    throw new RpcError(Code.INTERNAL, `failed to decode the request: ${String(cause)}`, undefined, { cause });
  }
}

/** A response that does not encode is the handler's bug: the client gets INTERNAL, the operator the cause. */
function encodeResponse<T>(codec: Codec<T>, message: T, report: (cause: unknown) => void): Buffer {
  let bytes: Uint8Array;
  try {
    bytes = codec.encode(message).finish();
  } catch (cause) {
    report(cause);
    throw new RpcError(Code.INTERNAL, "failed to encode the response", undefined, { cause });
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
