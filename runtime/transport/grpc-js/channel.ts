import * as grpc from "@grpc/grpc-js";
import { Channel, type ClientTransport, type TransportCall, type TransportCallListener } from "../../client/channel.js";
import type { ResolvedCall } from "../../core/call-options.js";
import { Code } from "../../core/code.js";
import { parseAddress } from "./address.js";
import { responseCutShort } from "./internals.js";
import { fromGrpcMetadata, toGrpcMetadata } from "./metadata.js";
import { retryBufferDefault } from "./retry-buffer.js";
import { grpcStatusOf, statusFromGrpc, type TruthfulStatus } from "./status.js";
import { guardStrandedStreams } from "./stranded-stream.js";
import { withTlsHint } from "./tls-hint.js";

export interface ChannelOptions {
  /** Transport credentials; overrides what the address scheme implies. */
  credentials?: grpc.ChannelCredentials | undefined;
  /** Raw grpc-js channel options (`grpc.keepalive_time_ms`, ...), merged over safestub's defaults. */
  grpcOptions?: grpc.ChannelOptions | undefined;
}

/** grpc-js's transport-level call: what `Channel.createCall` returns (the layer under its generic client). */
type GrpcCall = ReturnType<grpc.Channel["createCall"]>;

/** A client transport on grpc-js's call layer (`Channel#createCall`), under its generic Client. */
export class GrpcClientTransport implements ClientTransport {
  /** The grpc-js channel every call goes through. */
  readonly grpcChannel: grpc.Channel;
  /** A grpc-js client on that channel, for connectivity (waitForReady). */
  readonly client: grpc.Client;
  /** The address, when safestub chose TLS for it: failed handshakes then say so (withTlsHint). */
  readonly #impliedTlsAddress: string | undefined;

  constructor(target: string, credentials: grpc.ChannelCredentials, options: grpc.ChannelOptions, impliedTlsAddress?: string) {
    this.#impliedTlsAddress = impliedTlsAddress;
    this.grpcChannel = new grpc.Channel(target, credentials, options);
    this.client = new grpc.Client(target, credentials, { ...options, channelOverride: this.grpcChannel });
  }

  startCall(path: string, options: ResolvedCall, listener: TransportCallListener): TransportCall {
    const call = this.grpcChannel.createCall(path, options.deadline ?? Infinity, undefined, null, null);
    call.start(toGrpcMetadata(options.metadata), {
      onReceiveMetadata: (md) => {
        // Response headers mean the HTTP/2 stream exists: guard it against a reset that node:http2 never closes.
        guardStrandedStreams(call);
        listener.onHeaders(() => fromGrpcMetadata(md));
      },
      onReceiveMessage: (message: Buffer) => listener.onMessage(message),
      onReceiveStatus: (status) => {
        const truth = truthOf(call, status);
        const code = truth.code;
        const details = this.#impliedTlsAddress === undefined ? truth.details : withTlsHint(this.#impliedTlsAddress, code, truth.details);
        listener.onStatus(code, details, () => fromGrpcMetadata(status.metadata));
      },
    });
    return new GrpcTransportCall(call);
  }

  close(): void {
    this.client.close();
  }

  waitForReady(deadline: Date | number): Promise<void> {
    return new Promise((resolve, reject) => this.client.waitForReady(deadline, (err) => (err ? reject(err) : resolve())));
  }
}

/**
 * The status of a finished call as safestub reports it. grpc-js drops a
 * response message cut short by END_STREAM and reports the trailers' OK:
 * that is data loss, INTERNAL (as gRPC-Go's "unexpected EOF").
 */
function truthOf(call: GrpcCall, status: grpc.StatusObject): TruthfulStatus {
  const truth = statusFromGrpc(status.code as number | undefined, status.details as string | undefined);
  if (truth.code !== Code.OK) return truth;
  const cut = responseCutShort(call);
  if (cut === undefined) return truth;
  return { code: Code.INTERNAL, details: `the last response message was cut short by the end of the stream (${cut.received} of ${cut.expected} bytes)` };
}

class GrpcTransportCall implements TransportCall {
  readonly #call: GrpcCall;

  constructor(call: GrpcCall) {
    this.#call = call;
  }

  write(frame: Buffer, onWritten?: () => void): void {
    this.#call.sendMessageWithContext(onWritten ? { callback: onWritten } : {}, frame);
  }

  halfClose(): void {
    this.#call.halfClose();
  }

  startRead(): void {
    this.#call.startRead();
  }

  cancel(code: Code, details: string): void {
    const call = this.#call;
    call.cancelWithStatus(grpcStatusOf(code), details);
    // grpc-js's ResolvingCall may still open the HTTP/2 stream after this (it starts its child call in
    // a .then() without checking that it was cancelled): cancel again once that chain has run, which
    // resets the stream it opened. A second cancel is a no-op otherwise.
    setImmediate(() => call.cancelWithStatus(grpcStatusOf(code), details));
  }
}

/**
 * Creates a Channel on grpc-js. `http://host:port` is plaintext; every other
 * address (`https://host:port`, `host:port`, `ipv4:a:p,b:q`, `dns:///name:port`)
 * uses TLS with the system roots (secure by default) unless
 * `options.credentials` says otherwise.
 */
export function createChannel(address: string, options: ChannelOptions = {}): Channel {
  const { target, secure } = parseAddress(address);
  const credentials = options.credentials ?? (secure ? grpc.credentials.createSsl() : grpc.credentials.createInsecure());
  const grpcOptions = options.grpcOptions ?? {};
  const channelOptions: grpc.ChannelOptions = { ...retryBufferDefault(grpcOptions), ...grpcOptions };
  const impliedTlsAddress = options.credentials === undefined && secure ? address : undefined;
  return new Channel(address, new GrpcClientTransport(target, credentials, channelOptions, impliedTlsAddress));
}
