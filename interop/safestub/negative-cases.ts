// The client side of gRPC's negative HTTP/2 interop cases on safestub's generated TestServiceClient.
// Every case is UnaryCall {response_size 314159, payload 271828 zero bytes}; the reset cases must
// fail with an RpcError, with no deadline set, in bounded time; the others must succeed.
import { RpcError } from "safestub";
import type { TestServiceClient } from "@backend/interop.js";
import { check, checkZeros } from "../check.js";
import type { NegativeCaseName } from "../http2/negative-cases.js";
import type { Cases } from "../runner.js";
import { LARGE_RESPONSE_SIZE } from "../spec.js";
import { largeRequest } from "./cases.js";

/** How long a reset call may take to fail. It has no deadline: only the client's handling of the reset bounds it. */
export const RESET_FAILS_WITHIN_MS = 5_000;
/** goaway: the pause between the two calls, so the GOAWAY is in before the second (grpc/grpc#9300). */
const GOAWAY_PAUSE_MS = 1_000;
/** max_streams: the calls made at once after the first. */
const CONCURRENT_CALLS = 10;

export function negativeCases(client: TestServiceClient): Cases<NegativeCaseName> {
  const largeUnary = async (what: string) => checkZeros((await client.unaryCall(largeRequest())).payload?.body, LARGE_RESPONSE_SIZE, what);
  const failsOnReset = async () => {
    const started = performance.now();
    const outcome = await client.unaryCall(largeRequest()).then(
      (response) => response,
      (err: unknown) => err,
    );
    const ms = Math.round(performance.now() - started);
    check(outcome instanceof RpcError, `the call did not fail with an RpcError: got ${outcome instanceof Error ? outcome.message : "a response"}`);
    check(ms < RESET_FAILS_WITHIN_MS, `the call failed only after ${ms} ms`);
  };
  return {
    async goaway() {
      await largeUnary("first UnaryCall");
      await new Promise((resolve) => setTimeout(resolve, GOAWAY_PAUSE_MS));
      await largeUnary("UnaryCall after GOAWAY");
    },
    rst_after_header: failsOnReset,
    rst_during_data: failsOnReset,
    rst_after_data: failsOnReset,
    ping: () => largeUnary("UnaryCall"),
    async max_streams() {
      // The first call lets the server's SETTINGS_MAX_CONCURRENT_STREAMS=1 arrive; then all but one call must wait their turn.
      await largeUnary("first UnaryCall");
      await Promise.all(Array.from({ length: CONCURRENT_CALLS }, (_, i) => largeUnary(`concurrent UnaryCall ${i}`)));
    },
    data_frame_padding: () => largeUnary("UnaryCall"),
    no_df_padding_sanity_test: () => largeUnary("UnaryCall"),
  };
}
