import { resolveCallOptions, type CallOptions, type ResolvedCall } from "../core/call-options.js";
import { type Codec, decodeMessage, encodeMessage } from "../core/codec.js";
import { Code } from "../core/code.js";
import { RpcError } from "../core/errors.js";
import type { MethodDefinition } from "../core/method.js";
import { Receiver } from "../stream/receiver.js";
import { Sender } from "../stream/sender.js";
import type { BidiStreamingCall, ClientStreamingCall, ServerStreamingCall, StreamingCall } from "./calls.js";
import type { Channel } from "./channel.js";
import { ClientStream } from "./client-call.js";

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
        frame = encodeMessage(method.requestCodec, request[0], "the request", false, method.path);
      } catch (err) {
        return ClientStream.failed(err as RpcError, call, responses);
      }
    }
    const stream = this.#channel.startCall(method.path, call, responses, exposed);
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
  return decodeMessage(codec, frame, "the response");
}

function lifecycle(stream: ClientStream): CallMembers<StreamingCall> {
  return {
    headers: stream.headers,
    trailers: stream.trailers,
    cancel: (reason?: unknown) => stream.cancel(reason),
    [Symbol.asyncDispose]: () => stream.dispose(),
  };
}
