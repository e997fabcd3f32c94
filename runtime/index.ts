// safestub runtime: everything generated code imports, and what users build on.
export { Code } from "./core/code.js";
export { Metadata, type MetadataInit, type MetadataValue } from "./core/metadata.js";
export {
  RpcError,
  StreamUsageError,
  ConcurrentSendError,
  SendAfterCloseError,
  ConcurrentRecvError,
  StreamEndedError,
  type RpcErrorOptions,
} from "./core/errors.js";
export {
  encodeStatus,
  decodeStatus,
  type RpcStatus,
  type StatusDetail,
  type StatusDetailInit,
  type StatusDetailKind,
  type Duration,
  type ErrorInfo,
  type BadRequest,
  type RetryInfo,
  type QuotaFailure,
  type PreconditionFailure,
  type ResourceInfo,
  type Help,
  type LocalizedMessage,
  type DebugInfo,
  type RequestInfo,
  type AnyDetail,
} from "./core/status-details.js";
export { type Codec, type TsProtoMessageFns, tsProtoCodec } from "./core/codec.js";
export {
  type MethodKind,
  type MethodDefinition,
  type ServiceDefinition,
  unaryMethod,
  serverStreamingMethod,
  clientStreamingMethod,
  bidiStreamingMethod,
} from "./core/method.js";
export { type EmbeddedFile, type DescFileLike, type ServiceFile } from "./core/service-file.js";
export { type CallOptions, type Compression } from "./core/call-options.js";
export { type ClientInterceptor, type ClientNext, type ClientRequest, type ClientResponse } from "./core/interceptor.js";
export { Sender, type SendOptions } from "./stream/sender.js";
export { Receiver } from "./stream/receiver.js";
export { Channel } from "./client/channel.js";
export { type StreamingCall, type ServerStreamingCall, type ClientStreamingCall, type BidiStreamingCall } from "./client/calls.js";
export { CallInvoker } from "./client/invoker.js";
export {
  type HandlerFor,
  type HandlersOf,
  type UnaryHandler,
  type ServerStreamingHandler,
  type ClientStreamingHandler,
  type BidiStreamingHandler,
} from "./server/handlers.js";
export { ServerContext } from "./server/context.js";
export { Server, type ServerBehaviour } from "./server/server.js";
export { type ServerInterceptor, type ServerNext, type ServerRequest, type ServerResponse } from "./server/interceptor.js";
export { createChannel, type ChannelOptions } from "./transport/grpc-js/channel.js";
export type { ResetLimit } from "./transport/grpc-js/reset-budget.js";
export { DEFAULT_PER_RPC_RETRY_BUFFER_SIZE } from "./transport/grpc-js/retry-buffer.js";
export { createServer, type ServerOptions } from "./transport/grpc-js/server.js";
