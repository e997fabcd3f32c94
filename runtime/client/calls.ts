import type { Metadata } from "../core/metadata.js";
import type { Receiver } from "../stream/receiver.js";
import type { Sender } from "../stream/sender.js";

/**
 * CallIdentity exists only in types: its private member makes the call
 * interfaces below nominal. An object built by hand or by spreading a call
 * (`{ ...callA, receiver: callB.receiver }`) lacks it, so a helper that takes
 * a call object always gets one whose Sender and Receiver belong to the same
 * RPC. There is no such class at run time; do not import it as a value.
 */
export declare class CallIdentity {
  #call: never;
}

/** What every streaming call has, whatever its shape. */
export interface StreamingCall extends CallIdentity {
  /** Response headers; empty metadata when the call ended without any. Never rejects. */
  readonly headers: Promise<Metadata>;
  /** Trailers, once the call ended, whatever its status. Never rejects. */
  readonly trailers: Promise<Metadata>;
  /** Ends the RPC with status CANCELLED; a no-op once it ended. */
  cancel(reason?: unknown): void;
  /** Cancels the RPC unless it already ended, and waits for its end (`await using call = ...`). */
  [Symbol.asyncDispose](): Promise<void>;
}

/** A server-streaming call: the responses arrive on `receiver`. */
export interface ServerStreamingCall<Res> extends StreamingCall {
  readonly receiver: Receiver<Res>;
}

/** A client-streaming call: requests go out on `sender`, the one response arrives as `response`. */
export interface ClientStreamingCall<Req, Res> extends StreamingCall {
  readonly sender: Sender<Req>;
  readonly response: Promise<Res>;
}

/** A bidi-streaming call: requests go out on `sender` while responses arrive on `receiver`. */
export interface BidiStreamingCall<Req, Res> extends StreamingCall {
  readonly sender: Sender<Req>;
  readonly receiver: Receiver<Res>;
}
