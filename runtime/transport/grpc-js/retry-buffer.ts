import type * as grpc from "@grpc/grpc-js";

/**
 * The default for grpc-js's per-RPC retry buffer. grpc-js keeps each request
 * message of a call for transparent retries until the call commits (response
 * headers); with its 1 MiB default a long client stream is copied over and
 * over: 200,000 small messages ran at about 5,500 msgs/s against about
 * 94,000 with 16 KiB or 0 (bench/RESULTS.md). 16 KiB runs as fast as 0 for
 * long streams while calls whose messages fit in it (most unary calls) keep
 * transparent retries. It applies only to channels without a retry or
 * hedging policy: a request that does not fit commits its call, which would
 * silently switch a configured policy off for it.
 */
export const DEFAULT_PER_RPC_RETRY_BUFFER_SIZE = 16 * 1024;

/**
 * safestub's retry-buffer default for a channel with these grpc-js options
 * (which are spread over it, so an explicit `grpc.per_rpc_retry_buffer_size`
 * always wins): 16 KiB, or nothing (grpc-js's own 1 MiB) when the service
 * config asks for retries or hedging.
 */
export function retryBufferDefault(grpcOptions: grpc.ChannelOptions): grpc.ChannelOptions {
  const retriesOn = grpcOptions["grpc.enable_retries"] !== 0;
  if (retriesOn && configuresRetries(grpcOptions["grpc.service_config"])) return {};
  return { "grpc.per_rpc_retry_buffer_size": DEFAULT_PER_RPC_RETRY_BUFFER_SIZE };
}

/** Whether a `grpc.service_config` JSON string has a methodConfig entry with a retryPolicy or hedgingPolicy. */
export function configuresRetries(serviceConfig: unknown): boolean {
  if (typeof serviceConfig !== "string") return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(serviceConfig);
  } catch {
    return false; // grpc-js rejects it when the channel is built, with its own error
  }
  const methodConfig = (parsed as { methodConfig?: unknown } | null)?.methodConfig;
  if (!Array.isArray(methodConfig)) return false;
  return methodConfig.some((entry: unknown) => typeof entry === "object" && entry !== null && ("retryPolicy" in entry || "hedgingPolicy" in entry));
}
