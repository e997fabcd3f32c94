import * as grpc from "@grpc/grpc-js";
import { Channel, type ClientTransport, type TransportCall, type TransportCallListener } from "../../client/channel.js";
import { checkCompression, type Compression, type ResolvedCall } from "../../core/call-options.js";
import type { ClientInterceptor } from "../../core/interceptor.js";
import { Code } from "../../core/code.js";
import { parseAddress } from "./address.js";
import { endedWithSession, http2StreamsOf, responseCutShort, type ClientHttp2StreamLike } from "./internals.js";
import { nghttp2ResetLimit, ResetBudget, type ResetLimit } from "./reset-budget.js";
import { fromGrpcMetadata, statusDetailsOf, toGrpcMetadata } from "./metadata.js";
import { retryBufferDefault } from "./retry-buffer.js";
import { grpcStatusOf, statusFromGrpc, type TruthfulStatus } from "./status.js";
import { guardStrandedStream } from "./stranded-stream.js";
import { malformedTrailerStatus, watchTrailerStatus } from "./trailer-status.js";
import { withTlsHint } from "./tls-hint.js";
import { mustGoUncompressed } from "../../stream/uncompressed.js";
import { algorithmOf, channelCompression, NO_COMPRESS, type CompressionAlgorithm } from "./compression.js";

export interface ChannelOptions {
  /** Transport credentials; overrides what the address scheme implies. */
  credentials?: grpc.ChannelCredentials | undefined;
  /** Raw grpc-js channel options (`grpc.keepalive_time_ms`, ...), merged over safestub's defaults. */
  grpcOptions?: grpc.ChannelOptions | undefined;
  /**
   * The server's rapid-reset limit per connection (RST_STREAMs it takes before
   * it answers with GOAWAY): new calls move to a fresh connection before this
   * client's cancels use it up. Defaults to nghttp2's (1000 at once, 33 per
   * second), which every node:http2 server applies; `false` keeps one connection
   * whatever the cancels.
   */
  resetLimit?: ResetLimit | false | undefined;
  /** Client interceptors for every call on this channel, the first outermost (see ClientInterceptor). */
  interceptors?: readonly ClientInterceptor[] | undefined;
  /**
   * How request messages are compressed unless a call says otherwise
   * (CallOptions `compression`): "gzip", or "identity" (the default). Every
   * call advertises `grpc-accept-encoding: identity,deflate,gzip`, and
   * compressed responses are decompressed whatever this says.
   */
  compression?: Compression | undefined;
}

/** grpc-js's transport-level call: what `Channel.createCall` returns (the layer under its generic client). */
type GrpcCall = ReturnType<grpc.Channel["createCall"]>;

/** One grpc-js channel (one connection per backend) and the resets this client sent on it. */
interface Connection {
  readonly channel: grpc.Channel;
  /** A grpc-js client on that channel, for connectivity (waitForReady). */
  readonly client: grpc.Client;
  readonly budget: ResetBudget | undefined;
  /** Calls started on it that have no status yet. */
  calls: number;
  /** New calls go elsewhere: it closes when its last call ends. */
  retired: boolean;
}

/**
 * A client transport on grpc-js's call layer (`Channel#createCall`), under its
 * generic Client. Calls go through the current connection; when this client's
 * cancels near the server's rapid-reset limit on it (reset-budget.ts), new
 * calls go through a fresh one and the old one closes once its calls are done.
 * grpc-js compresses a channel's requests one way only (its
 * `grpc.default_compression_algorithm`, read by each call's compression
 * filter): a call that asks for another compression goes through a
 * connection of that compression, opened on its first call (so one
 * connection per compression in use, each with its own reset budget).
 */
export class GrpcClientTransport implements ClientTransport {
  readonly #target: string;
  readonly #credentials: grpc.ChannelCredentials;
  readonly #options: grpc.ChannelOptions;
  readonly #resetLimit: ResetLimit | undefined;
  /** The address, when safestub chose TLS for it: failed handshakes then say so (withTlsHint). */
  readonly #impliedTlsAddress: string | undefined;
  #connections = 0;
  /** The compression of calls that ask for none (the channel's default). */
  readonly #defaultAlgorithm: CompressionAlgorithm;
  /** The current connection for each compression in use. */
  readonly #current = new Map<CompressionAlgorithm, Connection>();

