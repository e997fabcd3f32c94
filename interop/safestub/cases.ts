// The 14 interop client cases on safestub's generated TestServiceClient, and the two of the
// CompressedRequest feature (client_compressed_unary, client_compressed_streaming).
import { Code, type Metadata } from "safestub";
// One source for both message backends: `@backend/interop.js` is the ts-proto or the protobuf-es generated code.
import { fieldsOf, PayloadType, type EchoStatusInit, type PayloadInit, type SimpleRequestInit, type StreamingOutputCallRequestInit, type TestServiceClient, type UnimplementedServiceClient } from "@backend/interop.js";
import { check, checkBytes, checkZeros, expectProbeRefused, expectStatus } from "../check.js";
import type { Cases } from "../runner.js";
import {
  CLIENT_STREAMING_SIZES,
  CLIENT_STREAMING_TOTAL,
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

export function safestubCases(client: TestServiceClient, unimplemented: UnimplementedServiceClient): Cases<CaseName | CompressionCaseName> {
  return {
    async client_compressed_unary() {
      const expecting = (value: boolean) => simpleRequest(LARGE_RESPONSE_SIZE, LARGE_REQUEST_SIZE, undefined, value);
      await expectProbeRefused(client.unaryCall(expecting(true), { compression: "identity" }), "UnaryCall");
      const compressed = await client.unaryCall(expecting(true), { compression: "gzip" });
      checkZeros(compressed.payload?.body, LARGE_RESPONSE_SIZE, "compressed UnaryCall response");
      const plain = await client.unaryCall(expecting(false), { compression: "identity" });
      checkZeros(plain.payload?.body, LARGE_RESPONSE_SIZE, "uncompressed UnaryCall response");
    },

    async client_compressed_streaming() {
      const [first, second] = COMPRESSED_STREAMING_SIZES;
      const probing = client.streamingInputCall({ compression: "identity" });
      // The server may refuse the probe before the half-close: the send and close may then reject.
      await probing.sender.send({ payload: zeros(first), expectCompressed: { value: true } }).catch(() => {});
      await probing.sender.close().catch(() => {});
      await expectProbeRefused(probing.response, "StreamingInputCall");

      // One call, the first message compressed and the second not: compression is per message.
      const call = client.streamingInputCall({ compression: "gzip" });
      await call.sender.send({ payload: zeros(first), expectCompressed: { value: true } });
      await call.sender.send({ payload: zeros(second), expectCompressed: { value: false } }, { noCompression: true });
      await call.sender.close();
      const { aggregatedPayloadSize } = await call.response;
      check(aggregatedPayloadSize === COMPRESSED_STREAMING_TOTAL, `aggregated_payload_size ${aggregatedPayloadSize}, want ${COMPRESSED_STREAMING_TOTAL}`);
    },

    async empty_unary() {
      const response = await client.emptyCall({});
      check(Object.keys(fieldsOf(response)).length === 0, `EmptyCall: got ${JSON.stringify(response)}, want {}`);
    },

    async large_unary() {
      const response = await client.unaryCall(largeRequest());
      checkZeros(response.payload?.body, LARGE_RESPONSE_SIZE, "UnaryCall response");
    },

    async client_streaming() {
      const call = client.streamingInputCall();
      for (const size of CLIENT_STREAMING_SIZES) await call.sender.send({ payload: zeros(size), expectCompressed: undefined });
      await call.sender.close();
      const { aggregatedPayloadSize } = await call.response;
      check(aggregatedPayloadSize === CLIENT_STREAMING_TOTAL, `aggregated_payload_size ${aggregatedPayloadSize}, want ${CLIENT_STREAMING_TOTAL}`);
    },

    async server_streaming() {
      const call = client.streamingOutputCall(streamingRequest(SERVER_STREAMING_SIZES));
      const sizes: number[] = [];
      // The loop ends only at a clean end of stream (status OK); a failed status is thrown.
      for await (const response of call.receiver) {
        checkZeros(response.payload?.body, SERVER_STREAMING_SIZES[sizes.length] ?? 0, `response ${sizes.length}`);
        sizes.push(response.payload!.body.length);
      }
      check(sizes.length === SERVER_STREAMING_SIZES.length, `got ${sizes.length} responses, want ${SERVER_STREAMING_SIZES.length}`);
    },

    async ping_pong() {
      const call = client.fullDuplexCall();
      // Strictly alternating: one send, then one receive, on the two handles of one call.
      for (const [i, [responseSize, payloadSize]] of PING_PONG_ROUNDS.entries()) {
        await call.sender.send(streamingRequest([responseSize], payloadSize));
        const response = await call.receiver.recv();
        check(response !== undefined, `round ${i}: the stream ended before a response`);
        checkZeros(response.payload?.body, responseSize, `round ${i} response`);
      }
      await call.sender.close();
      const extra = await call.receiver.recv();
      check(extra === undefined, "a response after the last round");
    },

    async empty_stream() {
      const call = client.fullDuplexCall();
      await call.sender.close();
      const response = await call.receiver.recv();
      check(response === undefined, "a response on an empty stream");
    },

    async timeout_on_sleeping_server() {
      const call = client.fullDuplexCall({ timeoutMs: 1 });
      // The deadline may pass before the send is admitted: only DEADLINE_EXCEEDED is an acceptable failure there.
      await call.sender.send(streamingRequest([], TIMEOUT_REQUEST_SIZE)).catch(async (err: unknown) => {
        await expectStatus(Promise.reject(err), Code.DEADLINE_EXCEEDED, "send");
      });
      await expectStatus(call.receiver.recv(), Code.DEADLINE_EXCEEDED, "FullDuplexCall");
    },

    async cancel_after_begin() {
      const abort = new AbortController();
      const call = client.streamingInputCall({ signal: abort.signal });
      abort.abort();
      await expectStatus(call.response, Code.CANCELLED, "StreamingInputCall");
    },

    async cancel_after_first_response() {
      const call = client.fullDuplexCall();
      await call.sender.send(streamingRequest([PING_PONG_ROUNDS[0][0]], PING_PONG_ROUNDS[0][1]));
      const first = await call.receiver.recv();
      check(first !== undefined, "the stream ended before the first response");
      checkZeros(first.payload?.body, PING_PONG_ROUNDS[0][0], "first response");
      call.cancel();
      await expectStatus(call.receiver.recv(), Code.CANCELLED, "FullDuplexCall after cancel()");
    },

    async custom_metadata() {
      const metadata = { [ECHO_INITIAL_KEY]: ECHO_INITIAL_VALUE, [ECHO_TRAILING_KEY]: ECHO_TRAILING_VALUE };

      let unaryHeaders: Metadata | undefined;
      let unaryTrailers: Metadata | undefined;
      const response = await client.unaryCall(largeRequest(), {
        metadata,
        onHeaders: (md) => (unaryHeaders = md),
        onTrailers: (md) => (unaryTrailers = md),
      });
      checkZeros(response.payload?.body, LARGE_RESPONSE_SIZE, "UnaryCall response");
      checkEcho(unaryHeaders, unaryTrailers, "UnaryCall");

      const call = client.fullDuplexCall({ metadata });
      await call.sender.send(streamingRequest([LARGE_RESPONSE_SIZE], LARGE_REQUEST_SIZE));
      const streamed = await call.receiver.recv();
      check(streamed !== undefined, "FullDuplexCall: the stream ended before a response");
      checkZeros(streamed.payload?.body, LARGE_RESPONSE_SIZE, "FullDuplexCall response");
      await call.sender.close();
      check((await call.receiver.recv()) === undefined, "FullDuplexCall: a response after the only one");
      checkEcho(await call.headers, await call.trailers, "FullDuplexCall");
    },

    async status_code_and_message() {
      const responseStatus = { code: STATUS_CODE_UNKNOWN, message: STATUS_MESSAGE };
      await expectStatus(client.unaryCall(simpleRequest(1, 1, responseStatus)), STATUS_CODE_UNKNOWN, "UnaryCall", STATUS_MESSAGE);

      const call = client.fullDuplexCall();
      await call.sender.send(streamingRequest([1], 1, responseStatus));
      await call.sender.close();
      await expectStatus(call.receiver.recv(), STATUS_CODE_UNKNOWN, "FullDuplexCall", STATUS_MESSAGE);
    },

    async special_status_message() {
      const responseStatus = { code: STATUS_CODE_UNKNOWN, message: SPECIAL_STATUS_MESSAGE };
      await expectStatus(client.unaryCall(simpleRequest(1, 1, responseStatus)), STATUS_CODE_UNKNOWN, "UnaryCall", SPECIAL_STATUS_MESSAGE);
    },

    async unimplemented_method() {
      await expectStatus(client.unimplementedCall({}), Code.UNIMPLEMENTED, "TestService.UnimplementedCall");
    },

    async unimplemented_service() {
      await expectStatus(unimplemented.unimplementedCall({}), Code.UNIMPLEMENTED, "UnimplementedService.UnimplementedCall");
    },
  };
}


function checkEcho(headers: Metadata | undefined, trailers: Metadata | undefined, what: string): void {
  check(headers !== undefined, `${what}: no response headers`);
  const initial = headers.get(ECHO_INITIAL_KEY);
  check(initial === ECHO_INITIAL_VALUE, `${what}: header ${ECHO_INITIAL_KEY} is ${JSON.stringify(initial)}, want ${JSON.stringify(ECHO_INITIAL_VALUE)}`);
  check(trailers !== undefined, `${what}: no trailers`);
  checkBytes(trailers.get(ECHO_TRAILING_KEY), ECHO_TRAILING_VALUE, `${what}: trailer ${ECHO_TRAILING_KEY}`);
}

function zeros(size: number): PayloadInit {
  return { type: PayloadType.COMPRESSABLE, body: Buffer.alloc(size) };
}

/** UnaryCall {response_size 314159, payload 271828 zero bytes}: large_unary's request, and every negative HTTP/2 case's. */
export function largeRequest(): SimpleRequestInit {
  return simpleRequest(LARGE_RESPONSE_SIZE, LARGE_REQUEST_SIZE);
}

/** A full SimpleRequest (ts-proto needs every field): `responseSize` zero bytes asked for, `payloadSize` sent, a status to end with, and whether the server must find it compressed. */
function simpleRequest(responseSize: number, payloadSize: number, responseStatus?: EchoStatusInit, expectCompressed?: boolean): SimpleRequestInit {
  return {
    responseType: PayloadType.COMPRESSABLE,
    responseSize,
    payload: zeros(payloadSize),
    fillUsername: false,
    fillOauthScope: false,
    responseCompressed: undefined,
    responseStatus,
    expectCompressed: expectCompressed === undefined ? undefined : { value: expectCompressed },
    fillServerId: false,
  };
}

/** A request asking for one response per entry of `sizes`, optionally carrying a payload. */
function streamingRequest(sizes: readonly number[], payloadSize?: number, responseStatus?: EchoStatusInit): StreamingOutputCallRequestInit {
  return {
    responseType: PayloadType.COMPRESSABLE,
    responseParameters: sizes.map((size) => ({ size, intervalUs: 0, compressed: undefined })),
    payload: payloadSize === undefined ? undefined : zeros(payloadSize),
    responseStatus,
  };
}
