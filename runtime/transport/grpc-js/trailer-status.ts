// grpc-js reads grpc-status with Number(), so an empty value is 0, OK, and the header is gone from
// the trailers it reports: at the call layer "" cannot be told from "0". gRPC-Go fails a grpc-status
// it cannot parse with INTERNAL. So safestub reads the trailers off the HTTP/2 stream itself (found
// through internals.ts once response headers came) and keeps a value that is not a plain number.
// A trailers-only response (no headers first) is not seen this way; grpc-js's own checks remain.
import type { ClientHttp2StreamLike } from "./internals.js";

const malformed = Symbol("safestub.malformedGrpcStatus");
type WatchedStream = ClientHttp2StreamLike & { [malformed]?: string };

/** Watches `stream`'s trailers for a grpc-status that is not a plain number. */
export function watchTrailerStatus(stream: WatchedStream): void {
  stream.on("trailers", checkTrailers);
}

function checkTrailers(this: WatchedStream, trailers: Record<string, unknown>): void {
  const status = trailers["grpc-status"];
  if (typeof status === "string" && !/^[0-9]+$/.test(status)) this[malformed] = status;
}

/** The malformed grpc-status one of `streams` received, if any. */
export function malformedTrailerStatus(streams: readonly WatchedStream[]): string | undefined {
  for (const stream of streams) if (stream[malformed] !== undefined) return stream[malformed];
  return undefined;
}
