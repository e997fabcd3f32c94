import type { TransportCall, TransportCallListener } from "../../client/channel.js";
import type { ResolvedCall } from "../../core/call-options.js";
import { Code } from "../../core/code.js";
import { Metadata } from "../../core/metadata.js";
import { Server, type ServedMethod, type ServerBehaviour, type ServerTransport } from "../../server/server.js";
import { InMemoryClientCall } from "./client-call.js";
import { InMemoryServerCall } from "./server-call.js";

/**
 * A server transport with no sockets: channels made by createInMemoryChannel
 * hand it their calls directly. It serves from the moment it is created.
 */
export class InMemoryServerTransport implements ServerTransport {
  readonly #methods = new Map<string, ServedMethod>();
  /** Calls whose handler may still respond: drain() waits for them, close() ends them. */
  readonly #live = new Set<InMemoryServerCall>();
  #accepting = true;

  addService(_typeName: string, methods: readonly ServedMethod[]): void {
    for (const served of methods) this.#methods.set(served.method.path, served);
  }

  /** An in-memory server has no port to listen on: its channels come from createInMemoryChannel(server). */
  listen(address: string): Promise<number> {
    return Promise.reject(new TypeError(`an in-memory server does not listen (asked for ${address}): make its channels with createInMemoryChannel(server)`));
  }

  drain(): Promise<void> {
    this.#accepting = false;
    return Promise.all([...this.#live].map((call) => call.over)).then(() => {});
  }

  close(): void {
    this.#accepting = false;
    for (const call of [...this.#live]) call.shutDown();
  }

  /** Whether new calls are accepted (the server was not shut down). */
  get accepting(): boolean {
    return this.#accepting;
  }

  /** Starts a call from a channel: the handler runs a microtask later, once its request is complete for unary and server-streaming methods. */
  accept(path: string, options: ResolvedCall, listener: TransportCallListener): TransportCall {
    const client = new InMemoryClientCall(listener, options.deadline);
    const served = this.#methods.get(path);
    if (!this.#accepting) client.receiveStatus(Code.UNAVAILABLE, "the in-memory server is shut down", new Metadata());
    else if (!served) client.receiveStatus(Code.UNIMPLEMENTED, `The server does not implement the method ${path}`, new Metadata());
    else if (served.method.kind === "client_streaming" || served.method.kind === "bidi_streaming") queueMicrotask(() => this.#start(served, client, options, undefined));
    else whenRequestComplete(path, client, (request) => this.#start(served, client, options, request));
    return client;
  }

  #start(served: ServedMethod, client: InMemoryClientCall, options: ResolvedCall, request: Buffer | undefined): void {
    if (client.gaveUp) return; // cancelled before its handler started: no handler runs
    if (!this.#accepting) return client.receiveStatus(Code.UNAVAILABLE, "the in-memory server is shut down", new Metadata());
    // A copy, and nothing added: the handler sees exactly the headers the client set.
    const call = new InMemoryServerCall(served.method.path, client, new Metadata(options.metadata), options.deadline, request);
    this.#live.add(call);
    call.onOver(() => this.#live.delete(call));
    served.onCall(call);
  }
}

/**
 * Waits for the one request of a unary or server-streaming call, its message
 * and the half-close after it, as grpc-js's server does; a stream of any
 * other length is refused as grpc-js refuses it.
 */
function whenRequestComplete(path: string, client: InMemoryClientCall, then: (request: Buffer) => void): void {
  const requests = client.requests;
  requests.onData(() => {
    if (!requests.ended && requests.size < 2) return;
    requests.onData(() => {});
    const count = requests.size;
    const frame = requests.shift();
    if (count === 1 && requests.ended) then(frame!);
    else client.receiveStatus(Code.UNIMPLEMENTED, `Received ${count === 0 ? "no" : "a second"} request message for method ${path}`, new Metadata());
  });
}

/** What an in-memory server takes: a Server's behaviour, and no transport options (it has no sockets). */
export type InMemoryServerOptions = ServerBehaviour;

/** The transport of each in-memory Server, for createInMemoryChannel. */
const transports = new WeakMap<Server, InMemoryServerTransport>();

/** Creates a Server with no sockets; add services, then make channels to it with createInMemoryChannel(server). */
export function createInMemoryServer(options: InMemoryServerOptions = {}): Server {
  const transport = new InMemoryServerTransport();
  const server = new Server(transport, options);
  transports.set(server, transport);
  return server;
}

/** The in-memory transport under `server`; a TypeError for a server that is not in-memory. */
export function inMemoryTransportOf(server: Server): InMemoryServerTransport {
  const transport = transports.get(server);
  if (!transport) throw new TypeError("not an in-memory server: create it with createInMemoryServer()");
  return transport;
}
