// What the generated health code (gen/) imports instead of "safestub" (buf.gen.health.yaml sets
// runtime_import to this module): the same names, from the neutral layers only, so the health
// layer stays off the transports (test/runtime/layers.test.ts) and the package needs no import
// of itself.
export { tsProtoCodec } from "../core/codec.js";
export { unaryMethod, serverStreamingMethod, clientStreamingMethod, bidiStreamingMethod, type MethodDefinition } from "../core/method.js";
export type { EmbeddedFile } from "../core/service-file.js";
export type { CallOptions } from "../core/call-options.js";
export { Channel } from "../client/channel.js";
export type { ServerStreamingCall, ClientStreamingCall, BidiStreamingCall } from "../client/calls.js";
export { CallInvoker } from "../client/invoker.js";
export type { UnaryHandler, ServerStreamingHandler, ClientStreamingHandler, BidiStreamingHandler } from "../server/handlers.js";
