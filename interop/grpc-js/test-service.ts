// The interop TestService written directly on @grpc/grpc-js (callbacks and
// Node streams), as a reference implementation that shares no code with safestub's runtime.
import * as grpc from "@grpc/grpc-js";
import { ECHO_INITIAL_KEY, ECHO_TRAILING_KEY } from "../spec.js";
import type { EchoStatus, Payload, SimpleRequest, SimpleResponse, StreamingInputCallRequest, StreamingOutputCallRequest, StreamingOutputCallResponse } from "./proto.js";

type Duplex = grpc.ServerDuplexStream<StreamingOutputCallRequest, StreamingOutputCallResponse>;
/** What responding needs of a server-streaming or duplex call. */
type ResponseWriter = Pick<Duplex, "cancelled" | "write">;

export const grpcJsTestService: grpc.UntypedServiceImplementation = {
  EmptyCall(call: grpc.ServerUnaryCall<object, object>, callback: grpc.sendUnaryData<object>) {
    callback(null, {}, echoMetadata(call));
  },

  UnaryCall: unaryCall,
  CacheableUnaryCall: unaryCall,

  StreamingOutputCall(call: grpc.ServerWritableStream<StreamingOutputCallRequest, StreamingOutputCallResponse>) {
    const trailers = echoMetadata(call);
    respond(call, call.request, trailers).then(
      () => call.end(trailers),
      (status: grpc.StatusObject) => call.emit("error", status),
    );
  },

  StreamingInputCall(call: grpc.ServerReadableStream<StreamingInputCallRequest, unknown>, callback: grpc.sendUnaryData<unknown>) {
    const trailers = echoMetadata(call);
    let aggregatedPayloadSize = 0;
    call.on("data", (request: StreamingInputCallRequest) => (aggregatedPayloadSize += request.payload?.body?.length ?? 0));
    call.on("end", () => callback(null, { aggregatedPayloadSize }, trailers));
  },

  FullDuplexCall(call: Duplex) {
    const trailers = echoMetadata(call);
    const responder = new SequentialResponder(call, trailers);
    call.on("data", (request: StreamingOutputCallRequest) => responder.respond(request));
    call.on("end", () => responder.finish());
    call.on("error", () => {});
  },

  HalfDuplexCall(call: Duplex) {
    const trailers = echoMetadata(call);
    const responder = new SequentialResponder(call, trailers);
    const requests: StreamingOutputCallRequest[] = [];
    call.on("data", (request: StreamingOutputCallRequest) => requests.push(request));
    call.on("end", () => {
      for (const request of requests) responder.respond(request);
      responder.finish();
    });
    call.on("error", () => {});
  },

  UnimplementedCall(_call: grpc.ServerUnaryCall<object, object>, callback: grpc.sendUnaryData<object>) {
    callback({ code: grpc.status.UNIMPLEMENTED, details: "UnimplementedCall is not implemented" });
  },
};

function unaryCall(call: grpc.ServerUnaryCall<SimpleRequest, SimpleResponse>, callback: grpc.sendUnaryData<SimpleResponse>): void {
  const trailers = echoMetadata(call);
  const status = requestedStatus(call.request.responseStatus, trailers);
  if (status) return callback(status);
  callback(null, { payload: zeros(call.request.responseSize ?? 0) }, trailers);
}

/** Writes one response per response_parameters entry; rejects with a StatusObject when one is requested. */
async function respond(call: ResponseWriter, request: StreamingOutputCallRequest, trailers: grpc.Metadata): Promise<void> {
  const status = requestedStatus(request.responseStatus, trailers);
  if (status) throw status;
  for (const params of request.responseParameters ?? []) {
    if (params.intervalUs) await new Promise((resolve) => setTimeout(resolve, params.intervalUs! / 1000));
    if (call.cancelled) return;
    call.write({ payload: zeros(params.size) });
  }
}

/**
 * Answers a duplex call's requests one after the other, in arrival order. The
 * first requested status ends the call; later requests are ignored.
 */
class SequentialResponder {
  readonly #call: Duplex;
  readonly #trailers: grpc.Metadata;
  #chain = Promise.resolve();
  #failed = false;

  constructor(call: Duplex, trailers: grpc.Metadata) {
    this.#call = call;
    this.#trailers = trailers;
  }

  respond(request: StreamingOutputCallRequest): void {
    this.#chain = this.#chain.then(async () => {
      if (this.#failed) return;
      try {
        await respond(this.#call, request, this.#trailers);
      } catch (status) {
        this.#failed = true;
        this.#call.emit("error", status);
      }
    });
  }

  /** The client half-closed: end with OK once every response went out (unless a status already ended the call). */
  finish(): void {
    void this.#chain.then(() => {
      if (!this.#failed) this.#call.end(this.#trailers);
    });
  }
}

/** Sends x-grpc-test-echo-initial back as a header now; returns the trailers to send (x-grpc-test-echo-trailing-bin). */
function echoMetadata(call: { metadata: grpc.Metadata; sendMetadata(md: grpc.Metadata): void }): grpc.Metadata {
  const initial = call.metadata.get(ECHO_INITIAL_KEY);
  if (initial.length > 0) {
    const headers = new grpc.Metadata();
    for (const value of initial) headers.add(ECHO_INITIAL_KEY, value);
    call.sendMetadata(headers);
  }
  const trailers = new grpc.Metadata();
  for (const value of call.metadata.get(ECHO_TRAILING_KEY)) trailers.add(ECHO_TRAILING_KEY, value);
  return trailers;
}

function requestedStatus(status: EchoStatus | null | undefined, trailers: grpc.Metadata): grpc.StatusObject | undefined {
  if (!status || status.code === 0) return undefined;
  return { code: status.code, details: status.message, metadata: trailers };
}

function zeros(size: number): Payload {
  return { type: 0, body: Buffer.alloc(size) };
}
