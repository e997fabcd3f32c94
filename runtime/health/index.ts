// safestub/health: the standard gRPC health service, grpc.health.v1.Health (Check, Watch, List),
// added to a server in one line, built on the public server API like user code.
//
// Where its generated code lives: runtime/health/gen/, checked in. The service runs inside the
// runtime package, so its client and handler code must ship in the package and exist before any
// user runs a generator; gen/ at the repo root is regenerated (and cleaned) from protos/ for the
// examples and tests and is not packaged. So `npm run generate:health` (buf.gen.health.yaml)
// writes it with safestub's own plugin and ts-proto, importing the runtime from ./runtime.ts (the
// neutral layers) instead of "safestub", and test/runtime/shipped-gen.test.ts fails when the
// checked-in copy differs from what the plugin generates now.
import { Code } from "../core/code.js";
import { RpcError } from "../core/errors.js";
import type { Server } from "../server/server.js";
import type { ServerContext } from "../server/context.js";
import type { Sender } from "../stream/sender.js";
import { Waker } from "../stream/waker.js";
import {
  HealthCheckResponse_ServingStatus as ServingStatus,
  type HealthCheckRequest,
  type HealthCheckResponse,
  type HealthListResponse,
} from "./gen/grpc/health/v1/health.js";
import { HealthService, type HealthHandlers } from "./gen/grpc/health/v1/health_grpc.js";

export { ServingStatus };
export { HealthService, HealthClient, type HealthHandlers } from "./gen/grpc/health/v1/health_grpc.js";
export { HealthCheckRequest, HealthCheckResponse, HealthListRequest, HealthListResponse } from "./gen/grpc/health/v1/health.js";

/** The most services List answers; with more registered it fails RESOURCE_EXHAUSTED (gRPC-Go's maxAllowedServices). */
export const MAX_LISTED_SERVICES = 100;

/** One Watch call: the status it has still to send (the latest wins) and its parked loop. */
interface Watcher {
  pending: ServingStatus | undefined;
  readonly waker: Waker;
}

/**
 * Health answers grpc.health.v1.Health for one server: the serving status of
 * each service name, "" being the whole server (SERVING from the start). It
 * is the handlers object itself: `server.add(HealthService, health)`, or
 * `addHealth(server)`, which also drains it when the server shuts down.
 */
export class Health implements HealthHandlers {
  readonly #statuses = new Map<string, ServingStatus>([["", ServingStatus.SERVING]]);
  readonly #watchers = new Map<string, Set<Watcher>>();
  /** After shutdown(): every status is NOT_SERVING and setStatus is ignored until resume() (as gRPC-Go's). */
  #frozen = false;
  /** After drain(): Watch calls end once they sent their last status. */
  #draining = false;

