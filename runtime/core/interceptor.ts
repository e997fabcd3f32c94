import { Code } from "./code.js";
import { RpcError } from "./errors.js";
import type { Metadata } from "./metadata.js";
import type { AnyMethodDefinition } from "./method.js";

/**
 * One call as a client interceptor sees it before it starts. The same shape
 * serves all four call shapes: a unary call's `messages` holds its one
 * request (and can be iterated again, so an interceptor may call `next`
 * more than once); a streaming call's yields each request as the caller
 * sends it, one at a time.
 */
export interface ClientRequest {
  /** The rpc: path, kind, name and codecs. */
  readonly method: AnyMethodDefinition;
  /** The address the call's Channel was created with (`http://host:port`, `dns:///name:443`, "in-memory"). */
  readonly target: string;
  /** Request headers: change them, or pass a new request with others. */
  readonly metadata: Metadata;
  /** The deadline in ms since the epoch, if any. */
  readonly deadline: number | undefined;
  /** Aborted when the caller cancels (or its own signal aborts): pass it on to whatever the interceptor awaits. */
  readonly signal: AbortSignal;
  /** The requests, as `unknown` (narrow with the method's types). Pulled one at a time: backpressure reaches the caller's Sender. */
  readonly messages: AsyncIterable<unknown>;
}

/** What `next` resolves to once the server's response headers came (or the call ended without any). */
export interface ClientResponse {
  readonly headers: Metadata;
  /**
   * The responses, one at a time. Iteration ends at an OK status and throws
   * the call's RpcError otherwise; leaving it early cancels the call.
   */
  readonly messages: AsyncIterable<unknown>;
  /** The trailers, once the call ended, whatever its status. Never rejects. */
  readonly trailers: Promise<Metadata>;
  /** How the call ended: "ok" or its RpcError. Never rejects. */
  readonly outcome: Promise<RpcError | "ok">;
}

/** The rest of the chain: the next interceptor, or the transport. */
export type ClientNext = (request: ClientRequest) => Promise<ClientResponse>;

/**
 * A client interceptor, written once for every call shape: given the rest of
 * the chain, it returns what the call goes through instead. It may change the
 * request (metadata, deadline, signal, messages) before calling `next`, await
 * first (a token refresh), fail the call by throwing an RpcError before
 * anything reaches the wire, wrap the response's messages, watch the
 * outcome, or, for unary calls, call `next` again (retry) or not at all.
 *
 * ```ts
 * const bearer: ClientInterceptor = (next) => async (req) => {
 *   req.metadata.set("authorization", `Bearer ${await tokens.get()}`);
 *   return next(req);
 * };
 * ```
 */
export type ClientInterceptor = (next: ClientNext) => ClientNext;

/** `interceptors` around `last`, the first one outermost. */
export function chainClientInterceptors(interceptors: readonly ClientInterceptor[], last: ClientNext): ClientNext {
  let next = last;
  for (let i = interceptors.length - 1; i >= 0; i--) next = interceptors[i]!(next);
  return next;
}

/** What a failure inside an interceptor becomes for the caller: its own RpcError, or INTERNAL with the error as cause. */
export function interceptorFailure(err: unknown): RpcError {
  if (err instanceof RpcError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new RpcError(Code.INTERNAL, `a client interceptor failed: ${message}`, undefined, { cause: err });
}
