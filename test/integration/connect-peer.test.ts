// A real client and server of the buf ecosystem as peers, on the same protoc-gen-es messages
// (gen/protobuf-es/route_guide_pb.ts, whose RouteGuide service descriptor Connect-ES uses): a
// Connect-ES v2 client (connect-node, gRPC protocol over HTTP/2) against a safestub server built
// with messages=protobuf-es, and safestub's client against a connect-node server, for all four
// call shapes, statuses and metadata. Both over loopback, no mocks.
import { create } from "@bufbuild/protobuf";
import { Code as ConnectCode, ConnectError, createClient, type ConnectRouter, type ServiceImpl } from "@connectrpc/connect";
import { connectNodeAdapter, createGrpcTransport } from "@connectrpc/connect-node";
import { createServer as createHttp2Server, type Http2Server } from "node:http2";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, createChannel, createServer, RpcError, type Channel, type Server } from "safestub";
import { RouteGuideClient, RouteGuideService, type RouteGuideHandlers } from "../../gen/protobuf-es/route_guide_grpc.js";
import { PointSchema, RouteGuide, type Point, type RouteNote } from "../../gen/protobuf-es/route_guide_pb.js";

/** Bounded input streams for the client- and bidi-streaming calls. */
async function* pointsOf(n: number) {
  for (let i = 1; i <= n; i++) yield { latitude: i, longitude: -i };
}
async function* notesOf(texts: string[]) {
  for (const message of texts) yield { message, location: { latitude: message.length } };
}

describe("Connect-ES client (connect-node, gRPC) x safestub server (protobuf-es)", () => {
  let server: Server;
  let baseUrl: string;
  const handlers: RouteGuideHandlers = {
    getFeature(point, ctx) {
      if (point.latitude === 0) throw new RpcError(Code.NOT_FOUND, "no feature at latitude 0");
      ctx.setHeader("x-served-by", "safestub");
      ctx.setTrailer("x-echo", ctx.metadata.get("x-ask") ?? "none");
      // The handler receives a real message and may answer with an init.
      return { name: `${point.$typeName} ${point.latitude},${point.longitude}`, location: point };
    },
    async listFeatures(rect, sender) {
      for (let i = rect.lo?.latitude ?? 0; i <= (rect.hi?.latitude ?? 0); i++) await sender.send({ name: `f${i}` });
    },
    async recordRoute(points) {
      let pointCount = 0;
      let distance = 0;
      for await (const p of points) {
        pointCount++;
        distance += Math.abs(p.latitude) + Math.abs(p.longitude);
      }
      return { pointCount, distance };
    },
    async routeChat(notes, sender) {
      for await (const note of notes) await sender.send({ message: note.message.toUpperCase(), location: note.location });
    },
  };

  beforeAll(async () => {
    server = createServer().add(RouteGuideService, handlers);
    baseUrl = `http://127.0.0.1:${await server.listen("127.0.0.1:0")}`;
  });
  afterAll(() => server.forceShutdown());

  const client = () => createClient(RouteGuide, createGrpcTransport({ baseUrl }));

  it("unary, with headers and trailers", async () => {
    let headers: Headers | undefined;
    let trailers: Headers | undefined;
    const feature = await client().getFeature({ latitude: 3, longitude: 4 }, { headers: { "x-ask": "hello" }, onHeader: (h) => (headers = h), onTrailer: (t) => (trailers = t) });
    expect(feature.$typeName).toBe("routeguide.Feature");
    expect(feature.name).toBe("routeguide.Point 3,4");
    expect(feature.location).toEqual(create(PointSchema, { latitude: 3, longitude: 4 }));
    expect(headers?.get("x-served-by")).toBe("safestub");
    expect(trailers?.get("x-echo")).toBe("hello");
  });

  it("a status from the handler reaches the Connect client as its ConnectError", async () => {
    const err = await client()
      .getFeature({ latitude: 0 })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(ConnectCode.NotFound);
    expect((err as ConnectError).rawMessage).toBe("no feature at latitude 0");
  });

  it("server streaming", async () => {
    const names: string[] = [];
    for await (const f of client().listFeatures({ lo: { latitude: 1 }, hi: { latitude: 4 } })) names.push(f.name);
    expect(names).toEqual(["f1", "f2", "f3", "f4"]);
  });

  it("client streaming", async () => {
    const summary = await client().recordRoute(pointsOf(50));
    expect(summary.$typeName).toBe("routeguide.RouteSummary");
    expect(summary.pointCount).toBe(50);
    expect(summary.distance).toBe(50 * 51);
  });

  it("bidi streaming", async () => {
    const got: string[] = [];
    for await (const n of client().routeChat(notesOf(["a", "bb", "ccc"]))) got.push(`${n.message}@${n.location?.latitude}`);
    expect(got).toEqual(["A@1", "BB@2", "CCC@3"]);
  });
});

