import type { RpcError } from "../core/errors.js";
import type { Inbound, Outbound } from "../stream/ports.js";
import type { ServerCallView } from "./context.js";

/**
 * ServerCall is one call a server transport accepted, the server side's one
 * owner per call: request, headers, trailers, status, cancellation and the
 * deadline timer. Dispatch runs the handler on it. It is used by the runtime only.
 */
export interface ServerCall extends ServerCallView {
  /** The one request of a unary or server-streaming call (undefined if it did not come). */
  readonly request: Buffer | undefined;
  /** Resolves once the call can send nothing more (status sent, or the call was cancelled). */
  readonly over: Promise<void>;
  /**
   * Runs `callback(call)` once, synchronously, when the call can send nothing
   * more (at once if it already cannot): `over` without a promise, and with
   * the call passed back, so one callback serves every call.
   */
  onOver(callback: (call: ServerCall) => void): void;
  /** The request stream, for client-streaming and bidi calls. */
  inbound(): Inbound;
  /** The response stream, for server-streaming and bidi calls. */
  outbound(): Outbound;
  /** Sends the one response of a unary or client-streaming call, and status OK. */
  respond(frame: Buffer): void;
  /** Ends a streaming call with status OK. */
  finish(): void;
  /** Ends the call with `status` (nothing goes out if the client is gone). */
  fail(status: RpcError): void;
  /** Server shutdown: the handler sees UNAVAILABLE "server shutting down", and so does the client. */
  shutDown(): void;
  /** Server drain: the handler's signal aborts with UNAVAILABLE "server shutting down", the call goes on (its handler ends it). */
  noticeShutdown(): void;
  /** Why the call ended early (client cancel, deadline, a broken call, shutdown), if it did; a drain's notice is not one. */
  cancellation(): RpcError | undefined;
  /** The call's place in its Server's LiveCalls (-1: not there); LiveCalls's own. */
  liveSlot: number;
}
