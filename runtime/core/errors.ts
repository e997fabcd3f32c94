import { Code } from "./code.js";
import { Metadata } from "./metadata.js";
import { decodeDetails, decodeStatus, encodeDetails, statusWithDetails, type StatusDetail, type StatusDetailInit, type StatusDetailKind } from "./status-details.js";

// Set by RpcError's static block: the runtime's own access to its private status bytes.
let receivedStatus: (err: RpcError, bytes: Uint8Array | undefined) => void;
let statusToSend: (err: RpcError) => Uint8Array | undefined;

/** What RpcError takes beside code, message and trailers. */
export interface RpcErrorOptions {
  cause?: unknown;
  /**
   * Rich error details: a server sends them as a google.rpc.Status in the
   * `grpc-status-details-bin` trailer. A malformed detail is a TypeError here.
   */
  statusDetails?: readonly StatusDetailInit[];
}

/**
 * RpcError is a finished RPC's non-OK status: `code`, `details` (the status
 * message), the trailers in `metadata`, and the rich error details of
 * `grpc-status-details-bin` in `statusDetails`. Server handlers throw it to
 * send a status.
 */
export class RpcError extends Error {
  override name = "RpcError";
  readonly code: Code;
  readonly details: string;
  readonly metadata: Metadata;
  /** The details as google.rpc.Status field 3 (constructed), or a received google.rpc.Status (from the wire). */
  #source: { own: Uint8Array } | { received: Uint8Array } | undefined;
  #decoded: readonly StatusDetail[] | undefined;

  constructor(code: Code, details: string, options?: RpcErrorOptions);
  constructor(code: Code, details: string, metadata?: Metadata, options?: RpcErrorOptions);
  constructor(code: Code, details: string, metadataOrOptions?: Metadata | RpcErrorOptions, options?: RpcErrorOptions) {
    const metadata = metadataOrOptions instanceof Metadata ? metadataOrOptions : undefined;
    const opts = metadataOrOptions instanceof Metadata || metadataOrOptions === undefined ? options : metadataOrOptions;
    super(`${Code[code] ?? code}: ${details}`, opts && "cause" in opts ? { cause: opts.cause } : undefined);
    this.code = code;
    this.details = details;
    this.metadata = metadata ?? new Metadata();
    if (opts?.statusDetails?.length) this.#source = { own: encodeDetails(opts.statusDetails) };
  }

  /**
   * The rich error details (google.rpc.Status.details), decoded on first
   * access: standard google.rpc types by `kind`, any other as raw Any. A
   * malformed grpc-status-details-bin, or one whose code is not this
   * error's, gives none.
   */
  get statusDetails(): readonly StatusDetail[] {
    if (this.#decoded === undefined) {
      const source = this.#source;
      if (source === undefined) this.#decoded = [];
      else if ("own" in source) this.#decoded = decodeDetails(source.own);
      else {
        const status = decodeStatus(source.received);
        this.#decoded = status && status.code === this.code ? status.details : [];
      }
      Object.freeze(this.#decoded);
    }
    return this.#decoded;
  }

  /** The first detail of `kind` (e.g. "BadRequest"), or undefined. */
  statusDetail<K extends StatusDetailKind>(kind: K): Extract<StatusDetail, { kind: K }> | undefined {
    return this.statusDetails.find((d): d is Extract<StatusDetail, { kind: K }> => d.kind === kind);
  }

  static {
    receivedStatus = (err, bytes) => (err.#source = bytes && bytes.length > 0 ? { received: bytes } : undefined);
    statusToSend = (err) => {
      const details = err.#source === undefined ? undefined : "own" in err.#source ? err.#source.own : encodeDetails(err.statusDetails);
      return details?.length ? statusWithDetails(err.code, err.details, details) : undefined;
    };
  }
}

/** @internal A client's RpcError with the grpc-status-details-bin it received (decoded lazily). */
export function withReceivedStatus(err: RpcError, statusDetailsBin: Uint8Array | undefined): RpcError {
  receivedStatus(err, statusDetailsBin);
  return err;
}

/**
 * @internal What a server sends as grpc-status-details-bin for `err`: a
 * google.rpc.Status with err's code and message (they must agree with
 * grpc-status and grpc-message), or undefined when it has no details.
 */
export function statusDetailsBin(err: RpcError): Uint8Array | undefined {
  return statusToSend(err);
}

/** StreamUsageError is the base of every refusal of a misused stream handle. */
export class StreamUsageError extends Error {
  override name = "StreamUsageError";
}

/** A second send/sendAll/close while one is still pending on the same Sender. */
export class ConcurrentSendError extends StreamUsageError {
  override name = "ConcurrentSendError";
  constructor(operation: string) {
    super(
      `${operation}() refused: another send, sendAll or close is still pending on this Sender. ` +
        "Await each send before the next one, or pass all messages to sendAll().",
    );
  }
}

/** A send/sendAll/close after close() was called on the Sender. */
export class SendAfterCloseError extends StreamUsageError {
  override name = "SendAfterCloseError";
  constructor(operation: string) {
    super(`${operation}() refused: this Sender was already closed.`);
  }
}

/** A second recv() or iteration while one is still active on the same Receiver. */
export class ConcurrentRecvError extends StreamUsageError {
  override name = "ConcurrentRecvError";
  constructor(operation: string) {
    super(
      `${operation} refused: another recv() or for-await loop is still active on this Receiver. ` +
        "A Receiver has a single consumer: await each recv(), or iterate it in one loop.",
    );
  }
}

/** The RPC already ended with status OK, so the stream takes no more messages. */
export class StreamEndedError extends StreamUsageError {
  override name = "StreamEndedError";
  constructor(operation: string) {
    super(`${operation}() refused: the RPC already ended with status OK.`);
  }
}
