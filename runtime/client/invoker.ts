import { resolveCallOptions, type CallOptions, type ResolvedCall } from "../core/call-options.js";
import { type Codec, decodeMessage, encodeMessage } from "../core/codec.js";
import { Code } from "../core/code.js";
import { RpcError } from "../core/errors.js";
import { chainClientInterceptors, interceptorFailure, type ClientInterceptor, type ClientNext } from "../core/interceptor.js";
import { Metadata } from "../core/metadata.js";
import type { AnyMethodDefinition, MethodDefinition } from "../core/method.js";
import { OneMessage, onlyMessage } from "../stream/message-ports.js";
import { Receiver } from "../stream/receiver.js";
import { Sender } from "../stream/sender.js";
import type { BidiStreamingCall, ClientStreamingCall, ServerStreamingCall, StreamingCall } from "./calls.js";
import type { Channel } from "./channel.js";
import { ClientStream } from "./client-call.js";
import { InterceptedStream, transportNext } from "./intercepted-call.js";

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
  /** The Channel's interceptors, then the client's: empty for most clients, which then pay nothing. */
  readonly #interceptors: readonly ClientInterceptor[];

  constructor(channel: Channel, defaults?: CallOptions) {
    this.#channel = channel;
    this.#defaults = defaults;
    this.#interceptors = [...channel.interceptors, ...(defaults?.interceptors ?? [])];
  }

  // Each method sends `ReqInput` and receives `Res` (see MethodDefinition); `Req` and `ResInput` are the server's half.
  unary<Req, Res, ReqInput, ResInput>(method: MethodDefinition<Req, Res, "unary", ReqInput, ResInput>, request: ReqInput, options?: CallOptions): Promise<Res> {
    const interceptors = this.#interceptorsFor(options);
    if (interceptors.length > 0) return this.#interceptedUnary(method, request, options, interceptors);
    let stream: ClientStream;
    try {
      stream = this.#start(method, resolveCallOptions(this.#defaults, options), "single", false, request);
    } catch (err) {
      return Promise.reject(err);
    }
    return singleResponse(stream, method.responseCodec);
  }

  serverStreaming<Req, Res, ReqInput, ResInput>(method: MethodDefinition<Req, Res, "server_streaming", ReqInput, ResInput>, request: ReqInput, options?: CallOptions): ServerStreamingCall<Res> {
    const interceptors = this.#interceptorsFor(options);
    if (interceptors.length > 0) {
      const stream = this.#interceptedStream(method, options, interceptors);
      // The one request goes in at once; the call half-closes after it.
      stream.write(request);
      stream.end();
      return { ...lifecycle(stream), receiver: new Receiver<Res>(null, stream, true) } satisfies CallMembers<ServerStreamingCall<Res>> as ServerStreamingCall<Res>;
    }
    const stream = this.#start(method, resolveCallOptions(this.#defaults, options), "stream", true, request);
    return { ...lifecycle(stream), receiver: new Receiver(method.responseCodec, stream, true) } satisfies CallMembers<ServerStreamingCall<Res>> as ServerStreamingCall<Res>;
  }

  clientStreaming<Req, Res, ReqInput, ResInput>(method: MethodDefinition<Req, Res, "client_streaming", ReqInput, ResInput>, options?: CallOptions): ClientStreamingCall<ReqInput, Res> {
    const interceptors = this.#interceptorsFor(options);
    if (interceptors.length > 0) {
      const stream = this.#interceptedStream(method, options, interceptors);
      const response = singleOf(new Receiver<Res>(null, stream, false));
      response.catch(() => {});
      return { ...lifecycle(stream), sender: new Sender<ReqInput>(null, stream), response } satisfies CallMembers<ClientStreamingCall<ReqInput, Res>> as ClientStreamingCall<ReqInput, Res>;
    }
    const stream = this.#start(method, resolveCallOptions(this.#defaults, options), "single", true);
    const response = singleResponse(stream, method.responseCodec);
    // The caller may never await the response: its rejection must not become an unhandled one.
    response.catch(() => {});
    return { ...lifecycle(stream), sender: new Sender(method.requestCodec, stream), response } satisfies CallMembers<ClientStreamingCall<ReqInput, Res>> as ClientStreamingCall<ReqInput, Res>;
  }

  bidiStreaming<Req, Res, ReqInput, ResInput>(method: MethodDefinition<Req, Res, "bidi_streaming", ReqInput, ResInput>, options?: CallOptions): BidiStreamingCall<ReqInput, Res> {
    const interceptors = this.#interceptorsFor(options);
    if (interceptors.length > 0) {
      const stream = this.#interceptedStream(method, options, interceptors);
      return {
        ...lifecycle(stream),
        sender: new Sender<ReqInput>(null, stream),
        receiver: new Receiver<Res>(null, stream, true),
      } satisfies CallMembers<BidiStreamingCall<ReqInput, Res>> as BidiStreamingCall<ReqInput, Res>;
    }
    const stream = this.#start(method, resolveCallOptions(this.#defaults, options), "stream", true);
    return {
      ...lifecycle(stream),
      sender: new Sender(method.requestCodec, stream),
      receiver: new Receiver(method.responseCodec, stream, true),
    } satisfies CallMembers<BidiStreamingCall<ReqInput, Res>> as BidiStreamingCall<ReqInput, Res>;
  }

  #interceptorsFor(options: CallOptions | undefined): readonly ClientInterceptor[] {
    const own = options?.interceptors;
    return own === undefined || own.length === 0 ? this.#interceptors : [...this.#interceptors, ...own];
  }

  #chain(resolved: ResolvedCall, interceptors: readonly ClientInterceptor[]): ClientNext {
    return chainClientInterceptors(interceptors, transportNext(this.#channel, resolved));
  }

  /** A streaming call through interceptors: the caller's handles sit on an InterceptedStream. */
  #interceptedStream(method: AnyMethodDefinition, options: CallOptions | undefined, interceptors: readonly ClientInterceptor[]): InterceptedStream {
    const resolved = resolveCallOptions(this.#defaults, options);
    return new InterceptedStream(this.#channel, this.#chain(resolved, interceptors), method, resolved);
  }

  /**
   * A unary call through interceptors: its one request can be sent again (a
   * retrying interceptor calls next twice). The caller's promise settles when
   * the chain does, or at once when the caller (its signal) or channel.close()
   * ends the call, whatever an interceptor still awaits.
   */
  async #interceptedUnary<Req, Res, ReqInput, ResInput>(method: MethodDefinition<Req, Res, "unary", ReqInput, ResInput>, request: ReqInput, options: CallOptions | undefined, interceptors: readonly ClientInterceptor[]): Promise<Res> {
    const resolved = resolveCallOptions(this.#defaults, options);
    let endWith!: (error: RpcError) => void;
    const ended = new Promise<never>((_, reject) => (endWith = reject));
    ended.catch(() => {});
    const onAbort = () => endWith(new RpcError(Code.CANCELLED, "Cancelled on client", undefined, resolved.signal?.reason === undefined ? undefined : { cause: resolved.signal.reason }));
    if (resolved.signal?.aborted) onAbort();
    else resolved.signal?.addEventListener("abort", onAbort, { once: true });
    const untrack = this.#channel.track({ endWith: (error: RpcError) => endWith(error) });
    const run = async (): Promise<Res> => {
      // The caller's signal as it is (a per-call AbortController, and its abort() at the end, cost more
      // than the rest of the chain); a call the Channel closes fails through `ended`, its transport
      // call through the Channel itself.
      const signal = resolved.signal ?? NEVER_ABORTED;
      const response = await this.#chain(resolved, interceptors)({ method, target: this.#channel.address, metadata: resolved.metadata ?? new Metadata(), deadline: resolved.deadline, signal, messages: new OneMessage(request) });
      const reply = await onlyMessage(response.messages, "cardinality violation: the server sent no response message", "cardinality violation: the server sent more than one response message");
      return reply as Res;
    };
    try {
      return await Promise.race([run(), ended]);
    } catch (err) {
      throw interceptorFailure(err);
    } finally {
      untrack();
      resolved.signal?.removeEventListener("abort", onAbort);
    }
  }

  /**
   * Starts one RPC; with `request`, sends it as the only request and
   * half-closes. A request that fails to encode never reaches the wire: the
   * call ends at once with INTERNAL, reported through the call's own promises
   * like every other failure.
   */
  #start<ReqInput>(method: { readonly path: string; readonly requestCodec: Codec<unknown, ReqInput> }, call: ResolvedCall, responses: "stream" | "single", exposed: boolean, ...request: [ReqInput] | []): ClientStream {
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
async function singleResponse<Res>(stream: ClientStream, codec: Codec<Res, never>): Promise<Res> {
  const outcome = await stream.done;
  if (outcome instanceof RpcError) throw outcome;
  const frame = stream.read();
  if (frame === null) throw new RpcError(Code.INTERNAL, "cardinality violation: the server sent no response message");
  return decodeMessage(codec, frame, "the response");
}

/** The signal of an intercepted unary call whose caller gave none. */
const NEVER_ABORTED = new AbortController().signal;

/** The one response of an intercepted client-streaming call. */
async function singleOf<Res>(receiver: Receiver<Res>): Promise<Res> {
  const first = await receiver.recv();
  if (first === undefined) throw new RpcError(Code.INTERNAL, "cardinality violation: the server sent no response message");
  if ((await receiver.recv()) !== undefined) throw new RpcError(Code.INTERNAL, "cardinality violation: the server sent more than one response message");
  return first;
}

function lifecycle(stream: ClientStream | InterceptedStream): CallMembers<StreamingCall> {
  return {
    headers: stream.headers,
    trailers: stream.trailers,
    cancel: (reason?: unknown) => stream.cancel(reason),
    [Symbol.asyncDispose]: () => stream.dispose(),
  };
}
