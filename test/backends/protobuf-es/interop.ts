// The interop suite's generated code with protoc-gen-es messages (messages=protobuf-es): the
// names test/backends/ts-proto/interop.ts exports, from gen/protobuf-es/.
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { EchoStatusSchema, PayloadSchema, SimpleRequestSchema, SimpleResponseSchema, StreamingOutputCallRequestSchema, StreamingOutputCallResponseSchema } from "../../../gen/protobuf-es/grpc/testing/messages_pb.js";

export {
  PayloadType,
  type EchoStatus,
  type Payload,
  type SimpleRequest,
  type SimpleResponse,
  type StreamingOutputCallRequest,
  type StreamingOutputCallResponse,
} from "../../../gen/protobuf-es/grpc/testing/messages_pb.js";
// What senders give: a partial init or a message.
export type EchoStatusInit = MessageInitShape<typeof EchoStatusSchema>;
export type PayloadInit = MessageInitShape<typeof PayloadSchema>;
export type SimpleRequestInit = MessageInitShape<typeof SimpleRequestSchema>;
export type SimpleResponseInit = MessageInitShape<typeof SimpleResponseSchema>;
export type StreamingOutputCallRequestInit = MessageInitShape<typeof StreamingOutputCallRequestSchema>;
export type StreamingOutputCallResponseInit = MessageInitShape<typeof StreamingOutputCallResponseSchema>;
export { TestServiceClient, TestServiceService, UnimplementedServiceClient, type TestServiceHandlers } from "../../../gen/protobuf-es/grpc/testing/test_grpc.js";
export { fieldsOf, messages } from "./messages.js";
