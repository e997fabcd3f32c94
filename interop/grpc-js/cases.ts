// The 14 interop client cases written directly on @grpc/grpc-js, the reference
// client that drives the safestub server (and, as a control, the grpc-js server),
// and the two of the CompressedRequest feature: grpc-js compresses what a channel
// with grpc.default_compression_algorithm sends (`compressing`), and leaves out a
// message written with its NoCompress write flag.
import * as grpc from "@grpc/grpc-js";
import { check, checkBytes, checkZeros, expectProbeRefused, expectStatus } from "../check.js";
import type { Cases } from "../runner.js";
import {
  CLIENT_STREAMING_SIZES,
  CLIENT_STREAMING_TOTAL,
  CODE,
  COMPRESSED_STREAMING_SIZES,
  COMPRESSED_STREAMING_TOTAL,
  type CaseName,
  type CompressionCaseName,
  ECHO_INITIAL_KEY,
  ECHO_INITIAL_VALUE,
  ECHO_TRAILING_KEY,
  ECHO_TRAILING_VALUE,
  LARGE_REQUEST_SIZE,
  LARGE_RESPONSE_SIZE,
  PING_PONG_ROUNDS,
  SERVER_STREAMING_SIZES,
  SPECIAL_STATUS_MESSAGE,
  STATUS_CODE_UNKNOWN,
  STATUS_MESSAGE,
  TIMEOUT_REQUEST_SIZE,
} from "../spec.js";
import type { EchoStatus, Empty, Payload, SimpleRequest, SimpleResponse, StreamingInputCallRequest, StreamingInputCallResponse, StreamingOutputCallRequest, StreamingOutputCallResponse } from "./proto.js";

type UnaryCallback<Res> = (err: grpc.ServiceError | null, response?: Res) => void;
type UnaryMethod<Req, Res> = (request: Req, metadata: grpc.Metadata, options: grpc.CallOptions, callback: UnaryCallback<Res>) => grpc.ClientUnaryCall;
type Duplex = grpc.ClientDuplexStream<StreamingOutputCallRequest, StreamingOutputCallResponse>;

