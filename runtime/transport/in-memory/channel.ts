import { Channel, type ClientTransport, type TransportCall, type TransportCallListener } from "../../client/channel.js";
import type { ResolvedCall } from "../../core/call-options.js";
import type { Server } from "../../server/server.js";
import { inMemoryTransportOf, type InMemoryServerTransport } from "./server.js";
import type { ClientInterceptor } from "../../core/interceptor.js";

/** A client transport whose calls go straight to one in-memory server. */
export class InMemoryClientTransport implements ClientTransport {
  readonly #server: InMemoryServerTransport;
  #closed = false;

  constructor(server: InMemoryServerTransport) {
    this.#server = server;
  }

  startCall(path: string, options: ResolvedCall, listener: TransportCallListener): TransportCall {
    if (this.#closed) throw new Error("the in-memory channel was closed");
    return this.#server.accept(path, options, listener);
  }

  close(): void {
    this.#closed = true;
  }

  /** Ready at once while the server accepts calls; a shut-down server never gets ready, as an unreachable one. */
  waitForReady(deadline: Date | number): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("the in-memory channel was closed"));
    if (this.#server.accepting) return Promise.resolve();
    const at = deadline instanceof Date ? deadline.getTime() : deadline;
    if (!Number.isFinite(at)) return new Promise(() => {});
    return new Promise((_resolve, reject) => setTimeout(() => reject(new Error("Failed to connect before the deadline")), Math.max(0, at - Date.now())));
  }
}

/**
 * Creates a Channel whose calls go to `server` (made by createInMemoryServer)
 * in this process, with no sockets: the same rules, statuses, deadlines,
 * cancellation, metadata and backpressure as a grpc-js channel.
 */
export function createInMemoryChannel(server: Server, options: { interceptors?: readonly ClientInterceptor[] | undefined } = {}): Channel {
  return new Channel("in-memory", new InMemoryClientTransport(inMemoryTransportOf(server)), options.interceptors);
}