  constructor(target: string, credentials: grpc.ChannelCredentials, options: grpc.ChannelOptions, impliedTlsAddress?: string, resetLimit?: ResetLimit) {
    this.#target = target;
    this.#credentials = credentials;
    this.#options = options;
    this.#resetLimit = resetLimit;
    this.#impliedTlsAddress = impliedTlsAddress;
    this.#defaultAlgorithm = channelCompression(options);
    this.#current.set(this.#defaultAlgorithm, this.#connect(this.#defaultAlgorithm));
  }

  /** The grpc-js channel new calls without a compression of their own go through. */
  get grpcChannel(): grpc.Channel {
    return this.#current.get(this.#defaultAlgorithm)!.channel;
  }

  /** How many connections (grpc-js channels) this transport has opened so far. */
  get connectionsOpened(): number {
    return this.#connections;
  }

  startCall(path: string, options: ResolvedCall, listener: TransportCallListener): TransportCall {
    const connection = this.#connection(options.compression === undefined ? this.#defaultAlgorithm : algorithmOf(options.compression));
    const call = connection.channel.createCall(path, options.deadline ?? Infinity, undefined, null, null);
    const transportCall = new GrpcTransportCall(call, connection.budget);
    connection.calls++;
    call.start(toGrpcMetadata(options.metadata), {
      onReceiveMetadata: (md) => {
        // Response headers mean the HTTP/2 stream exists: guard it against a reset that node:http2
        // never closes, and read its trailers' grpc-status before grpc-js turns it into a number.
        const streams = http2StreamsOf(call);
        for (const stream of streams) {
          guardStrandedStream(stream);
          watchTrailerStatus(stream);
        }
        transportCall.streams = streams;
        listener.onHeaders(() => fromGrpcMetadata(md));
      },
      onReceiveMessage: (message: Buffer) => listener.onMessage(message),
      onReceiveStatus: (status) => {
        const truth = truthOf(call, status, transportCall);
        transportCall.ended(truth.code);
        if (--connection.calls === 0 && connection.retired) connection.client.close();
        const code = truth.code;
        const details = this.#impliedTlsAddress === undefined ? truth.details : withTlsHint(this.#impliedTlsAddress, code, truth.details);
        listener.onStatus(code, details, () => fromGrpcMetadata(status.metadata), code === Code.OK ? undefined : statusDetailsOf(status.metadata));
      },
    });
    return transportCall;
  }

  close(): void {
    // Retired connections close with their last call; the Channel ends every open call first.
    for (const connection of this.#current.values()) connection.client.close();
  }

  waitForReady(deadline: Date | number): Promise<void> {
    const { client } = this.#connection(this.#defaultAlgorithm);
    return new Promise((resolve, reject) => client.waitForReady(deadline, (err) => (err ? reject(err) : resolve())));
  }

  /** The connection for a new call of this compression: a fresh one at first, and once the current one's reset budget is spent. */
  #connection(algorithm: CompressionAlgorithm): Connection {
    const current = this.#current.get(algorithm);
    if (current === undefined) {
      const fresh = this.#connect(algorithm);
      this.#current.set(algorithm, fresh);
      return fresh;
    }
    if (!current.budget?.exhausted()) return current;
    const fresh = this.#connect(algorithm);
    this.#current.set(algorithm, fresh);
    // Not closed yet: grpc-js fails a closed channel's calls that are still being routed
    // (UNAVAILABLE "Channel closed before call started"). It closes with its last call.
    current.retired = true;
    if (current.calls === 0) current.client.close();
    return fresh;
  }

