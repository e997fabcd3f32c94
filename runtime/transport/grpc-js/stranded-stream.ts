// A guard against an HTTP/2 stream that node:http2 leaves "closed but never closed".
//
// When the server resets a stream with RST_STREAM(NO_ERROR) while request data is still queued
// beyond the server's flow-control window (a server that answers before reading the body, or a
// proxy that resets), node:http2 (20.x) marks the stream closed and ends its readable side but
// never destroys it: the queued writes can never flush, so 'close' never comes. grpc-js decides a
// call's status in 'close', so the call would hang until its deadline, or forever.
//
// grpc-js offers no public hook for the stream under a call (its listener reports headers,
// messages and status only, and node 20 has no http2 diagnostics channels), so this reaches it
// through grpc-js's call objects, duck-typed (internals.ts): a grpc-js whose shape differs yields
// no streams and the guard does nothing (test/integration/reset-after-headers.test.ts fails
// first). Once the readable side has ended on a closed stream that is not destroyed, nothing can move it on; destroying it lets node emit 'close' and grpc-js end the call
// the way it ends any stream reset without a status: INTERNAL, as gRPC-Go maps RST_STREAM(NO_ERROR).
import type { ClientHttp2StreamLike } from "./internals.js";

/** Marks a stream already guarded (a property, not a WeakSet: this runs for every call). */
const guarded = Symbol("safestub.strandedStreamGuard");
type GuardedStream = ClientHttp2StreamLike & { [guarded]?: true };

/**
 * Watches a stream under a call (once the call has response headers, when its stream surely
 * exists; internals.ts finds it): a stream whose readable side ended while it is closed but not
 * destroyed is destroyed, so that its call ends. Streams node:http2 tears down itself are never touched.
 */
export function guardStrandedStream(stream: GuardedStream): void {
  if (stream[guarded]) return;
  stream[guarded] = true;
  if (stream.readableEnded) checkAfterEnd.call(stream);
  else stream.on("end", checkAfterEnd);
}

/**
 * node:http2 destroys a finished stream in the same 'end' it emits; one turn later, a closed stream
 * still standing is stranded. Only a stream with request data still queued, or still open for
 * writing, can be stranded: a finished unary call has neither, and costs no extra turn.
 */
function checkAfterEnd(this: ClientHttp2StreamLike): void {
  if (this.writableLength === 0 && this.writableEnded) return;
  setImmediate(destroyIfStranded, this);
}

function destroyIfStranded(stream: ClientHttp2StreamLike): void {
  if (stream.closed && !stream.destroyed) stream.destroy();
}
