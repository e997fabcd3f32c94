// What only protobuf-es messages (messages=protobuf-es) allow and require: a sender takes a partial
// init or a full message, a receiver yields the message type with its `$typeName`, on the client and
// in handlers. Compiled by test/types/tsconfig.protobuf-es.json only (see type-contract.test.ts);
// each @ts-expect-error must stay an error (TS2578 otherwise). It is compiled, never run.
import { create } from "@bufbuild/protobuf";
import { createChannel, type Receiver, type Sender } from "safestub";
import { RouteGuideClient, type RouteGuideHandlers } from "../../../gen/protobuf-es/route_guide_grpc.js";
import { FeatureSchema, PointSchema, type Feature, type Point, type RouteNote } from "../../../gen/protobuf-es/route_guide_pb.js";

const client = new RouteGuideClient(createChannel("127.0.0.1:50051"));

export async function clientSends(): Promise<"routeguide.Feature"> {
  await client.getFeature({}); // every field of an init is optional
  await client.getFeature({ latitude: 1 });
  await client.getFeature(create(PointSchema, { latitude: 1, longitude: 2 })); // or a message
  const call = client.recordRoute();
  await call.sender.send({ longitude: 3 });
  await call.sender.sendAll([{ latitude: 1 }, create(PointSchema)]);
  await call.sender.close();
  // @ts-expect-error the message of another type is not an init of this one
  await client.getFeature(create(FeatureSchema, { name: "x" }));
  // @ts-expect-error an init takes the message's fields only
  await client.getFeature({ latitude: 1, name: "x" });
  const feature: Feature = await client.getFeature({});
  return feature.$typeName;
}

export async function clientReceives(): Promise<void> {
  const chat = client.routeChat();
  const note = await chat.receiver.recv();
  if (note !== undefined) {
    const typeName: "routeguide.RouteNote" = note.$typeName;
    void typeName;
  }
  for await (const f of client.listFeatures({}).receiver) {
    // @ts-expect-error what arrives is a message, never an init: it is not a Point
    const p: Point = f;
    void p;
  }
}

export const handlers: RouteGuideHandlers = {
  // A handler receives messages and answers with an init or a message.
  getFeature: (point) => ({ name: point.$typeName, location: point }),
  async listFeatures(rect, sender) {
    await sender.send({ name: rect.lo?.$typeName ?? "" });
    await sender.send(create(FeatureSchema));
  },
  async recordRoute(points) {
    let pointCount = 0;
    for await (const p of points) pointCount += p.$typeName === "routeguide.Point" ? 1 : 0;
    return { pointCount };
  },
  async routeChat(notes, sender) {
    for await (const n of notes) await sender.send(n);
  },
};

export function handlesMirrorTheClient(sender: Sender<RouteNote>, receiver: Receiver<RouteNote>): void {
  // A Sender of the message type takes no init; the generated handles are typed by the init.
  // @ts-expect-error an init is not a RouteNote message
  void sender.send({ message: "hi" });
  void receiver;
}
