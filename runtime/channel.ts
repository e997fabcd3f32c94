import * as grpc from "@grpc/grpc-js";
import type { ClientStream } from "./client-stream.js";
import { Code } from "./code.js";
import { RpcError } from "./errors.js";

/**
 * The default for grpc-js's per-RPC retry buffer. grpc-js keeps each request
 * message of a call for transparent retries until the call commits (response
 * headers); with its 1 MiB default a long client stream is copied over and
 * over: 200,000 small messages ran at about 5,500 msgs/s against about
 * 94,000 with 16 KiB or 0 (bench/RESULTS.md). 16 KiB runs as fast as 0 for
 * long streams while calls whose messages fit in it (most unary calls) keep
 * transparent retries. Override it with `grpcOptions`.
 */
export const DEFAULT_PER_RPC_RETRY_BUFFER_SIZE = 16 * 1024;

export interface ChannelOptions {
  /** Transport credentials; overrides what the address scheme implies. */
  credentials?: grpc.ChannelCredentials;
  /** Raw grpc-js channel options (`grpc.keepalive_time_ms`, ...), merged over safestub's defaults. */
  grpcOptions?: grpc.ChannelOptions;
}

/**
 * Channel is the ClientConn analogue: one HTTP/2 connection pool to one
 * target, shared by any number of generated clients and parallel RPCs.
 * Clients never close it; `close()` does, after which every new call fails
 * with RpcError CANCELLED.
 */
export class Channel {
  /** The target as given to createChannel. */
  readonly address: string;
  /** @internal The grpc-js channel every call of every client on this Channel goes through. */
  readonly grpcChannel: grpc.Channel;
  /** @internal A grpc-js client on that channel, for connectivity (waitForReady). */
  readonly transport: grpc.Client;
  /** @internal The calls started on this Channel that have not ended yet: close() ends them. */
  readonly openCalls = new Set<ClientStream>();
  #closed = false;

  /** @internal Use createChannel(). */
  constructor(address: string, grpcChannel: grpc.Channel, transport: grpc.Client) {
    this.address = address;
    this.grpcChannel = grpcChannel;
    this.transport = transport;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Closes the channel, like gRPC-Go's `ClientConn.Close`: every RPC in
   * flight ends at once with RpcError CANCELLED "channel closed" (the server
   * sees each cancel), and new ones fail with RpcError CANCELLED.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // grpc-js lets calls in flight run on after its channel closed.
    for (const call of [...this.openCalls]) call.endWith(new RpcError(Code.CANCELLED, "channel closed"));
    this.transport.close();
  }

  /** Waits until the channel is connected, or rejects once `deadline` passes. */
  waitForReady(deadline: Date | number): Promise<void> {
    return new Promise((resolve, reject) => this.transport.waitForReady(deadline, (err) => (err ? reject(err) : resolve())));
  }
}

/**
 * Creates a Channel. `http://host:port` is plaintext; `https://host:port` and
 * bare `host:port` use TLS with the system roots (secure by default) unless
 * `options.credentials` says otherwise.
 */
export function createChannel(address: string, options: ChannelOptions = {}): Channel {
  const { target, secure } = parseAddress(address);
  const credentials = options.credentials ?? (secure ? grpc.credentials.createSsl() : grpc.credentials.createInsecure());
  const channelOptions: grpc.ChannelOptions = {
    "grpc.per_rpc_retry_buffer_size": DEFAULT_PER_RPC_RETRY_BUFFER_SIZE,
    ...options.grpcOptions,
  };
  const channel = new grpc.Channel(target, credentials, channelOptions);
  const transport = new grpc.Client(target, credentials, { ...channelOptions, channelOverride: channel });
  return new Channel(address, channel, transport);
}

function parseAddress(address: string): { target: string; secure: boolean } {
  const m = /^(https?):\/\/([^/]+)\/?$/.exec(address);
  if (m) return { target: m[2]!, secure: m[1] === "https" };
  if (address === "") throw new TypeError("createChannel needs an address");
  // Anything else (host:port, dns:///..., unix:...) is a grpc-js target, secure unless credentials say otherwise.
  return { target: address, secure: true };
}