/** The methods of a proto-loader TestService client (grpc-js adds them at run time). */
export interface TestServiceStub extends grpc.Client {
  EmptyCall: UnaryMethod<Empty, Empty>;
  UnaryCall: UnaryMethod<SimpleRequest, SimpleResponse>;
  StreamingOutputCall(request: StreamingOutputCallRequest, metadata?: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<StreamingOutputCallResponse>;
  StreamingInputCall(metadata: grpc.Metadata, options: grpc.CallOptions, callback: UnaryCallback<StreamingInputCallResponse>): grpc.ClientWritableStream<StreamingInputCallRequest>;
  FullDuplexCall(metadata?: grpc.Metadata, options?: grpc.CallOptions): Duplex;
  UnimplementedCall: UnaryMethod<Empty, Empty>;
}
export interface UnimplementedServiceStub extends grpc.Client {
  UnimplementedCall: UnaryMethod<Empty, Empty>;
}

/** grpc-js's WriteFlags.NoCompress, passed where a Node stream write takes its encoding (grpc-js reads it as flags). */
const NO_COMPRESS = 2 as unknown as BufferEncoding;

export function grpcJsCases(client: TestServiceStub, unimplemented: UnimplementedServiceStub, compressing: TestServiceStub): Cases<CaseName | CompressionCaseName> {
  return {
    async client_compressed_unary() {
      const expecting = (value: boolean): SimpleRequest => ({ ...largeRequest(), expectCompressed: { value } });
      await expectProbeRefused(unary(client.UnaryCall.bind(client), expecting(true)), "UnaryCall");
      const { response: compressed } = await unary(compressing.UnaryCall.bind(compressing), expecting(true));
      checkZeros(compressed?.payload?.body ?? undefined, LARGE_RESPONSE_SIZE, "compressed UnaryCall response");
      const { response: plain } = await unary(client.UnaryCall.bind(client), expecting(false));
      checkZeros(plain?.payload?.body ?? undefined, LARGE_RESPONSE_SIZE, "uncompressed UnaryCall response");
    },

    async client_compressed_streaming() {
      const [first, second] = COMPRESSED_STREAMING_SIZES;
      const start = (stub: TestServiceStub) => {
        let call!: grpc.ClientWritableStream<StreamingInputCallRequest>;
        const response = new Promise<StreamingInputCallResponse | undefined>((resolve, reject) => {
          call = stub.StreamingInputCall(new grpc.Metadata(), {}, (err, res) => (err ? reject(err) : resolve(res)));
        });
        call.on("error", () => {});
        return { call, response };
      };
      const probing = start(client);
      probing.call.write({ payload: zeros(first), expectCompressed: { value: true } });
      probing.call.end();
      await expectProbeRefused(probing.response, "StreamingInputCall");

      const { call, response } = start(compressing);
      call.write({ payload: zeros(first), expectCompressed: { value: true } });
      call.write({ payload: zeros(second), expectCompressed: { value: false } }, NO_COMPRESS);
      call.end();
      const size = (await response)?.aggregatedPayloadSize;
      check(size === COMPRESSED_STREAMING_TOTAL, `aggregated_payload_size ${size}, want ${COMPRESSED_STREAMING_TOTAL}`);
    },

    async empty_unary() {
      const { response } = await unary(client.EmptyCall.bind(client), {});
      check(response !== undefined && Object.keys(response).length === 0, `EmptyCall: got ${JSON.stringify(response)}, want {}`);
    },

    async large_unary() {
      const { response } = await unary(client.UnaryCall.bind(client), largeRequest());
      checkZeros(response?.payload?.body ?? undefined, LARGE_RESPONSE_SIZE, "UnaryCall response");
    },

    async client_streaming() {
      let call!: grpc.ClientWritableStream<StreamingInputCallRequest>;
      const response = new Promise<StreamingInputCallResponse | undefined>((resolve, reject) => {
        call = client.StreamingInputCall(new grpc.Metadata(), {}, (err, res) => (err ? reject(err) : resolve(res)));
      });
      for (const size of CLIENT_STREAMING_SIZES) call.write({ payload: zeros(size) });
      call.end();
      const size = (await response)?.aggregatedPayloadSize;
      check(size === CLIENT_STREAMING_TOTAL, `aggregated_payload_size ${size}, want ${CLIENT_STREAMING_TOTAL}`);
    },

    async server_streaming() {
      const call = client.StreamingOutputCall(streamingRequest(SERVER_STREAMING_SIZES));
      const responses = new MessageQueue(call);
      for (const [i, size] of SERVER_STREAMING_SIZES.entries()) {
        const response = await responses.next();
        check(response !== undefined, `the stream ended after ${i} responses, want ${SERVER_STREAMING_SIZES.length}`);
        checkZeros(response.payload?.body ?? undefined, size, `response ${i}`);
      }
      check((await responses.next()) === undefined, "more responses than asked for");
    },

    async ping_pong() {
      const call = client.FullDuplexCall();
      const responses = new MessageQueue(call);
      for (const [i, [responseSize, payloadSize]] of PING_PONG_ROUNDS.entries()) {
        call.write(streamingRequest([responseSize], payloadSize));
        const response = await responses.next();
        check(response !== undefined, `round ${i}: the stream ended before a response`);
        checkZeros(response.payload?.body ?? undefined, responseSize, `round ${i} response`);
      }
      call.end();
      check((await responses.next()) === undefined, "a response after the last round");
    },

    async empty_stream() {
      const call = client.FullDuplexCall();
      const responses = new MessageQueue(call);
      call.end();
      check((await responses.next()) === undefined, "a response on an empty stream");
    },

    async timeout_on_sleeping_server() {
      const call = client.FullDuplexCall(new grpc.Metadata(), { deadline: Date.now() + 1 });
      const responses = new MessageQueue(call);
      call.write(streamingRequest([], TIMEOUT_REQUEST_SIZE));
      await expectStatus(responses.next(), CODE.DEADLINE_EXCEEDED, "FullDuplexCall");
    },

    async cancel_after_begin() {
      let call!: grpc.ClientWritableStream<StreamingInputCallRequest>;
      const response = new Promise<unknown>((resolve, reject) => {
        call = client.StreamingInputCall(new grpc.Metadata(), {}, (err, res) => (err ? reject(err) : resolve(res)));
      });
      call.cancel();
      await expectStatus(response, CODE.CANCELLED, "StreamingInputCall");
    },

    async cancel_after_first_response() {
      const call = client.FullDuplexCall();
      const responses = new MessageQueue(call);
      const [responseSize, payloadSize] = PING_PONG_ROUNDS[0];
      call.write(streamingRequest([responseSize], payloadSize));
      const first = await responses.next();
      check(first !== undefined, "the stream ended before the first response");
      call.cancel();
      const { code, details } = await responses.status;
      check(code === CODE.CANCELLED, `FullDuplexCall after cancel(): status ${code} ${JSON.stringify(details)}, want ${CODE.CANCELLED}`);
    },

    async custom_metadata() {
      const { response, headers, trailers } = await unary(client.UnaryCall.bind(client), largeRequest(), echoRequestMetadata());
      checkZeros(response?.payload?.body ?? undefined, LARGE_RESPONSE_SIZE, "UnaryCall response");
      checkEcho(headers, trailers, "UnaryCall");

      const call = client.FullDuplexCall(echoRequestMetadata());
      const streamHeaders = new Promise<grpc.Metadata>((resolve) => call.once("metadata", resolve));
      const responses = new MessageQueue(call);
      call.write(streamingRequest([LARGE_RESPONSE_SIZE], LARGE_REQUEST_SIZE));
      const streamed = await responses.next();
      check(streamed !== undefined, "FullDuplexCall: the stream ended before a response");
      checkZeros(streamed.payload?.body ?? undefined, LARGE_RESPONSE_SIZE, "FullDuplexCall response");
      call.end();
      check((await responses.next()) === undefined, "FullDuplexCall: a response after the only one");
      checkEcho(await streamHeaders, (await responses.status).metadata, "FullDuplexCall");
    },

    async status_code_and_message() {
      const responseStatus = { code: STATUS_CODE_UNKNOWN, message: STATUS_MESSAGE };
      await expectStatus(unary(client.UnaryCall.bind(client), statusRequest(responseStatus)), STATUS_CODE_UNKNOWN, "UnaryCall", STATUS_MESSAGE);

      const call = client.FullDuplexCall();
      const responses = new MessageQueue(call);
      call.write({ ...streamingRequest([1], 1), responseStatus });
      call.end();
      await expectStatus(responses.next(), STATUS_CODE_UNKNOWN, "FullDuplexCall", STATUS_MESSAGE);
    },

    async special_status_message() {
      const responseStatus = { code: STATUS_CODE_UNKNOWN, message: SPECIAL_STATUS_MESSAGE };
      await expectStatus(unary(client.UnaryCall.bind(client), statusRequest(responseStatus)), STATUS_CODE_UNKNOWN, "UnaryCall", SPECIAL_STATUS_MESSAGE);
    },

    async unimplemented_method() {
      await expectStatus(unary(client.UnimplementedCall.bind(client), {}), CODE.UNIMPLEMENTED, "TestService.UnimplementedCall");
    },

    async unimplemented_service() {
      await expectStatus(unary(unimplemented.UnimplementedCall.bind(unimplemented), {}), CODE.UNIMPLEMENTED, "UnimplementedService.UnimplementedCall");
    },
  };
}

interface UnaryOutcome<Res> {
  response: Res | undefined;
  headers: grpc.Metadata | undefined;
  trailers: grpc.Metadata;
}

/** Runs a unary call; resolves once both the callback and the status (trailers) arrived, rejects with the ServiceError. */
function unary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, metadata = new grpc.Metadata()): Promise<UnaryOutcome<Res>> {
  return new Promise((resolve, reject) => {
    let headers: grpc.Metadata | undefined;
    let result: { err: grpc.ServiceError | null; response: Res | undefined } | undefined;
    let trailers: grpc.Metadata | undefined;
    const settle = () => {
      if (!result || !trailers) return;
      if (result.err) reject(result.err);
      else resolve({ response: result.response, headers, trailers });
    };
    const call = method(request, metadata, {}, (err, response) => {
      result = { err, response };
      settle();
    });
    call.on("metadata", (md: grpc.Metadata) => (headers = md));
    call.on("status", (status: grpc.StatusObject) => {
      trailers = status.metadata;
      settle();
    });
  });
}

