// The example protos' generated code (type contract, examples) with protobuf-es messages: what `@backend/examples.js` resolves to.
// test/backends/ts-proto/examples.ts exports the same names.
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { FeatureSchema, PointSchema, RectangleSchema, RouteNoteSchema } from "../../../gen/protobuf-es/route_guide_pb.js";
export { GreeterClient, GreeterService, type GreeterHandlers } from "../../../gen/protobuf-es/helloworld_grpc.js";
export type { HelloReply } from "../../../gen/protobuf-es/helloworld_pb.js";
export { EchoClient, EchoService, type EchoHandlers } from "../../../gen/protobuf-es/echo_grpc.js";
export { RouteGuideClient, RouteGuideService, type RouteGuideHandlers } from "../../../gen/protobuf-es/route_guide_grpc.js";
export type { Feature, Point, Rectangle, RouteNote, RouteSummary } from "../../../gen/protobuf-es/route_guide_pb.js";
// What senders give: a partial init or a message.
export type FeatureInit = MessageInitShape<typeof FeatureSchema>;
export type PointInit = MessageInitShape<typeof PointSchema>;
export type RectangleInit = MessageInitShape<typeof RectangleSchema>;
export type RouteNoteInit = MessageInitShape<typeof RouteNoteSchema>;
export { fieldsOf, messages, withoutTypeNames } from "./messages.js";
