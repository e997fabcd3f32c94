import { FrameScanner } from "./frame-scanner.js";
import type { ServerWire } from "./internals.js";

/** A request stream grpc-js would let through but that must fail the call (INTERNAL). */
export interface RequestFault {
  details: string;
  /** How many whole messages came before the fault: the handler may still read those. */
  wholeBefore: number;
}

/** What the wire of a request stream tells beyond its messages. */
export interface RequestWire {
  /** The request's grpc-encoding ("identity" when it sent none). */
  readonly encoding: string;
  /** Whether request message `index` came with the compressed flag set (FrameScanner.compressed). */
  compressed(index: number): boolean | undefined;
}

/**
 * Watches the request messages of a grpc-js server call on its HTTP/2 stream,
 * for what grpc-js accepts: a message cut short by END_STREAM (it drops it and
 * reports a clean half-close) and the compressed flag while grpc-encoding is
 * identity or absent (it reads the bytes as uncompressed). gRPC-Go fails both
 * with INTERNAL. `onFault` runs at most once, before grpc-js delivers the
 * offending message or the half-close. Returns what it reads of the wire;
 * does nothing and returns undefined without the wire (grpc-js's shape
 * differs, see internals.ts).
 */
export function watchRequestWire(wire: ServerWire | undefined, onFault: (fault: RequestFault) => void): RequestWire | undefined {
  if (!wire) return undefined;
  const scanner = new FrameScanner();
  const flagMeansCompressed = wire.encoding !== "identity";
  let faulted = false;
  const fault = (found: RequestFault) => {
    if (faulted) return;
    faulted = true;
    wire.http2.off("data", onData);
    onFault(found);
  };
  const onData = (chunk: Buffer) => {
    scanner.push(chunk);
    if (scanner.firstCompressed === undefined || flagMeansCompressed) return;
    fault({ details: "a request message has the compressed flag set but no grpc-encoding", wholeBefore: scanner.firstCompressed });
  };
  wire.http2.on("data", onData);
  // Before grpc-js's own 'end' listener, which may report the half-close to the call at once.
  wire.http2.prependOnceListener("end", () => {
    const cut = scanner.cutShort();
    if (cut) fault({ details: `the last request message was cut short by the end of the stream (${cut.received} of ${cut.expected} bytes)`, wholeBefore: scanner.complete });
  });
  return { encoding: wire.encoding, compressed: (index) => scanner.compressed(index) };
}
