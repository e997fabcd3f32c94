import { Code } from "../core/code.js";
import { RpcError } from "../core/errors.js";
import type { AnyMethodDefinition, ServiceDefinition } from "../core/method.js";
import type { ServerCall } from "./call.js";
import { dispatch, isHandler, type AnyHandler } from "./dispatch.js";
import { dispatchIntercepted, type ServerInterceptor } from "./interceptor.js";
import type { HandlersOf } from "./handlers.js";
import { LiveCalls } from "./live-calls.js";

/** One method of a service, as the Server hands it to its transport. */
export interface ServedMethod {
  /** The method's key in the service definition (its lowerCamelCase name). */
  readonly key: string;
  readonly method: AnyMethodDefinition;
  /** Called for every call the transport accepts for this method. */
  readonly onCall: (call: ServerCall) => void;
}

/** What a Server runs on: a grpc-js HTTP/2 server, or the in-memory transport. */
export interface ServerTransport {
  addService(typeName: string, methods: readonly ServedMethod[]): void;
  /** Starts serving on `address` and resolves to the bound port. */
  listen(address: string): Promise<number>;
  /** Stops accepting calls; resolves once no call is left and every connection closed. */
  drain(): Promise<void>;
  /** Closes every connection at once. */
  close(): void;
}

/** What a Server does, whatever its transport. */
export interface ServerBehaviour {
  /**
   * Called with what a handler threw when it was not an RpcError (and with
   * the cause when a response did not encode). The client only sees UNKNOWN
   * "Unknown error" (INTERNAL for the response): log the details here.
   */
  onHandlerError?: ((error: unknown, method: string) => void) | undefined;
  /** Server interceptors for every call of every service on this server, the first outermost (see ServerInterceptor). */
  interceptors?: readonly ServerInterceptor[] | undefined;
}

/** After the grace period, how long the UNAVAILABLE statuses get to reach clients before connections are cut. */
const SHUTDOWN_FLUSH_MS = 1000;

/**
 * Server hosts any number of services. Each call runs its handler as its own
 * async task; streams use the same Sender and Receiver handles as clients.
 */
export class Server {
  readonly #transport: ServerTransport;
  readonly #behaviour: ServerBehaviour;
  /** The services added, in order, by type name. */
  readonly #services = new Map<string, ServiceDefinition>();
  /** Calls that can still respond, each with whether it streams: shutdown ends them with UNAVAILABLE. */
  readonly #live = new LiveCalls();
  /** Run once, when shutdown() or forceShutdown() begins (see onShutdown). */
  readonly #onShutdown: (() => void)[] = [];
  #shuttingDown = false;

  /** @internal Use createServer() (or the in-memory transport's createInMemoryServer()). */
  constructor(transport: ServerTransport, behaviour: ServerBehaviour = {}) {
    this.#transport = transport;
    this.#behaviour = behaviour;
  }

  /** Adds a service with its handlers (the generated `FooHandlers` type): the compiler demands every method. */
  add<S extends ServiceDefinition>(service: S, handlers: HandlersOf<S>): this {
    return this.#add(service, handlers, false);
  }

  /**
   * Adds a service with handlers for some of its methods; the others answer
   * UNIMPLEMENTED, as a gRPC-Go server that embeds `UnimplementedFooServer`.
   * For fakes in tests and for services rolled out a method at a time.
   */
  addPartial<S extends ServiceDefinition>(service: S, handlers: Partial<HandlersOf<S>>): this {
    return this.#add(service, handlers, true);
  }

