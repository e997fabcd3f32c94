import type { ClientInterceptor } from "./interceptor.js";
import { Metadata, type MetadataInit } from "./metadata.js";

/**
 * How request messages are compressed on the wire: "gzip", or "identity"
 * (not at all). Responses are compressed as the server chooses.
 */
export type Compression = "gzip" | "identity";

const compressions: readonly string[] = ["gzip", "identity"] satisfies Compression[];

/** Throws TypeError unless `value` is a Compression (or undefined); `what` names the option. */
export function checkCompression(value: unknown, what: string): Compression | undefined {
  if (value === undefined || compressions.includes(value as string)) return value as Compression | undefined;
  throw new TypeError(`${what} must be "gzip" or "identity", got ${JSON.stringify(value)}`);
}

/** CallOptions apply to one call; a client's defaults apply to all of its calls. */
export interface CallOptions {
  /** Aborting it cancels the RPC (status CANCELLED). */
  signal?: AbortSignal | undefined;
  /** Time the RPC may take, in milliseconds; past it the RPC ends with DEADLINE_EXCEEDED. */
  timeoutMs?: number | undefined;
  /** Point in time by which the RPC must end (DEADLINE_EXCEEDED); the earlier of this and timeoutMs wins. */
  deadline?: Date | undefined;
  /** Request headers. Keys ending in `-bin` carry Uint8Array values. */
  metadata?: MetadataInit | undefined;
  /** Called with the response headers (as gRPC-Go's `grpc.Header` call option). Handy for unary calls. */
  onHeaders?: ((headers: Metadata) => void) | undefined;
  /** Called with the trailers once the RPC ended, whatever its status (as `grpc.Trailer`). */
  onTrailers?: ((trailers: Metadata) => void) | undefined;
  /**
   * Client interceptors, the first outermost. A client's defaults and a call's
   * own add to the Channel's (which run outside them); see ClientInterceptor.
   */
  interceptors?: readonly ClientInterceptor[] | undefined;
  /**
   * Compresses this call's request messages ("gzip") or not ("identity"),
   * over the channel's default (`ChannelOptions.compression`). A wire
   * concern: the in-memory transport passes messages uncompressed whatever
   * is asked. A message sent with `{ noCompression: true }` goes
   * uncompressed in a gzip call.
   */
  compression?: Compression | undefined;
}

/** The options of one call after merging the client defaults, in transport-neutral terms. */
export interface ResolvedCall {
  /** Request headers; undefined when there are none (most calls). */
  readonly metadata: Metadata | undefined;
  /** The deadline in ms since the epoch, if any. */
  readonly deadline: number | undefined;
  readonly signal: AbortSignal | undefined;
  readonly onHeaders: ((headers: Metadata) => void) | undefined;
  readonly onTrailers: ((trailers: Metadata) => void) | undefined;
  /** How to compress the requests; undefined: as the channel does by default. */
  readonly compression: Compression | undefined;
}

/** Merges per-call options over client defaults. Throws TypeError on an invalid option. */
export function resolveCallOptions(defaults: CallOptions | undefined, options: CallOptions | undefined): ResolvedCall {
  const deadline = earliest(deadlineOf(defaults), deadlineOf(options));
  const signal = defaults?.signal && options?.signal ? AbortSignal.any([defaults.signal, options.signal]) : (options?.signal ?? defaults?.signal);
  return {
    metadata: mergeMetadata(defaults?.metadata, options?.metadata),
    deadline,
    signal,
    onHeaders: options?.onHeaders ?? defaults?.onHeaders,
    onTrailers: options?.onTrailers ?? defaults?.onTrailers,
    compression: checkCompression(options?.compression, "compression") ?? checkCompression(defaults?.compression, "compression"),
  };
}

/** Per-call keys replace default keys; undefined when neither has any (most calls). */
function mergeMetadata(defaults: MetadataInit | undefined, own: MetadataInit | undefined): Metadata | undefined {
  if (defaults === undefined && own === undefined) return undefined;
  const metadata = new Metadata(defaults);
  if (own !== undefined) {
    const replacing = new Metadata(own);
    for (const key of replacing.keys()) metadata.delete(key);
    for (const [key, value] of replacing) metadata.append(key, value);
  }
  return metadata;
}

function deadlineOf(options: CallOptions | undefined): number | undefined {
  if (!options) return undefined;
  let out: number | undefined;
  if (options.timeoutMs !== undefined) {
    if (typeof options.timeoutMs !== "number" || !(options.timeoutMs >= 0)) {
      throw new TypeError(`timeoutMs must be a number >= 0, got ${String(options.timeoutMs)}`);
    }
    out = Date.now() + options.timeoutMs;
  }
  if (options.deadline !== undefined) {
    const at = options.deadline instanceof Date ? options.deadline.getTime() : NaN;
    if (Number.isNaN(at)) throw new TypeError("deadline must be a valid Date");
    out = earliest(out, at);
  }
  return out;
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
