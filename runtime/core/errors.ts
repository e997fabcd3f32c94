import { Code } from "./code.js";
import { Metadata } from "./metadata.js";

/**
 * RpcError is a finished RPC's non-OK status: `code`, `details` and the
 * trailers in `metadata`. Server handlers throw it to send a status.
 */
export class RpcError extends Error {
  override name = "RpcError";
  readonly code: Code;
  readonly details: string;
  readonly metadata: Metadata;

  constructor(code: Code, details: string, metadata?: Metadata, options?: { cause?: unknown }) {
    super(`${Code[code] ?? code}: ${details}`, options);
    this.code = code;
    this.details = details;
    this.metadata = metadata ?? new Metadata();
  }
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