  #add(service: ServiceDefinition, handlers: object, partial: boolean): this {
    if (this.#services.has(service.typeName)) throw new TypeError(`service ${service.typeName} was already added to this server`);
    const methods: ServedMethod[] = [];
    for (const [key, method] of Object.entries(service.methods)) {
      const given = (handlers as Record<string, unknown>)[key];
      const handler = given === undefined && partial ? unimplemented(method.path) : given;
      if (!isHandler(handler)) throw new TypeError(`${service.typeName}: no handler for ${method.name} (expected a function at "${key}")`);
      const bound = handler.bind(handlers);
      const report = (cause: unknown) => this.#report(cause, method.path);
      const interceptors = this.#behaviour.interceptors ?? [];
      const statusOf = (err: unknown) => this.#statusOf(err, method.path);
      const failed = (call: ServerCall, err: unknown) => call.fail(statusOf(err));
      const run =
        interceptors.length === 0
          ? dispatch
          : (call: ServerCall, m: AnyMethodDefinition, h: AnyHandler, r: (cause: unknown) => void) => dispatchIntercepted(call, m, h, interceptors, r, statusOf).catch((err: unknown) => failed(call, err));
      const streaming = method.kind !== "unary";
      methods.push({
        key,
        method,
        onCall: (call) => {
          this.#track(call, streaming);
          void run(call, method, bound, report, failed);
        },
      });
    }
    this.#transport.addService(service.typeName, methods);
    this.#services.set(service.typeName, service);
    return this;
  }

  /** Starts serving on `address` (`127.0.0.1:0` picks a free port) and resolves to the bound port. */
  listen(address: string): Promise<number> {
    return this.#transport.listen(address);
  }

  /**
   * Stops accepting calls and waits for the running ones to end, as gRPC-Go's
   * GracefulStop followed by Stop after `graceMs`. At once, the signals of
   * streaming handlers (client-, server- and bidi-streaming, long-lived as a
   * rule) abort with UNAVAILABLE "server shutting down" so that they end
   * their streams (their calls go on: what they send and their status still
   * go out); unary handlers run on. After `graceMs` every call left ends
   * with UNAVAILABLE "server shutting down", and connections are cut.
   */
  shutdown(options: { graceMs?: number | undefined } = {}): Promise<void> {
    this.#beginShutdown();
    for (const call of this.#live.streaming()) call.noticeShutdown();
    const graceMs = options.graceMs ?? 5000;
    let backstop: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      this.#endLiveCalls();
      // The statuses are on their way; a peer that never reads them must not hold the shutdown.
      backstop = setTimeout(() => this.#transport.close(), SHUTDOWN_FLUSH_MS);
    }, graceMs);
    return this.#transport.drain().then(() => {
      clearTimeout(timer);
      clearTimeout(backstop);
    });
  }

  /** Ends every call at once (handlers see UNAVAILABLE "server shutting down") and stops serving. */
  forceShutdown(): void {
    this.#beginShutdown();
    this.#endLiveCalls();
    this.#transport.close();
  }

  /**
   * @internal For services the runtime ships (health): `callback` runs once,
   * synchronously, when shutdown() or forceShutdown() begins, before the
   * transport stops accepting calls, so the service can still tell its
   * running calls (health watchers see NOT_SERVING before their stream ends).
   */
  onShutdown(callback: () => void): void {
    this.#onShutdown.push(callback);
  }

  /**
   * @internal For services the runtime ships (reflection): the service
   * definitions added so far, in the order they were added. Read at each
   * call, so a service added after reflection is listed too.
   */
  services(): readonly ServiceDefinition[] {
    return [...this.#services.values()];
  }

  #beginShutdown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    for (const callback of this.#onShutdown) {
      try {
        callback();
      } catch (err) {
        this.#report(err, "shutdown");
      }
    }
  }

  #track(call: ServerCall, streaming: boolean): void {
    this.#live.add(call, streaming);
    // A stream that slipped in as the drain began is told at once, like those already running.
    if (streaming && this.#shuttingDown) call.noticeShutdown();
    call.onOver(this.#untrack);
  }

  readonly #untrack = (call: ServerCall): void => void this.#live.delete(call);

  #endLiveCalls(): void {
    for (const call of this.#live.all()) call.shutDown();
  }

  #statusOf(err: unknown, path: string): RpcError {
    if (err instanceof RpcError) return err;
    this.#report(err, path);
    // Never leak a handler's internals (messages, stacks) to the client.
    return new RpcError(Code.UNKNOWN, "Unknown error");
  }

  #report(err: unknown, path: string): void {
    try {
      this.#behaviour.onHandlerError?.(err, path);
    } catch {
      // a failing logger must not change the status
    }
  }
}

/** The handler of a method addPartial() was given none for. */
function unimplemented(path: string): AnyHandler {
  return () => {
    throw new RpcError(Code.UNIMPLEMENTED, `method ${path} is not implemented by this server`);
  };
}
