import * as grpc from "@grpc/grpc-js";

/** A grpc-js server interceptor that passes the response metadata and each message on a turn of the event loop later. */
export const passesOnLater: grpc.ServerInterceptor = (_method, call) =>
  new grpc.ServerInterceptingCall(call, {
    sendMetadata: (metadata, next) => setImmediate(() => next(metadata)),
    sendMessage: (message, next) => setImmediate(() => next(message)),
  });
