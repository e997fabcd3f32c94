import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GreeterClient, GreeterService, RouteGuideClient, RouteGuideService, fieldsOf, type RouteNoteInit } from "@backend/examples.js";
import { startServer, type Harness } from "./helpers/servers.js";

let h: Harness;

beforeAll(async () => {
  h = await startServer((server) => {
    server.add(GreeterService, { sayHello: (req) => ({ message: `Hello ${req.name}` }) });
    server.add(RouteGuideService, {
      getFeature: (point) => ({ name: "", location: point }),
      listFeatures: async () => {},
      recordRoute: async (points) => {
        let pointCount = 0;
        for await (const _ of points) pointCount++;
        return { pointCount, featureCount: 0, distance: 0, elapsedTime: 0 };
      },
      routeChat: async (notes, out) => {
        for await (const note of notes) await out.send({ ...note, message: `echo ${note.message}` });
      },
    });
  });
});
afterAll(() => h.close());

describe("generated code over a real grpc-js server", () => {
  it("carries a unary call", async () => {
    const client = new GreeterClient(h.channel);
    expect(fieldsOf(await client.sayHello({ name: "world" }))).toEqual({ message: "Hello world" });
  });

  it("carries a bidi call with a send loop and a receive loop side by side", async () => {
    const client = new RouteGuideClient(h.channel);
    const call = client.routeChat();
    const sent: RouteNoteInit[] = Array.from({ length: 50 }, (_, i) => ({ location: { latitude: i, longitude: -i }, message: `n${i}` }));
    const sending = (async () => {
      for (const note of sent) await call.sender.send(note);
      await call.sender.close();
    })();
    const received: string[] = [];
    for await (const note of call.receiver) received.push(note.message);
    await sending;
    expect(received).toEqual(sent.map((n) => `echo ${n.message}`));
  });
});