  #connect(algorithm: CompressionAlgorithm): Connection {
    const generation = this.#connections++;
    // grpc-js's global subchannel pool shares a connection between channels with equal options:
    // an option of its own gives every later connection of this transport a subchannel of its own.
    const base = algorithm === this.#defaultAlgorithm ? this.#options : { ...this.#options, "grpc.default_compression_algorithm": algorithm };
    const options = generation === 0 ? base : { ...base, "grpc-node.safestub_connection": generation };
    const channel = new grpc.Channel(this.#target, this.#credentials, options);
    const client = new grpc.Client(this.#target, this.#credentials, { ...options, channelOverride: channel });
    return { channel, client, budget: this.#resetLimit && new ResetBudget(this.#resetLimit), calls: 0, retired: false };
  }
}

/**
 * The status of a finished call as safestub reports it.
 * - grpc-js drops a response message cut short by END_STREAM and reports the
 *   trailers' OK: that is data loss, INTERNAL (as gRPC-Go's "unexpected EOF").
 * - A grpc-status that is not a plain number (grpc-js takes "" as OK) is
 *   INTERNAL, as in gRPC-Go (trailer-status.ts).
 * - A call that failed because the server tore down the whole connection (a
 *   GOAWAY with an error code: the rapid-reset protection's INTERNAL_ERROR, or
 *   the CANCEL of grpc-js's forceShutdown) is reported by grpc-js as INTERNAL
 *   or CANCELLED. It was not this call's fault, and this client did not cancel
 *   it: gRPC-Go reports a closing transport as UNAVAILABLE, which is what
 *   retry logic looks for.
 */
function truthOf(call: GrpcCall, status: grpc.StatusObject, transportCall: GrpcTransportCall): TruthfulStatus {
  const truth = statusFromGrpc(status.code as number | undefined, status.details as string | undefined);
  const torn = truth.code === Code.INTERNAL || (truth.code === Code.CANCELLED && !transportCall.cancelledHere);
  if (torn && endedWithSession(call)) {
    return { code: Code.UNAVAILABLE, details: `the server closed the connection: ${truth.details}` };
  }
  if (truth.code !== Code.OK) return truth;
  const malformed = malformedTrailerStatus(transportCall.streams);
  if (malformed !== undefined) return { code: Code.INTERNAL, details: `malformed grpc-status (${JSON.stringify(malformed)})` };
  const cut = responseCutShort(call);
  if (cut === undefined) return truth;
  return { code: Code.INTERNAL, details: `the last response message was cut short by the end of the stream (${cut.received} of ${cut.expected} bytes)` };
}

class GrpcTransportCall implements TransportCall {
  readonly #call: GrpcCall;
  readonly #budget: ResetBudget | undefined;
  /** Whether the call has its status (a cancel then sends nothing) or a reset was counted. */
  #settled = false;
  /** Whether this client cancelled the call (a CANCELLED status is then its own). */
  cancelledHere = false;
  /** The HTTP/2 streams under the call, once response headers came. */
  streams: readonly ClientHttp2StreamLike[] = [];

  constructor(call: GrpcCall, budget: ResetBudget | undefined) {
    this.#call = call;
    this.#budget = budget;
  }

  write(frame: Buffer, onWritten?: () => void): void {
    const context: Parameters<GrpcCall["sendMessageWithContext"]>[0] = {};
    if (onWritten) context.callback = onWritten;
    // grpc-js's compression filter sends a message flagged NoCompress uncompressed in a compressing call.
    if (mustGoUncompressed(frame)) context.flags = NO_COMPRESS;
    this.#call.sendMessageWithContext(context, frame);
  }

  halfClose(): void {
    this.#call.halfClose();
  }

  startRead(): void {
    this.#call.startRead();
  }

  cancel(code: Code, details: string): void {
    this.cancelledHere = true;
    this.#spendReset();
    const call = this.#call;
    call.cancelWithStatus(grpcStatusOf(code), details);
    // grpc-js's ResolvingCall may still open the HTTP/2 stream after this (it starts its child call in
    // a .then() without checking that it was cancelled): cancel again once that chain has run, which
    // resets the stream it opened. A second cancel is a no-op otherwise.
    setImmediate(() => call.cancelWithStatus(grpcStatusOf(code), details));
  }

  /** The call has its status: a passed deadline made grpc-js reset the stream. */
  ended(code: Code): void {
    if (code === Code.DEADLINE_EXCEEDED) this.#spendReset();
    this.#settled = true;
  }

  #spendReset(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#budget?.spend();
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
  const compression = checkCompression(options.compression, "ChannelOptions.compression");
  const channelOptions: grpc.ChannelOptions = { ...retryBufferDefault(grpcOptions), ...grpcOptions, ...(compression && { "grpc.default_compression_algorithm": algorithmOf(compression) }) };
  const impliedTlsAddress = options.credentials === undefined && secure ? address : undefined;
  const resetLimit = options.resetLimit === false ? undefined : (options.resetLimit ?? nghttp2ResetLimit);
  return new Channel(address, new GrpcClientTransport(target, credentials, channelOptions, impliedTlsAddress, resetLimit), options.interceptors);
}