/**
 * Reads a grpc-js response stream one message at a time: `next()` gives the
 * next message, undefined after an OK status, or rejects with the non-OK status.
 */
class MessageQueue<T> {
  readonly status: Promise<grpc.StatusObject>;
  readonly #messages: T[] = [];
  #final: grpc.StatusObject | undefined;
  #wake: (() => void) | undefined;

  constructor(call: grpc.ClientReadableStream<T> | grpc.ClientDuplexStream<unknown, T>) {
    this.status = new Promise((resolve) => call.on("status", resolve));
    call.on("data", (message: T) => {
      this.#messages.push(message);
      this.#notify();
    });
    call.on("error", () => {}); // reported through 'status'
    void this.status.then((status) => {
      this.#final = status;
      this.#notify();
    });
  }

  async next(): Promise<T | undefined> {
    for (;;) {
      if (this.#messages.length > 0) return this.#messages.shift();
      if (this.#final) {
        if (this.#final.code === grpc.status.OK) return undefined;
        throw this.#final;
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

function echoRequestMetadata(): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set(ECHO_INITIAL_KEY, ECHO_INITIAL_VALUE);
  md.set(ECHO_TRAILING_KEY, Buffer.from(ECHO_TRAILING_VALUE));
  return md;
}

function checkEcho(headers: grpc.Metadata | undefined, trailers: grpc.Metadata, what: string): void {
  check(headers !== undefined, `${what}: no response headers`);
  const initial = headers.get(ECHO_INITIAL_KEY)[0];
  check(initial === ECHO_INITIAL_VALUE, `${what}: header ${ECHO_INITIAL_KEY} is ${JSON.stringify(initial)}, want ${JSON.stringify(ECHO_INITIAL_VALUE)}`);
  checkBytes(trailers.get(ECHO_TRAILING_KEY)[0], ECHO_TRAILING_VALUE, `${what}: trailer ${ECHO_TRAILING_KEY}`);
}

function zeros(size: number): Payload {
  return { type: 0, body: Buffer.alloc(size) };
}


function largeRequest(): SimpleRequest {
  return { responseType: 0, responseSize: LARGE_RESPONSE_SIZE, payload: zeros(LARGE_REQUEST_SIZE) };
}

function statusRequest(responseStatus: EchoStatus): SimpleRequest {
  return { responseType: 0, responseSize: 1, payload: zeros(1), responseStatus };
}

function streamingRequest(sizes: readonly number[], payloadSize?: number): StreamingOutputCallRequest {
  return {
    responseType: 0,
    responseParameters: sizes.map((size) => ({ size, intervalUs: 0 })),
    ...(payloadSize === undefined ? {} : { payload: zeros(payloadSize) }),
  };
}
