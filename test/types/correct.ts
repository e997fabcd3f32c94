// Correct uses of generated code: this file must type-check with no error
// (test/type-contract.test.ts) and lint clean with safestub/eslint
// (test/eslint-rule.test.ts). It is compiled, never run.
import { createChannel, createServer, type BidiStreamingCall, type CallOptions, type ChannelOptions, type ClientInterceptor, type Receiver, type Sender, type ServerInterceptor, type ServerOptions } from "safestub";
// One source for both message backends: `@backend/examples.js` is the ts-proto or the protobuf-es generated code.
import { GreeterClient, GreeterService, RouteGuideClient, RouteGuideService, type GreeterHandlers, type HelloReply, type RouteGuideHandlers, type Feature, type Point, type RouteNote, type RouteNoteInit, type RouteSummary } from "@backend/examples.js";

const channel = createChannel("127.0.0.1:50051", { compression: undefined });
const client = new RouteGuideClient(channel);
const greeter = new GreeterClient(channel, { timeoutMs: 1000 });

export async function unary(): Promise<string> {
  const reply: HelloReply = await greeter.sayHello({ name: "world" });
  const feature: Feature = await client.getFeature({ latitude: 1, longitude: 2 }, { timeoutMs: 500 });
  return reply.message + feature.name;
}

export async function serverStreaming(): Promise<number> {
  const call = client.listFeatures({ lo: { latitude: 0, longitude: 0 }, hi: { latitude: 1, longitude: 1 } });
  let count = 0;
  for await (const feature of call.receiver) count += feature.name.length;
  return count;
}

export async function serverStreamingWithRecv(): Promise<string[]> {
  await using call = client.listFeatures({ lo: undefined, hi: undefined });
  const names: string[] = [];
  for (;;) {
    const feature = await call.receiver.recv();
    if (feature === undefined) break; // the clean end of the stream
    names.push(feature.name);
  }
  return names;
}

export async function clientStreaming(points: Point[]): Promise<RouteSummary> {
  const call = client.recordRoute({ timeoutMs: 1000, compression: "gzip" });
  for (const point of points) await call.sender.send(point, { noCompression: points.length > 100 });
  await call.sender.send(points[0]!, { noCompression: undefined }); // explicit undefined, as every option
  await call.sender.close();
  return call.response;
}

export async function clientStreamingWithSendAll(points: AsyncIterable<Point>): Promise<number> {
  const call = client.recordRoute();
  await call.sender.sendAll(points);
  await call.sender.close();
  const summary = await call.response;
  return summary.pointCount;
}

/** One send loop and one receive loop side by side: one pending operation per handle. */
export async function bidi(notes: RouteNote[]): Promise<RouteNote[]> {
  const call = client.routeChat();
  const received: RouteNote[] = [];
  const sending = async () => {
    for (const note of notes) await call.sender.send(note);
    await call.sender.close();
  };
  const receiving = async () => {
    for await (const note of call.receiver) received.push(note);
  };
  await Promise.all([sending(), receiving()]);
  return received;
}

/** A helper that takes one whole call: its halves belong together. */
export async function chat(call: BidiStreamingCall<RouteNoteInit, RouteNote>, note: RouteNoteInit): Promise<RouteNote | undefined> {
  await call.sender.send(note);
  await call.sender.close();
  return call.receiver.recv();
}

export async function useChat(): Promise<string> {
  const reply = await chat(client.routeChat(), { location: undefined, message: "hi" });
  return reply?.message ?? "";
}

/** Helpers may take one half each. */
export function sendOne(sender: Sender<RouteNote>, note: RouteNote): Promise<void> {
  return sender.send(note);
}

export async function firstNote(receiver: Receiver<RouteNote>): Promise<RouteNote | undefined> {
  return await receiver.recv();
}

const routeGuide: RouteGuideHandlers = {
  async getFeature(point) {
    return { name: `at ${point.latitude},${point.longitude}`, location: point };
  },
  async listFeatures(rectangle, sender, ctx) {
    if (ctx.signal.aborted) return;
    await sender.send({ name: "lo", location: rectangle.lo });
    await sender.sendAll([{ name: "hi", location: rectangle.hi }]);
    await sender.close();
  },
  async recordRoute(receiver) {
    let pointCount = 0;
    for await (const point of receiver) pointCount += point.latitude === 0 ? 0 : 1;
    return { pointCount, featureCount: 0, distance: 0, elapsedTime: 0 };
  },
  async routeChat(receiver, sender) {
    for await (const note of receiver) await sender.send({ location: note.location, message: `echo: ${note.message}` });
  },
};

const greeterHandlers: GreeterHandlers = {
  sayHello: (request) => ({ message: `hello ${request.name}` }),
};

export const server = createServer().add(RouteGuideService, routeGuide).add(GreeterService, greeterHandlers);

// Under exactOptionalPropertyTypes, option bags take `undefined` explicitly, so options can be built
// from optional values without spreading conditionally.
export function optionsFrom(config: { timeoutMs?: number; signal?: AbortSignal; graceMs?: number; options?: ChannelOptions }): CallOptions {
  const call: CallOptions = { timeoutMs: config.timeoutMs, signal: config.signal, deadline: undefined, metadata: undefined, onHeaders: undefined, onTrailers: undefined };
  createChannel("http://127.0.0.1:1", { credentials: config.options?.credentials, grpcOptions: config.options?.grpcOptions }).close();
  const serverOptions: ServerOptions = { credentials: undefined, grpcOptions: undefined, onHandlerError: undefined };
  void createServer(serverOptions).shutdown({ graceMs: config.graceMs });
  return call;
}

export function interceptors(): void {
  // One interceptor for every call shape; it narrows messages with the method's own types.
  const names: string[] = [];
  const logNames: ClientInterceptor = (next) => async (req) => {
    const res = await next(req);
    return {
      ...res,
      messages: (async function* () {
        for await (const m of res.messages) {
          if (req.method.path === "/routeguide.RouteGuide/GetFeature") names.push((m as Feature).name);
          yield m;
        }
      })(),
    };
  };
  const auth: ServerInterceptor = (next) => async (req) => {
    req.context.setTrailer("x-seen", "1");
    return next(req);
  };
  const channel = createChannel("http://127.0.0.1:50051", { interceptors: [logNames] });
  const client = new RouteGuideClient(channel, { interceptors: [logNames] });
  void client.getFeature({ latitude: 1, longitude: 2 }, { interceptors: [] });
  void createServer({ interceptors: [auth] });
}

export function partialServer(): void {
  // A fake for tests: only the method under test; the rest answer UNIMPLEMENTED.
  createServer().addPartial(RouteGuideService, { getFeature: async (point) => ({ name: "here", location: point }) });
}
