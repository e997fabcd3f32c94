// Misuses of generated code that must NOT compile. Each one sits on the line
// under a `// @ts-expect-error TSnnnn what` directive: tsc fails (TS2578) if a
// misuse starts compiling, and test/type-contract.test.ts also compiles this
// file with the directives removed to check that each line fails with the
// error code named in its directive, and that no other line fails. It runs
// on both message backends; where protobuf-es's types give another code, the
// directive names it too: `TSnnnn (protobuf-es TSmmmm) what`.
// It is compiled, never run.
import { createChannel, createServer, type BidiStreamingCall, type ClientInterceptor, type ClientStreamingCall, type Receiver, type Sender, type ServerInterceptor, type ServerNext } from "safestub";
// One source for both message backends: `@backend/examples.js` is the ts-proto or the protobuf-es generated code.
import { GreeterClient, RouteGuideClient, RouteGuideService, type HelloReply, type RouteGuideHandlers, type Feature, type Point, type Rectangle, type RouteNote, type RouteSummary } from "@backend/examples.js";

declare const point: Point;
declare const note: RouteNote;
declare const feature: Feature;
declare const rectangle: Rectangle;
declare const summary: RouteSummary;

const channel = createChannel("127.0.0.1:50051");
const client = new RouteGuideClient(channel);
const greeter = new GreeterClient(channel);

export async function callShapes(): Promise<void> {
  const recordRoute = client.recordRoute();
  const listFeatures = client.listFeatures(rectangle);

  // @ts-expect-error TS2339 receiving on a client-streaming call
  await recordRoute.receiver.recv();
  // @ts-expect-error TS2339 sending on a server-streaming call
  await listFeatures.sender.send(rectangle);
  // @ts-expect-error TS2339 a server-streaming call has no single response
  await listFeatures.response;
  // @ts-expect-error TS2339 stream handles on a unary call: no sender
  await client.getFeature(point).sender.send(point);
  // @ts-expect-error TS2339 stream handles on a unary call: no receiver
  await greeter.sayHello({ name: "x" }).receiver.recv();
  // @ts-expect-error TS2559 (protobuf-es TS2345) calling a client-streaming method with a request
  client.recordRoute(point);
  // @ts-expect-error TS2559 (protobuf-es TS2345) calling a bidi-streaming method with a request
  client.routeChat(note);
  // @ts-expect-error TS2554 calling a unary method without a request
  await client.getFeature();
  // @ts-expect-error TS2554 calling a server-streaming method without a request
  client.listFeatures();
  // @ts-expect-error TS2345 calling a unary method with the wrong request type
  await greeter.sayHello(point);
  // @ts-expect-error TS2345 calling a server-streaming method with the wrong request type
  client.listFeatures(point);
  // @ts-expect-error TS2322 a compression safestub does not send
  await greeter.sayHello({ name: "x" }, { compression: "br" });
  // @ts-expect-error TS2322 a channel compression safestub does not send
  createChannel("127.0.0.1:50051", { compression: "deflate" });
  // @ts-expect-error TS2353 a send option that does not exist
  await recordRoute.sender.send(point, { compress: false });
}

export async function handleDirections(sender: Sender<RouteNote>, receiver: Receiver<RouteNote>): Promise<void> {
  // @ts-expect-error TS2339 `send` on a Receiver
  await receiver.send(note);
  // @ts-expect-error TS2339 `sendAll` on a Receiver
  await receiver.sendAll([note]);
  // @ts-expect-error TS2339 `close` on a Receiver
  await receiver.close();
  // @ts-expect-error TS2339 `recv` on a Sender
  await sender.recv();
  // @ts-expect-error TS2504 iterating a Sender
  for await (const n of sender) void n;
  // @ts-expect-error TS2488 iterating a Receiver synchronously
  for (const n of receiver) void n;
}

export async function wrongMessageTypes(): Promise<void> {
  const recordRoute = client.recordRoute();
  const routeChat = client.routeChat();
  const listFeatures = client.listFeatures(rectangle);

  // @ts-expect-error TS2345 the wrong message type on a client-streaming Sender
  await recordRoute.sender.send(note);
  // @ts-expect-error TS2345 the wrong message type in sendAll
  await recordRoute.sender.sendAll([note]);
  // @ts-expect-error TS2345 the wrong message type on a bidi Sender
  await routeChat.sender.send(point);
  // @ts-expect-error TS2322 the wrong message type from a bidi Receiver
  const a: Point | undefined = await routeChat.receiver.recv();
  // @ts-expect-error TS2739 (protobuf-es TS2322) the wrong message type from a server-streaming Receiver
  for await (const f of listFeatures.receiver) { const p: Point = f; void p; }
  // @ts-expect-error TS2739 (protobuf-es TS2322) the wrong message type for a client-streaming response
  const b: Feature = await recordRoute.response;
  // @ts-expect-error TS2741 (protobuf-es TS2322) the wrong message type for a unary response
  const c: HelloReply = await client.getFeature(point);
  void [a, b, c];
}

export async function endOfStream(receiver: Receiver<RouteNote>): Promise<string> {
  const next = await receiver.recv();
  // @ts-expect-error TS18048 using recv()'s result without checking for the end of the stream
  return next.message;
}

