// safestub runtime: everything generated code imports, and what users build on.
export { Code } from "./code.js";
export { Metadata, type MetadataInit, type MetadataValue } from "./metadata.js";
export {
  RpcError,
  StreamUsageError,
  ConcurrentSendError,
  SendAfterCloseError,
  ConcurrentRecvError,
  StreamEndedError,
} from "./errors.js";
export {
  type Codec,
  type MethodKind,
  type MethodDefinition,
  type ServiceDefinition,
  type HandlerFor,
  type HandlersOf,
  type UnaryHandler,
  type ServerStreamingHandler,
  type ClientStreamingHandler,
  type BidiStreamingHandler,
  unaryMethod,
  serverStreamingMethod,
  clientStreamingMethod,
  bidiStreamingMethod,
} from "./service.js";
export { Sender } from "./sender.js";
export { Receiver } from "./receiver.js";
export { type CallOptions } from "./call-options.js";
export { Channel, createChannel, type ChannelOptions, DEFAULT_PER_RPC_RETRY_BUFFER_SIZE } from "./channel.js";
export { CallInvoker, type StreamingCall, type ServerStreamingCall, type ClientStreamingCall, type BidiStreamingCall } from "./client.js";
export { Server, createServer, type ServerOptions } from "./server.js";
export { ServerContext } from "./server-context.js";