  /**
   * Sets the status of `service` ("" = the whole server), registering it if it
   * was unknown, and sends it to the Watch calls on it. Ignored after
   * shutdown() until resume().
   */
  setStatus(service: string, status: ServingStatus.UNKNOWN | ServingStatus.SERVING | ServingStatus.NOT_SERVING): void {
    if (status !== ServingStatus.UNKNOWN && status !== ServingStatus.SERVING && status !== ServingStatus.NOT_SERVING) {
      throw new TypeError(`health: ${String(status)} is not a status to set (UNKNOWN, SERVING or NOT_SERVING)`);
    }
    if (!this.#frozen) this.#set(service, status);
  }

  /**
   * Unregisters `service`: Check then answers NOT_FOUND, List leaves it out,
   * and its Watch calls get SERVICE_UNKNOWN and keep watching (as for a
   * service never registered). Ignored after shutdown() until resume(), like
   * setStatus (grpc-java's HealthStatusManager.clearStatus; gRPC-Go's server
   * has no such call but answers an unregistered service the same way).
   */
  clearStatus(service: string): void {
    if (this.#frozen || !this.#statuses.delete(service)) return;
    this.#notify(service, ServingStatus.SERVICE_UNKNOWN);
  }

  /** The status of `service`, or undefined when it is not registered. */
  status(service: string): ServingStatus | undefined {
    return this.#statuses.get(service);
  }

  /** Sets every status to NOT_SERVING and ignores setStatus until resume(), as gRPC-Go's health server. */
  shutdown(): void {
    this.#frozen = false;
    for (const service of this.#statuses.keys()) this.#set(service, ServingStatus.NOT_SERVING);
    this.#frozen = true;
  }

  /** Sets every status to SERVING and takes setStatus again. */
  resume(): void {
    this.#frozen = false;
    for (const service of this.#statuses.keys()) this.#set(service, ServingStatus.SERVING);
  }

  /**
   * shutdown(), then ends every Watch call once it sent NOT_SERVING, so that
   * watchers (load balancers) stop sending before the server drains and a
   * Watch does not hold the drain. A Server's shutdown() and forceShutdown()
   * call it for the Health that addHealth() put on it.
   */
  drain(): void {
    this.#draining = true;
    this.shutdown();
    for (const watchers of this.#watchers.values()) for (const watcher of watchers) watcher.waker.wake();
  }

  /** Check: the status of `request.service`; NOT_FOUND when it is not registered. */
  check(request: HealthCheckRequest): HealthCheckResponse {
    const status = this.#statuses.get(request.service);
    if (status === undefined) throw new RpcError(Code.NOT_FOUND, `unknown service ${JSON.stringify(request.service)}`);
    return { status };
  }

  /**
   * List: the status of every registered service; RESOURCE_EXHAUSTED when
   * more than MAX_LISTED_SERVICES are registered, as gRPC-Go's health server
   * (its maxAllowedServices), so one answer stays small.
   */
  list(): HealthListResponse {
    if (this.#statuses.size > MAX_LISTED_SERVICES) {
      throw new RpcError(Code.RESOURCE_EXHAUSTED, `server health list exceeds maximum capacity: ${MAX_LISTED_SERVICES}`);
    }
    return { statuses: Object.fromEntries([...this.#statuses].map(([service, status]) => [service, { status }])) };
  }

  /**
   * Watch: the status of `request.service` at once (SERVICE_UNKNOWN when it is
   * not registered, and it keeps watching), then each change. A watcher that
   * does not keep up gets the latest status, not every one in between (memory
   * stays bounded); the same status is never sent twice in a row. Ends when
   * the client cancels, or after NOT_SERVING once the server drains.
   */
  async watch(request: HealthCheckRequest, sender: Sender<HealthCheckResponse>, ctx: ServerContext): Promise<void> {
    const service = request.service;
    const watcher: Watcher = { pending: this.#statuses.get(service) ?? ServingStatus.SERVICE_UNKNOWN, waker: new Waker() };
    let watchers = this.#watchers.get(service);
    if (!watchers) this.#watchers.set(service, (watchers = new Set()));
    watchers.add(watcher);
    const wake = () => watcher.waker.wake();
    ctx.signal.addEventListener("abort", wake);
    try {
      let sent: ServingStatus | undefined;
      for (;;) {
        const status = watcher.pending;
        if (status === undefined) {
          // A drain's notice aborts the signal too: the NOT_SERVING it set went out first.
          if (this.#draining || ctx.signal.aborted) return;
          await watcher.waker.wait();
          continue;
        }
        watcher.pending = undefined;
        if (status === sent) continue;
        sent = status;
        await sender.send({ status });
      }
    } finally {
      ctx.signal.removeEventListener("abort", wake);
      watchers.delete(watcher);
      if (watchers.size === 0 && this.#watchers.get(service) === watchers) this.#watchers.delete(service);
    }
  }

  #set(service: string, status: ServingStatus): void {
    this.#statuses.set(service, status);
    this.#notify(service, status);
  }

  #notify(service: string, status: ServingStatus): void {
    for (const watcher of this.#watchers.get(service) ?? []) {
      watcher.pending = status;
      watcher.waker.wake();
    }
  }
}

/**
 * Serves grpc.health.v1.Health on `server` (the whole server, "", SERVING;
 * no other service registered until set) and returns it: `addHealth(server).setStatus("pkg.Foo",
 * ServingStatus.SERVING)`. When the server shuts down, every status turns
 * NOT_SERVING first and Watch calls end after sending it (Health.drain).
 */
export function addHealth(server: Server): Health {
  const health = new Health();
  server.add(HealthService, health);
  server.onShutdown(() => health.drain());
  return health;
}
