// RST_STREAM(NO_ERROR) right after the response headers, while more request data is queued than
// the server's flow-control window allows (a server that answers before reading the body, or a
// proxy that resets): node:http2 never emits 'close' on that stream, so grpc-js never ends the
// call. Every call shape must still end with an RpcError, with no deadline set, within seconds.
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, createChannel, RpcError, type Channel } from "safestub";
import { PayloadType, TestServiceClient, type PayloadInit, type StreamingOutputCallRequestInit } from "@backend/interop.js";
import { startNegativeServer, type NegativeServer } from "../../interop/http2/negative-server.js";
import { largeRequest } from "../../interop/safestub/cases.js";
import { http2StreamsOf } from "../../runtime/transport/grpc-js/internals.js";

/** More than the 64 KiB window the server never opens: most of it stays queued in the client. */
const LARGE = 271_828;
/** How long a call may take to fail; a hang shows as a failed test at this bound, not as a stuck run. */
const FAILS_WITHIN_MS = 3_000;

let server: NegativeServer;
let channel: Channel;
let client: TestServiceClient;

beforeAll(async () => {
  server = await startNegativeServer("rst_after_header");
  channel = createChannel(`http://127.0.0.1:${server.port}`);
  client = new TestServiceClient(channel);
});

afterAll(async () => {
  channel.close();
  await server.close();
});

const payload = (): PayloadInit => ({ type: PayloadType.COMPRESSABLE, body: Buffer.alloc(LARGE) });
const streamingRequest = (): StreamingOutputCallRequestInit => ({ responseType: PayloadType.COMPRESSABLE, responseParameters: [{ size: 10, intervalUs: 0, compressed: undefined }], payload: payload(), responseStatus: undefined });

/** Awaits `operation`, expecting it to fail with an RpcError before FAILS_WITHIN_MS. */
async function failure(operation: Promise<unknown>): Promise<RpcError> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<"hung">((resolve) => (timer = setTimeout(() => resolve("hung"), FAILS_WITHIN_MS)));
  const outcome = await Promise.race([operation.then(() => "succeeded", (err: unknown) => err), hung]).finally(() => clearTimeout(timer));
  expect(outcome, "the call must fail, not hang or succeed").toBeInstanceOf(RpcError);
  return outcome as RpcError;
}

/** gRPC-Go maps RST_STREAM(NO_ERROR) without a status to INTERNAL (internal/transport/http_util.go, http2ErrConvTab); so does grpc-js. */
function expectReset(err: RpcError): void {
  expect(err.code).toBe(Code.INTERNAL);
  expect(err.details).toMatch(/RST_STREAM/);
}

describe("RST_STREAM(NO_ERROR) after response headers with the request body still queued", () => {
  it("a unary call fails with INTERNAL", async () => {
    expectReset(await failure(client.unaryCall(largeRequest())));
  });

  it("a server-streaming call fails with INTERNAL", async () => {
    const call = client.streamingOutputCall(streamingRequest());
    expectReset(await failure(call.receiver.recv()));
  });

  it("a client-streaming call fails with INTERNAL, and a send after that rejects with it", async () => {
    const call = client.streamingInputCall();
    await call.sender.send({ payload: payload(), expectCompressed: undefined });
    expectReset(await failure(call.response));
    await expect(call.sender.send({ payload: payload(), expectCompressed: undefined })).rejects.toBeInstanceOf(RpcError);
  });

  it("a bidi call that never half-closes fails with INTERNAL", async () => {
    const call = client.fullDuplexCall();
    await call.sender.send(streamingRequest());
    expectReset(await failure(call.receiver.recv()));
  });

  it("a later call on the same channel fails as promptly (nothing stuck on the connection)", async () => {
    await failure(client.unaryCall(largeRequest()));
  });
});

describe("the guard's view into grpc-js", () => {
  // The guard reaches node:http2 streams through grpc-js's private call objects. If a grpc-js
  // upgrade changes their shape the guard finds nothing and calls hang again: this test says so first.
  it("finds the HTTP/2 stream under a grpc-js call once it has response headers", async () => {
    const grpcChannel = new grpc.Channel(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure(), {});
    try {
      const call = grpcChannel.createCall("/grpc.testing.TestService/UnaryCall", Infinity, undefined, null, null);
      const found = await new Promise<number>((resolve) => {
        call.start(new grpc.Metadata(), {
          onReceiveMetadata: () => resolve(http2StreamsOf(call).length),
          onReceiveMessage: () => {},
          onReceiveStatus: () => resolve(-1),
        });
        call.sendMessageWithContext({}, Buffer.alloc(LARGE));
      });
      expect(found).toBe(1);
      call.cancelWithStatus(grpc.status.CANCELLED, "done");
    } finally {
      grpcChannel.close();
    }
  });
});
