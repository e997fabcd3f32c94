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
  return wire ? new RequestWatch(wire, onFault) : undefined;
}

/** The watch itself: one object and two listeners per call, the scanner's state inline (this runs for every call). */
class RequestWatch implements RequestWire {
  readonly encoding: string;
  readonly #scanner = new FrameScanner();
  readonly #wire: ServerWire;
  #onFault: ((fault: RequestFault) => void) | undefined;

  constructor(wire: ServerWire, onFault: (fault: RequestFault) => void) {
    this.encoding = wire.encoding;
    this.#wire = wire;
    this.#onFault = onFault;
    wire.http2.on("data", this.#onData);
    wire.http2.on("end", this.#onEnd);
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

  // 'end' comes once: no once() wrapper.
  readonly #onEnd = (): void => {
    const cut = this.#scanner.cutShort();
    if (cut) this.#fault({ details: `the last request message was cut short by the end of the stream (${cut.received} of ${cut.expected} bytes)`, wholeBefore: this.#scanner.complete });
  };

  #fault(found: RequestFault): void {
    const onFault = this.#onFault;
    if (!onFault) return;
    this.#onFault = undefined;
    this.#wire.http2.off("data", this.#onData);
    onFault(found);
  }
}
