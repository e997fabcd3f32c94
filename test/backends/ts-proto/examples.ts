// The example protos' generated code (type contract, examples) with ts-proto messages: what `@backend/examples.js` resolves to.
// test/backends/protobuf-es/examples.ts exports the same names.
export { GreeterClient, GreeterService, type GreeterHandlers } from "../../../gen/helloworld_grpc.js";
export type { HelloReply } from "../../../gen/helloworld.js";
export { EchoClient, EchoService, type EchoHandlers } from "../../../gen/echo_grpc.js";
export { RouteGuideClient, RouteGuideService, type RouteGuideHandlers } from "../../../gen/route_guide_grpc.js";
export type { Feature, Point, Rectangle, RouteNote, RouteSummary } from "../../../gen/route_guide.js";
// ts-proto sends messages as they are received: the inputs are the message types.
export type { Feature as FeatureInit, Point as PointInit, Rectangle as RectangleInit, RouteNote as RouteNoteInit } from "../../../gen/route_guide.js";
export { fieldsOf, messages, withoutTypeNames } from "./messages.js";
