import type * as http2 from "node:http2";
import type { Duplex } from "node:stream";

/**
 * What safestub needs to judge the wire but grpc-js (1.14) keeps in private
 * fields: the HTTP/2 streams under a client call, its message decoder's
 * state (is a message half read?) and, on a server call, the HTTP/2 stream,
 * the request's grpc-encoding and its decoder. These
 * probes only read, and answer undefined when grpc-js's shape differs, so
 * safestub then falls back to what grpc-js decided;
 * test/integration/bad-responses.test.ts and bad-requests.test.ts fail if
 * that happens after a grpc-js upgrade.
 */

/** grpc-js's StreamDecoder: readState 0 (NO_DATA) is "between messages". */
interface DecoderState {
  readState: number;
  readMessageSize: number;
  readMessageRemaining: number;
}

/** A message cut short: how many of its bytes arrived. */
export interface CutShort {
  expected: number;
  received: number;
}

/**
 * Whether the response stream of a client call (what `grpc.Channel#createCall`
 * returned) ended in the middle of a message: ResolvingCall → RetryingCall
 * (its committed attempt) → LoadBalancingCall → Http2SubchannelCall's decoder.
 */
export function responseCutShort(call: unknown): CutShort | undefined {
  const attempt = committedAttempt(field(call, "child"));
  return cutShort(field(field(attempt, "child"), "decoder"));
}

/** The call attempt whose response counts: the committed one of a RetryingCall (or the call itself with retries off). */
function committedAttempt(call: unknown): unknown {
  const attempts = field(call, "underlyingCalls");
  if (!Array.isArray(attempts)) return call;
  const index = field(call, "committedCallIndex");
  return field(typeof index === "number" ? attempts[index] : attempts.at(-1), "call");
}

/** The part of a node:http2 ClientHttp2Stream the stranded-stream guard reads. */
export interface ClientHttp2StreamLike extends Duplex {
  readonly closed: boolean;
  readonly rstCode: number | undefined;
}

/**
 * The Http2SubchannelCalls under a client call (what `grpc.Channel#createCall`
 * returned), the objects holding the node:http2 stream: ResolvingCall.child
 * is a RetryingCall (its attempts in underlyingCalls[].call) or a
 * LoadBalancingCall, whose child is the Http2SubchannelCall. Empty before the
 * call has a stream.
 */
function subchannelCallsOf(call: unknown): object[] {
  const found: object[] = [];
  collectSubchannelCalls(call, 0, found);
  return found;
}

function collectSubchannelCalls(node: unknown, depth: number, found: object[]): void {
  if (typeof node !== "object" || node === null || depth > 4) return;
  if (isClientHttp2Stream(field(node, "http2Stream"))) found.push(node);
  collectSubchannelCalls(field(node, "child"), depth + 1, found);
  const attempts = field(node, "underlyingCalls");
  if (Array.isArray(attempts)) for (const attempt of attempts) collectSubchannelCalls(field(attempt, "call"), depth + 1, found);
}

/** The node:http2 streams under a client call. */
export function http2StreamsOf(call: unknown): ClientHttp2StreamLike[] {
  return subchannelCallsOf(call).map((node) => field(node, "http2Stream") as ClientHttp2StreamLike);
}

/**
 * Whether a client call's stream was torn down with its whole HTTP/2
 * session: node:http2 then fails the stream with ERR_HTTP2_SESSION_ERROR
 * (the peer's GOAWAY carried an error code), which grpc-js keeps as the
 * call's `internalError` and reports as INTERNAL.
 */
export function endedWithSession(call: unknown): boolean {
  return subchannelCallsOf(call).some((node) => field(field(node, "internalError"), "code") === "ERR_HTTP2_SESSION_ERROR");
}

/** The grpc-js base server call under an intercepting call: the HTTP/2 stream, its request encoding and message decoder. */
export interface ServerWire {
  http2: http2.ServerHttp2Stream;
  /** The request's grpc-encoding ("identity" when it sent none). */
  encoding: string;
  /** The call given is grpc-js's base call itself (no grpc-js server interceptor between). */
  direct: boolean;
  /** grpc-js's StreamDecoder of the request stream (its state tells a message half read). */
  decoder: unknown;
}

/**
 * The wire under a grpc-js server intercepting call: through any server
 * interceptors' `nextCall`, down to the BaseServerInterceptingCall that holds
 * the HTTP/2 stream.
 */
export function serverWire(interceptingCall: unknown): ServerWire | undefined {
  let call = interceptingCall;
  for (let depth = 0; depth < 32 && call !== undefined; depth++) {
    const stream = field(call, "stream");
    const encoding = field(call, "incomingEncoding");
    if (isHttp2Stream(stream) && typeof encoding === "string") return { http2: stream, encoding, direct: depth === 0, decoder: field(call, "decoder") };
    call = field(call, "nextCall");
  }
  return undefined;
}

/**
 * The HTTP/2 sessions a grpc-js Server holds: per listening http2 server, the
 * Set in its private `http2Servers` map (with channelz off too), and the keys
 * of its `sessions` map (session → channelz info, filled with channelz on).
 * Empty when grpc-js's shape differs.
 */
export function serverSessions(server: unknown): http2.ServerHttp2Session[] {
  const found = new Set<unknown>();
  const listeners = field(server, "http2Servers");
  if (listeners instanceof Map) for (const entry of listeners.values()) for (const session of setOf(field(entry, "sessions"))) found.add(session);
  const tracked = field(server, "sessions");
  if (tracked instanceof Map) for (const session of tracked.keys()) found.add(session);
  return [...found].filter((s): s is http2.ServerHttp2Session => typeof (s as Partial<http2.ServerHttp2Session>)?.destroy === "function");
}

function setOf(value: unknown): Iterable<unknown> {
  return value instanceof Set ? value : [];
}

/**
 * The socket under a node:http2 session. `session.socket` is a proxy that
 * refuses destroy(); node keeps the socket itself under its `kSocket` symbol
 * (described "socket"). Undefined when node's shape differs.
 */
export function rawSocketOf(session: http2.Http2Session): { destroy(): void } | undefined {
  const key = Object.getOwnPropertySymbols(session).find((symbol) => symbol.description === "socket");
  const socket = key === undefined ? undefined : (session as unknown as Record<symbol, unknown>)[key];
  return typeof (socket as { destroy?: unknown } | undefined)?.destroy === "function" ? (socket as { destroy(): void }) : undefined;
}

/** Whether a grpc-js StreamDecoder (a ServerWire's `decoder`, a subchannel call's) stopped in the middle of a message. */
export function cutShort(decoder: unknown): CutShort | undefined {
  const state = decoder as Partial<DecoderState> | undefined;
  if (typeof state?.readState !== "number" || state.readState === 0) return undefined;
  const expected = state.readMessageSize ?? 0;
  return { expected, received: expected - (state.readMessageRemaining ?? expected) };
}

function isHttp2Stream(value: unknown): value is http2.ServerHttp2Stream {
  return typeof value === "object" && value !== null && typeof (value as http2.ServerHttp2Stream).respond === "function" && "session" in value;
}

function isClientHttp2Stream(value: unknown): value is ClientHttp2StreamLike {
  if (typeof value !== "object" || value === null || !("rstCode" in value) || !("closed" in value)) return false;
  const stream = value as Partial<Duplex>;
  return typeof stream.destroy === "function" && typeof stream.once === "function";
}

function field(from: unknown, name: string): unknown {
  return typeof from === "object" && from !== null ? (from as Record<string, unknown>)[name] : undefined;
}
