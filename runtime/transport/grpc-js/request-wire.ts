import { FLAGS_KEPT, FrameScanner } from "./frame-scanner.js";
import { cutShort, type ServerWire } from "./internals.js";

/** A request stream grpc-js would let through but that must fail the call (INTERNAL). */
export interface RequestFault {
  details: string;
  /** How many whole messages came before the fault: the handler may still read those. */
  wholeBefore: number;
}

/**
 * What the wire of one grpc-js server call's request stream tells beyond
 * its messages, and what grpc-js accepts that gRPC-Go fails with INTERNAL:
 * a message cut short by END_STREAM (grpc-js drops it and reports a clean
 * half-close) and the compressed flag while grpc-encoding is identity or
 * absent (grpc-js reads the bytes as uncompressed). The call tells it each
 * message grpc-js delivers (`received`) and the half-close (`halfClosed`),
 * and fails with the fault either returns.
 *
 * Most requests are identity-encoded: their flags are read from the
 * 5-byte prefix grpc-js leaves in front of the message it delivers, and a
 * cut-short message from grpc-js's decoder at the half-close, so such a call
 * adds no listener to its HTTP/2 stream (a 'data' listener of its own cost
 * about 8% of h2load's unary throughput). A compressed request's messages
 * are scanned on the stream (FrameScanner): there a message's flag says
 * nothing about the bytes grpc-js hands on.
 */
export class RequestWire {
  /** The request's grpc-encoding ("identity" when it sent none). */
  readonly encoding: string;
  /** grpc-js's decoder of the request stream (not the whole wire: a call keeps this object as long as it runs). */
  readonly #decoder: unknown;
  /** Messages grpc-js delivered so far. */
  #received = 0;
  /** A compressed request's messages as they came on the wire (their flags). */
  readonly #scanner: FrameScanner | undefined;

  constructor(wire: ServerWire) {
    this.#decoder = wire.decoder;
    this.encoding = wire.encoding;
    if (wire.encoding !== "identity") {
      const scanner = (this.#scanner = new FrameScanner());
      wire.http2.on("data", (chunk: Buffer) => scanner.push(chunk));
    }
  }

  /**
   * Whether request message `index` (0-based) came with the compressed flag
   * set; undefined before it arrived and for one more than FLAGS_KEPT back.
   * An identity request that carried the flag failed at that message.
   */
  compressed(index: number): boolean | undefined {
    if (this.#scanner) return this.#scanner.compressed(index);
    if (!Number.isInteger(index) || index < 0 || index >= this.#received || index < this.#received - FLAGS_KEPT) return undefined;
    return false;
  }

  /** grpc-js delivered `message` (what follows the prefix): its fault, if it has one. */
  received(message: Buffer): RequestFault | undefined {
    const index = this.#received++;
    if (this.#scanner || prefixFlag(message) !== 1) return undefined;
    return { details: "a request message has the compressed flag set but no grpc-encoding", wholeBefore: index };
  }

  /** grpc-js reported the half-close: a message the stream stopped in, if it did. */
  halfClosed(): RequestFault | undefined {
    const cut = cutShort(this.#decoder);
    if (!cut) return undefined;
    return { details: `the last request message was cut short by the end of the stream (${cut.received} of ${cut.expected} bytes)`, wholeBefore: this.#received };
  }
}

/**
 * The compressed flag of the 5-byte prefix in front of `message`, where
 * grpc-js's decoder put it: it frames each message as one buffer and hands
 * on the part after the prefix (identity encoding). Undefined when the bytes
 * in front are not this message's prefix (its length does not match).
 */
function prefixFlag(message: Buffer): number | undefined {
  const at = message.byteOffset - 5;
  if (at < 0) return undefined;
  const prefix = new Uint8Array(message.buffer, at, 5);
  const length = prefix[1]! * 2 ** 24 + ((prefix[2]! << 16) | (prefix[3]! << 8) | prefix[4]!);
  return length === message.byteLength && prefix[0]! <= 1 ? prefix[0] : undefined;
}
