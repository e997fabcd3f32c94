import { resolveCallOptions, type CallOptions } from "./call-options.js";
import type { Channel } from "./channel.js";
import { ClientStream, notify, startFailure } from "./client-stream.js";
import { Code } from "./code.js";
import { RpcError } from "./errors.js";
import { fromGrpcMetadata, Metadata } from "./metadata.js";
import { Receiver } from "./receiver.js";
import { Sender } from "./sender.js";
import type { Codec, MethodDefinition } from "./service.js";
import type * as grpc from "@grpc/grpc-js";

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

const passThrough = (frame: Buffer): Buffer => frame;

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
    return new Promise<Res>((resolve, reject) => {
      const call = resolveCallOptions(this.#defaults, options);
      if (call.signal?.aborted) return reject(new RpcError(Code.CANCELLED, "call aborted before it started"));
      const frame = encodeRequest(method, request);
      let grpcCall: grpc.ClientUnaryCall;
      const onAbort = () => grpcCall.cancel();
      try {
        grpcCall = this.#channel.transport.makeUnaryRequest(method.path, passThrough, passThrough, frame, call.metadata, call.grpcOptions, (err, value) => {
          call.signal?.removeEventListener("abort", onAbort);
          if (err) return reject(fromServiceError(err));
          try {
            resolve(method.responseCodec.decode(value!));
          } catch (cause) {
            reject(new RpcError(Code.INTERNAL, `failed to decode response: ${String(cause)}`, undefined, { cause }));
          }
        });
      } catch (err) {
        return reject(startFailure(err));
      }
      if (call.onHeaders || call.onTrailers) {
        let sawHeaders = false;
        grpcCall.on("metadata", (md: grpc.Metadata) => {
          sawHeaders = true;
          notify(call.onHeaders, fromGrpcMetadata(md));
        });
        grpcCall.on("status", (s: grpc.StatusObject) => {
          // A trailers-only response has no headers: report them empty, as streaming calls do.
          if (!sawHeaders) notify(call.onHeaders, new Metadata());
          notify(call.onTrailers, fromGrpcMetadata(s.metadata));
        });
      }
      call.signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  serverStreaming<Req, Res>(method: MethodDefinition<Req, Res, "server_streaming">, request: Req, options?: CallOptions): ServerStreamingCall<Res> {
    const call = resolveCallOptions(this.#defaults, options);
    const frame = encodeRequest(method, request);
    const stream = new ClientStream(call, () => this.#channel.transport.makeServerStreamRequest(method.path, passThrough, passThrough, frame, call.metadata, call.grpcOptions), true);
    return { ...lifecycle(stream), receiver: new Receiver(method.responseCodec, stream, true) } satisfies CallMembers<ServerStreamingCall<Res>> as ServerStreamingCall<Res>;
  }

  clientStreaming<Req, Res>(method: MethodDefinition<Req, Res, "client_streaming">, options?: CallOptions): ClientStreamingCall<Req, Res> {
    const call = resolveCallOptions(this.#defaults, options);
    let resolveResponse!: (value: Res) => void;
    let rejectResponse!: (err: RpcError) => void;
    const response = new Promise<Res>((resolve, reject) => {
      resolveResponse = resolve;
      rejectResponse = reject;
    });
    // The caller may never await the response: its rejection must not become an unhandled one.
    response.catch(() => {});
    const onResponse = (err: grpc.ServiceError | null, value?: Buffer) => {
      if (err) return rejectResponse(fromServiceError(err));
      try {
        resolveResponse(method.responseCodec.decode(value!));
      } catch (cause) {
        rejectResponse(new RpcError(Code.INTERNAL, `failed to decode response: ${String(cause)}`, undefined, { cause }));
      }
    };
    const stream = new ClientStream(call, () => this.#channel.transport.makeClientStreamRequest(method.path, passThrough, passThrough, call.metadata, call.grpcOptions, onResponse), false);
    // A call that never started (closed channel, aborted signal) gets no callback from grpc-js.
    void stream.done.then((outcome) => {
      if (outcome instanceof RpcError) rejectResponse(outcome);
    });
    return { ...lifecycle(stream), sender: new Sender(method.requestCodec, stream), response } satisfies CallMembers<ClientStreamingCall<Req, Res>> as ClientStreamingCall<Req, Res>;
  }

  bidiStreaming<Req, Res>(method: MethodDefinition<Req, Res, "bidi_streaming">, options?: CallOptions): BidiStreamingCall<Req, Res> {
    const call = resolveCallOptions(this.#defaults, options);
    const stream = new ClientStream(call, () => this.#channel.transport.makeBidiStreamRequest(method.path, passThrough, passThrough, call.metadata, call.grpcOptions), true);
    return {
      ...lifecycle(stream),
      sender: new Sender(method.requestCodec, stream),
      receiver: new Receiver(method.responseCodec, stream, true),
    } satisfies CallMembers<BidiStreamingCall<Req, Res>> as BidiStreamingCall<Req, Res>;
  }
}

function lifecycle(stream: ClientStream): CallMembers<StreamingCall> {
  return {
    headers: stream.headers,
    trailers: stream.trailers,
    cancel: () => stream.cancel(),
    [Symbol.asyncDispose]: () => stream.dispose(),
  };
}

function encodeRequest<Req>(method: { readonly path: string; readonly requestCodec: Codec<Req> }, request: Req): Buffer {
  let bytes: Uint8Array;
  try {
    bytes = method.requestCodec.encode(request).finish();
  } catch (cause) {
    throw new TypeError(`${method.path}: failed to encode the request: ${String(cause)}`, { cause });
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function fromServiceError(err: grpc.ServiceError): RpcError {
  return new RpcError(err.code as number as Code, err.details, fromGrpcMetadata(err.metadata));
}
