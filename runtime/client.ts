import { resolveCallOptions, type CallOptions, type ResolvedCall } from "./call-options.js";
import type { Channel } from "./channel.js";
import { ClientStream } from "./client-stream.js";
import { Code } from "./code.js";
import { RpcError } from "./errors.js";
import type { Metadata } from "./metadata.js";
import { Receiver } from "./receiver.js";
import { Sender } from "./sender.js";
import type { Codec, MethodDefinition } from "./service.js";

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

/** A call's members without its type-only identity: what the runtime builds before it types the object as a call. */
type CallMembers<C extends StreamingCall> = Pick<C, keyof C>;

/**
 * CallInvoker starts RPCs on a Channel with a client's default options.
 * Generated clients hold one and delegate every method to it.
 * It is used in generated code.
 */
export class CallInvoker {
  readonly #channel: Channel;
  readonly #defaults: CallOptions | undefined;

  constructor(channel: Channel, defaults?: CallOptions) {
    this.#channel = channel;
    this.#defaults = defaults;
  }

  unary<Req, Res>(method: MethodDefinition<Req, Res, "unary">, request: Req, options?: CallOptions): Promise<Res> {
    let stream: ClientStream;
    try {
      stream = this.#start(method, resolveCallOptions(this.#defaults, options), "single", false, request);
    } catch (err) {
      return Promise.reject(err);
    }
    return singleResponse(stream, method.responseCodec);
  }

  serverStreaming<Req, Res>(method: MethodDefinition<Req, Res, "server_streaming">, request: Req, options?: CallOptions): ServerStreamingCall<Res> {
    const stream = this.#start(method, resolveCallOptions(this.#defaults, options), "stream", true, request);
    return { ...lifecycle(stream), receiver: new Receiver(method.responseCodec, stream, true) } satisfies CallMembers<ServerStreamingCall<Res>> as ServerStreamingCall<Res>;
  }

  clientStreaming<Req, Res>(method: MethodDefinition<Req, Res, "client_streaming">, options?: CallOptions): ClientStreamingCall<Req, Res> {
    const stream = this.#start(method, resolveCallOptions(this.#defaults, options), "single", true);
    const response = singleResponse(stream, method.responseCodec);
    // The caller may never await the response: its rejection must not become an unhandled one.
    response.catch(() => {});
    return { ...lifecycle(stream), sender: new Sender(method.requestCodec, stream), response } satisfies CallMembers<ClientStreamingCall<Req, Res>> as ClientStreamingCall<Req, Res>;
  }

  bidiStreaming<Req, Res>(method: MethodDefinition<Req, Res, "bidi_streaming">, options?: CallOptions): BidiStreamingCall<Req, Res> {
    const stream = this.#start(method, resolveCallOptions(this.#defaults, options), "stream", true);
    return {
      ...lifecycle(stream),
      sender: new Sender(method.requestCodec, stream),
      receiver: new Receiver(method.responseCodec, stream, true),
    } satisfies CallMembers<BidiStreamingCall<Req, Res>> as BidiStreamingCall<Req, Res>;
  }

  /**
   * Starts one RPC; with `request`, sends it as the only request and
   * half-closes. A request that fails to encode never reaches the wire: the
   * call ends at once with INTERNAL, reported through the call's own promises
   * like every other failure.
   */
  #start<Req>(method: { readonly path: string; readonly requestCodec: Codec<Req> }, call: ResolvedCall, responses: "stream" | "single", exposed: boolean, ...request: [Req] | []): ClientStream {
    let frame: Buffer | undefined;
    if (request.length === 1) {
      try {
        frame = encodeRequest(method, request[0]);
      } catch (err) {
        return ClientStream.failed(err as RpcError, call, responses);
      }
    }
    const stream = new ClientStream(this.#channel.grpcChannel, method.path, call, responses, exposed, this.#channel.openCalls);
    if (frame !== undefined) stream.sendOnly(frame);
    return stream;
  }
}

/** The one response of a unary or client-streaming call, once its status came. */
async function singleResponse<Res>(stream: ClientStream, codec: Codec<Res>): Promise<Res> {
  const outcome = await stream.done;
  if (outcome instanceof RpcError) throw outcome;
  const frame = stream.read();
  if (frame === null) throw new RpcError(Code.INTERNAL, "cardinality violation: the server sent no response message");
  try {
    return codec.decode(frame);
  } catch (cause) {
    throw new RpcError(Code.INTERNAL, `failed to decode the response: ${String(cause)}`, undefined, { cause });
  }
}

function lifecycle(stream: ClientStream): CallMembers<StreamingCall> {
  return {
    headers: stream.headers,
    trailers: stream.trailers,
    cancel: (reason?: unknown) => stream.cancel(reason),
    [Symbol.asyncDispose]: () => stream.dispose(),
  };
}

function encodeRequest<Req>(method: { readonly path: string; readonly requestCodec: Codec<Req> }, request: Req): Buffer {
  let bytes: Uint8Array;
  try {
    bytes = method.requestCodec.encode(request).finish();
  } catch (cause) {
    throw new RpcError(Code.INTERNAL, `${method.path}: failed to encode the request: ${String(cause)}`, undefined, { cause });
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
