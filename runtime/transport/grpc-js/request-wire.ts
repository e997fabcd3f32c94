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

/** Who hears of a fault: the call, which ends INTERNAL. */
export interface RequestFaultSink {
  requestBroken(fault: RequestFault): void;
}

/**
 * Watches the request messages of a grpc-js server call on its HTTP/2 stream,
 * for what grpc-js accepts: a message cut short by END_STREAM (it drops it and
 * reports a clean half-close) and the compressed flag while grpc-encoding is
 * identity or absent (it reads the bytes as uncompressed). gRPC-Go fails both
 * with INTERNAL. `sink` hears at most one fault, before grpc-js delivers the
 * offending message or the half-close. Returns what it reads of the wire;
 * does nothing and returns undefined without the wire (grpc-js's shape
 * differs, see internals.ts).
 */
export function watchRequestWire(wire: ServerWire | undefined, sink: RequestFaultSink): RequestWire | undefined {
  return wire ? new RequestWireWatch(wire, sink) : undefined;
}

/** One call's watch: a scanner and its two listeners (an object per call, no closures beyond them). */
class RequestWireWatch implements RequestWire {
  readonly encoding: string;
  readonly #wire: ServerWire;
  readonly #sink: RequestFaultSink;
  readonly #scanner = new FrameScanner();
  #faulted = false;

  constructor(wire: ServerWire, sink: RequestFaultSink) {
    this.encoding = wire.encoding;
    this.#wire = wire;
    this.#sink = sink;
    wire.http2.on("data", this.#onData);
    // Before grpc-js's own 'end' listener, which may report the half-close to the call at once.
    wire.http2.prependListener("end", this.#onEnd);
  }

  compressed(index: number): boolean | undefined {
    return this.#scanner.compressed(index);
  }

  readonly #onData = (chunk: Buffer): void => {
    const scanner = this.#scanner;
    scanner.push(chunk);
    if (scanner.firstCompressed === undefined || this.encoding !== "identity") return;
    this.#fault({ details: "a request message has the compressed flag set but no grpc-encoding", wholeBefore: scanner.firstCompressed });
  };

  readonly #onEnd = (): void => {
    const cut = this.#scanner.cutShort();
    if (cut) this.#fault({ details: `the last request message was cut short by the end of the stream (${cut.received} of ${cut.expected} bytes)`, wholeBefore: this.#scanner.complete });
  };

  #fault(found: RequestFault): void {
    if (this.#faulted) return;
    this.#faulted = true;
    this.#wire.http2.off("data", this.#onData);
    this.#sink.requestBroken(found);
  }
}
