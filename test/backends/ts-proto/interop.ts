// The interop suite's generated code with ts-proto messages: what `@backend/interop.js` resolves to
// for the ts-proto backend. test/backends/protobuf-es/interop.ts exports the same names, so the
// interop programs are one source for both backends (a tsconfig `paths` entry picks the backend).
export {
  PayloadType,
  type EchoStatus,
  type Payload,
  type SimpleRequest,
  type SimpleResponse,
  type StreamingOutputCallRequest,
  type StreamingOutputCallResponse,
} from "../../../gen/grpc/testing/messages.js";
// ts-proto sends messages as they are received: the inputs are the message types.
export type {
  EchoStatus as EchoStatusInit,
  Payload as PayloadInit,
  SimpleRequest as SimpleRequestInit,
  SimpleResponse as SimpleResponseInit,
  StreamingOutputCallRequest as StreamingOutputCallRequestInit,
  StreamingOutputCallResponse as StreamingOutputCallResponseInit,
} from "../../../gen/grpc/testing/messages.js";
export { TestServiceClient, TestServiceService, UnimplementedServiceClient, type TestServiceHandlers } from "../../../gen/grpc/testing/test_grpc.js";
export { fieldsOf, messages } from "./messages.js";