describe("safestub client (protobuf-es) x connect-node server (gRPC)", () => {
  let http2: Http2Server;
  let channel: Channel;
  const impl: ServiceImpl<typeof RouteGuide> = {
    getFeature(point: Point, ctx) {
      if (point.latitude === 0) throw new ConnectError("no feature at latitude 0", ConnectCode.NotFound);
      ctx.responseHeader.set("x-served-by", "connect-node");
      ctx.responseTrailer.set("x-echo", ctx.requestHeader.get("x-ask") ?? "none");
      return { name: `${point.$typeName} ${point.latitude},${point.longitude}`, location: point };
    },
    async *listFeatures(rect) {
      for (let i = rect.lo?.latitude ?? 0; i <= (rect.hi?.latitude ?? 0); i++) yield { name: `f${i}` };
    },
    async recordRoute(points) {
      let pointCount = 0;
      for await (const _ of points) pointCount++;
      return { pointCount };
    },
    async *routeChat(notes: AsyncIterable<RouteNote>) {
      for await (const note of notes) yield { message: note.message.toUpperCase(), location: note.location };
    },
  };

  beforeAll(async () => {
    http2 = createHttp2Server(connectNodeAdapter({ routes: (router: ConnectRouter) => router.service(RouteGuide, impl) }));
    await new Promise<void>((resolve) => http2.listen(0, "127.0.0.1", resolve));
    channel = createChannel(`http://127.0.0.1:${(http2.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    channel.close();
    await new Promise<void>((resolve) => http2.close(() => resolve()));
  });

  it("unary, with headers and trailers", async () => {
    let headers: string | undefined;
    let trailers: string | undefined;
    const feature = await new RouteGuideClient(channel).getFeature(
      { latitude: 3, longitude: 4 },
      { metadata: { "x-ask": "hello" }, onHeaders: (md) => (headers = md.get("x-served-by") as string), onTrailers: (md) => (trailers = md.get("x-echo") as string) },
    );
    expect(feature.$typeName).toBe("routeguide.Feature");
    expect(feature.name).toBe("routeguide.Point 3,4");
    expect(headers).toBe("connect-node");
    expect(trailers).toBe("hello");
  });

  it("a ConnectError from the handler reaches the safestub client as its RpcError", async () => {
    await expect(new RouteGuideClient(channel).getFeature({ latitude: 0 })).rejects.toMatchObject({ code: Code.NOT_FOUND, details: "no feature at latitude 0" });
  });

  it("server streaming", async () => {
    const names: string[] = [];
    for await (const f of new RouteGuideClient(channel).listFeatures({ lo: { latitude: 1 }, hi: { latitude: 4 } }).receiver) names.push(f.name);
    expect(names).toEqual(["f1", "f2", "f3", "f4"]);
  });

  it("client streaming", async () => {
    const call = new RouteGuideClient(channel).recordRoute();
    await call.sender.sendAll(pointsOf(50));
    await call.sender.close();
    const summary = await call.response;
    expect(summary.$typeName).toBe("routeguide.RouteSummary");
    expect(summary.pointCount).toBe(50);
  });

  it("bidi streaming, a send loop and a receive loop side by side", async () => {
    const call = new RouteGuideClient(channel).routeChat();
    const sending = (async () => {
      await call.sender.sendAll(notesOf(["a", "bb", "ccc"]));
      await call.sender.close();
    })();
    const got: string[] = [];
    for await (const n of call.receiver) got.push(`${n.message}@${n.location?.latitude}`);
    await sending;
    expect(got).toEqual(["A@1", "BB@2", "CCC@3"]);
  });
});