/** A helper that takes one whole bidi call. */
declare function chat(call: BidiStreamingCall<RouteNote, RouteNote>): Promise<void>;
/** A helper that takes one whole client-streaming call. */
declare function record(call: ClientStreamingCall<Point, RouteSummary>): Promise<void>;

export async function mixedHalves(): Promise<void> {
  const callA = client.routeChat();
  const callB = client.routeChat();
  // @ts-expect-error TS2345 the halves of two different calls where a call is expected
  await chat({ sender: callA.sender, receiver: callB.receiver });
  // @ts-expect-error TS2345 the halves of two different calls, with the rest of one call spread in
  await chat({ ...callA, receiver: callB.receiver });
  // @ts-expect-error TS2345 one call's halves rebuilt into a new object: only the call object itself qualifies
  await chat({ ...callA });
  // @ts-expect-error TS2345 the sender of one call and the response of another
  await record({ ...client.recordRoute(), response: client.recordRoute().response });
  // @ts-expect-error TS2540 swapping a half of a call afterwards
  callA.receiver = callB.receiver;
}

type Handler<K extends keyof RouteGuideHandlers> = RouteGuideHandlers[K];

// The wrong message type in each handler kind.
// @ts-expect-error TS2322 the wrong response type from a unary handler
export const unaryWrongResponse: Handler<"getFeature"> = async () => summary;
// @ts-expect-error TS2345 the wrong response type sent from a server-streaming handler
export const serverStreamingWrongResponse: Handler<"listFeatures"> = async (_rectangle, sender) => { await sender.send(point); };
// @ts-expect-error TS2322 the wrong response type from a client-streaming handler
export const clientStreamingWrongResponse: Handler<"recordRoute"> = async () => feature;
// @ts-expect-error TS2345 the wrong response type sent from a bidi handler
export const bidiWrongResponse: Handler<"routeChat"> = async (_receiver, sender) => { await sender.send(point); };
// @ts-expect-error TS2322 the wrong request type in a unary handler
export const unaryWrongRequest: Handler<"getFeature"> = async (request: Rectangle) => ({ name: "", location: request.lo });
// @ts-expect-error TS2322 the wrong request type in a server-streaming handler
export const serverStreamingWrongRequest: Handler<"listFeatures"> = async (request: Point, sender) => { void request; await sender.close(); };
// @ts-expect-error TS2322 the wrong request type in a client-streaming handler
export const clientStreamingWrongRequest: Handler<"recordRoute"> = async (receiver: Receiver<RouteNote>) => { void receiver; return summary; };
// @ts-expect-error TS2322 the wrong request type in a bidi handler
export const bidiWrongRequest: Handler<"routeChat"> = async (receiver: Receiver<Point>, sender) => { void receiver; await sender.close(); };

// The wrong handler shape.
// @ts-expect-error TS2322 returning a message from a server-streaming handler instead of sending it
export const serverStreamingReturns: Handler<"listFeatures"> = async (rectangle) => ({ name: "x", location: rectangle.lo });
// @ts-expect-error TS2322 receiving in a server-streaming handler: its second argument is a Sender
export const serverStreamingReceives: Handler<"listFeatures"> = async (_rectangle, receiver: Receiver<Feature>) => { await receiver.recv(); };
// @ts-expect-error TS2322 a client-streaming handler given a request instead of a Receiver
export const clientStreamingTakesRequest: Handler<"recordRoute"> = async (request: Point) => ({ ...summary, pointCount: request.latitude });
// @ts-expect-error TS2322 a client-streaming handler sending its response instead of returning it
export const clientStreamingSends: Handler<"recordRoute"> = async (_receiver, sender: Sender<RouteSummary>) => { await sender.send(summary); };
// @ts-expect-error TS2322 sending from a unary handler: it has no Sender, it returns the response
export const unarySends: Handler<"getFeature"> = async (_point, sender: Sender<Feature>) => { await sender.send(feature); return feature; };
// @ts-expect-error TS2322 a bidi handler with its handles swapped
export const bidiSwapped: Handler<"routeChat"> = async (sender: Sender<RouteNote>, receiver: Receiver<RouteNote>) => { await sender.send(note); await receiver.recv(); };

export function interceptorMisuses(): void {
  // @ts-expect-error TS2322 a client interceptor returns what next returns (a Promise of a ClientResponse), not a message
  const wrongResult: ClientInterceptor = () => async () => feature;
  const reading: ClientInterceptor = (next) => async (req) => {
    for await (const message of req.messages) {
      // @ts-expect-error TS18046 messages are unknown until the interceptor narrows them
      void message.name;
    }
    return next(req);
  };
  // @ts-expect-error TS2322 a server interceptor is not a client interceptor
  const crossed: ClientInterceptor = ((next: ServerNext) => next) as ServerInterceptor;
  void [wrongResult, reading, crossed];
}

export function partialServerMisuses(): void {
  const server = createServer();
  // @ts-expect-error TS2561 addPartial still refuses a method the service does not have (a misspelt getFeature)
  server.addPartial(RouteGuideService, { getFeatures: async () => feature });
  // @ts-expect-error TS2322 and a handler of the wrong shape
  server.addPartial(RouteGuideService, { getFeature: async () => note });
}
