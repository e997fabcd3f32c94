// The interop TestService implemented on safestub's generated TestServiceHandlers.
import { Code, RpcError, type Receiver, type Sender, type ServerContext } from "safestub";
// One source for both message backends: `@backend/interop.js` is the ts-proto or the protobuf-es generated code.
import {
  PayloadType,
  type EchoStatus,
  type PayloadInit,
  type SimpleRequest,
  type SimpleResponseInit,
  type StreamingOutputCallRequest,
  type StreamingOutputCallResponseInit,
  type TestServiceHandlers,
} from "@backend/interop.js";
import { ECHO_INITIAL_KEY, ECHO_TRAILING_KEY } from "../spec.js";

/** The handlers of grpc.testing.TestService, behaving as INTEROP.md asks. */
export const testServiceHandlers: TestServiceHandlers = {
  emptyCall: (_request, ctx) => {
    echoMetadata(ctx);
    return {};
  },
  unaryCall: (request, ctx) => respondUnary(request, ctx),
  cacheableUnaryCall: (request, ctx) => respondUnary(request, ctx),

  async streamingOutputCall(request, sender, ctx) {
    echoMetadata(ctx);
    await respondStreaming(request, sender, ctx);
  },

  async streamingInputCall(receiver, ctx) {
    echoMetadata(ctx);
    let aggregatedPayloadSize = 0;
    let index = 0;
    for await (const request of receiver) {
      checkCompression(request.expectCompressed, ctx.requestCompressed(index), `request ${index}`);
      index++;
      aggregatedPayloadSize += request.payload?.body.length ?? 0;
    }
    return { aggregatedPayloadSize };
  },

  async fullDuplexCall(receiver, sender, ctx) {
    echoMetadata(ctx);
    // One receive, then its responses: ping_pong relies on this order.
    for await (const request of receiver) await respondStreaming(request, sender, ctx);
  },

  async halfDuplexCall(receiver, sender, ctx) {
    echoMetadata(ctx);
    const requests = await collect(receiver);
    for (const request of requests) await respondStreaming(request, sender, ctx);
  },

  unimplementedCall: () => {
    throw new RpcError(Code.UNIMPLEMENTED, "grpc.testing.TestService/UnimplementedCall is not implemented");
  },
};

function respondUnary(request: SimpleRequest, ctx: ServerContext): SimpleResponseInit {
  echoMetadata(ctx);
  checkCompression(request.expectCompressed, ctx.requestCompressed(0), "the request");
  throwRequestedStatus(request.responseStatus);
  return { payload: zeros(request.responseSize), username: "", oauthScope: "", serverId: "", hostname: "" };
}

/** One response per response_parameters entry, each after its interval. */
async function respondStreaming(request: StreamingOutputCallRequest, sender: Sender<StreamingOutputCallResponseInit>, ctx: ServerContext): Promise<void> {
  throwRequestedStatus(request.responseStatus);
  for (const params of request.responseParameters) {
    if (params.intervalUs > 0) await sleep(params.intervalUs / 1000, ctx.signal);
    await sender.send({ payload: zeros(params.size) });
  }
}

/**
 * The CompressedRequest feature: when a request sets expect_compressed, its
 * message must have come with the compressed flag set (true) or clear
 * (false), else INVALID_ARGUMENT, as grpc's C++ reference server checks
 * (CheckExpectedCompression). A request that does not set it is not checked.
 */
function checkCompression(expect: { readonly value: boolean } | undefined, compressed: boolean | undefined, what: string): void {
  if (expect === undefined) return;
  if (compressed === undefined) throw new RpcError(Code.INTERNAL, `${what}: the server cannot tell whether it came compressed`);
  if (expect.value !== compressed) {
    throw new RpcError(Code.INVALID_ARGUMENT, `${what}: expect_compressed is ${expect.value} but the message came ${compressed ? "compressed" : "uncompressed"}`);
  }
}

/** Echoes x-grpc-test-echo-initial in the response headers and x-grpc-test-echo-trailing-bin in the trailers. */
function echoMetadata(ctx: ServerContext): void {
  const initial = ctx.metadata.get(ECHO_INITIAL_KEY);
  if (initial !== undefined) ctx.setHeader(ECHO_INITIAL_KEY, initial);
  const trailing = ctx.metadata.get(ECHO_TRAILING_KEY);
  if (trailing !== undefined) ctx.setTrailer(ECHO_TRAILING_KEY, trailing);
}

/** A response_status with a non-zero code ends the call with that status instead of responding. */
function throwRequestedStatus(status: EchoStatus | undefined): void {
  if (status && status.code !== 0) throw new RpcError(status.code as Code, status.message);
}

function zeros(size: number): PayloadInit {
  if (!Number.isInteger(size) || size < 0) throw new RpcError(Code.INVALID_ARGUMENT, `payload size must be >= 0, got ${size}`);
  return { type: PayloadType.COMPRESSABLE, body: Buffer.alloc(size) };
}

async function collect<T>(receiver: Receiver<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const message of receiver) all.push(message);
  return all;
}

/**
 * Waits `ms`, or rejects with the signal's reason (the call's RpcError) once the call is cancelled.
 * A drain's notice (UNAVAILABLE "server shutting down", at the start of the server's grace) does
 * not cut the wait: the response asked for still goes out within the grace.
 */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  const isDrainNotice = () => signal.reason instanceof RpcError && signal.reason.code === Code.UNAVAILABLE;
  return new Promise((resolve, reject) => {
    if (signal.aborted && !isDrainNotice()) return reject(signal.reason as Error);
    const onAbort = () => {
      if (isDrainNotice()) return;
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
