import { describe, expect, it } from "vitest";
import { createChannel, DEFAULT_PER_RPC_RETRY_BUFFER_SIZE } from "safestub";
import { configuresRetries } from "../../runtime/transport/grpc-js/retry-buffer.js";
import { grpcOptionsOf } from "../helpers/channel-options.js";

const retryPolicy = { maxAttempts: 3, initialBackoff: "0.1s", maxBackoff: "1s", backoffMultiplier: 2, retryableStatusCodes: ["UNAVAILABLE"] };
const hedgingPolicy = { maxAttempts: 2, hedgingDelay: "0.1s", nonFatalStatusCodes: ["UNAVAILABLE"] };
const config = (methodConfig: object[], extra: object = {}) => JSON.stringify({ methodConfig, ...extra });

/** The retry buffer a channel built with these grpc-js options runs with (undefined: grpc-js's own 1 MiB default). */
function retryBufferOf(grpcOptions?: Record<string, unknown>): unknown {
  const channel = createChannel("http://127.0.0.1:1", { grpcOptions });
  try {
    return grpcOptionsOf(channel)["grpc.per_rpc_retry_buffer_size"];
  } finally {
    channel.close();
  }
}

describe("the retry-buffer default follows the service config", () => {
  it("is 16 KiB without a service config, or with one that has no retry or hedging policy (client-stream throughput)", () => {
    expect(retryBufferOf()).toBe(DEFAULT_PER_RPC_RETRY_BUFFER_SIZE);
    expect(retryBufferOf({ "grpc.service_config": JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }) })).toBe(16 * 1024);
    expect(retryBufferOf({ "grpc.service_config": config([{ name: [{ service: "a.B" }], timeout: "1s" }]) })).toBe(16 * 1024);
  });

  it("is left to grpc-js when any methodConfig entry has a retryPolicy or a hedgingPolicy", () => {
    expect(retryBufferOf({ "grpc.service_config": config([{ name: [{ service: "a.B" }], retryPolicy }]) })).toBeUndefined();
    expect(retryBufferOf({ "grpc.service_config": config([{ name: [{ service: "a.B" }] }, { name: [{ service: "a.C" }], hedgingPolicy }]) })).toBeUndefined();
    expect(retryBufferOf({ "grpc.service_config": config([{ name: [{}], retryPolicy }], { loadBalancingConfig: [{ round_robin: {} }] }) })).toBeUndefined();
  });

  it("applies again when grpc.enable_retries is 0 (no policy runs then)", () => {
    expect(retryBufferOf({ "grpc.service_config": config([{ name: [{}], retryPolicy }]), "grpc.enable_retries": 0 })).toBe(16 * 1024);
  });

  it("an explicit grpc.per_rpc_retry_buffer_size always wins", () => {
    expect(retryBufferOf({ "grpc.service_config": config([{ name: [{}], retryPolicy }]), "grpc.per_rpc_retry_buffer_size": 64 * 1024 })).toBe(64 * 1024);
    expect(retryBufferOf({ "grpc.per_rpc_retry_buffer_size": 0 })).toBe(0);
  });

  it("reads only methodConfig entries; anything else is no policy (grpc-js itself rejects malformed JSON)", () => {
    expect(configuresRetries(undefined)).toBe(false);
    expect(configuresRetries("not json")).toBe(false);
    expect(configuresRetries("null")).toBe(false);
    expect(configuresRetries(JSON.stringify({ retryPolicy }))).toBe(false);
    expect(configuresRetries(JSON.stringify({ methodConfig: [null, 1, { retryPolicy }] }))).toBe(true);
    expect(() => createChannel("http://127.0.0.1:1", { grpcOptions: { "grpc.service_config": "not json" } })).toThrow();
  });
});
