// Lint fixture: every stream operation here is a mistake safestub/eslint must
// report; test/eslint-rule.test.ts asserts the exact reports, line by line.
// It type-checks (these are not type errors) and is never run.
import { createChannel, type Receiver, type Sender } from "safestub";
import { RouteGuideClient, type RouteGuideHandlers } from "../../gen/route_guide_grpc.js";
import type { Point, RouteNote } from "../../gen/route_guide.js";

const client = new RouteGuideClient(createChannel("127.0.0.1:50051"));

export async function promiseAllSends(tx: Sender<Point>, a: Point, b: Point): Promise<void> {
  await Promise.all([tx.send(a), tx.send(b)]);
}

export function forEachSend(tx: Sender<Point>, items: Point[]): void {
  items.forEach((i) => tx.send(i));
}

export function forEachAsyncSend(tx: Sender<Point>, items: Point[]): void {
  items.forEach(async (i) => {
    await tx.send(i);
  });
}

export async function mapSends(tx: Sender<Point>, items: Point[]): Promise<void> {
  await Promise.all(items.map((i) => tx.send(i)));
}

export async function sendThenSend(tx: Sender<Point>, a: Point, b: Point): Promise<void> {
  const first = tx.send(a);
  await tx.send(b);
  await first;
}

export async function twoRecvs(rx: Receiver<RouteNote>): Promise<Array<RouteNote | undefined>> {
  const a = rx.recv();
  const b = rx.recv();
  return [await a, await b];
}

export async function promiseAllRecvs(rx: Receiver<RouteNote>): Promise<void> {
  await Promise.all([rx.recv(), rx.recv()]);
}

export function voidedClose(tx: Sender<Point>): void {
  void tx.close();
}

export async function sendAllThenClose(tx: Sender<Point>, items: Point[]): Promise<void> {
  tx.sendAll(items);
  await tx.close();
}

export function thenChain(tx: Sender<Point>, a: Point, b: Point): Promise<void> {
  return tx.send(a).then(() => tx.send(b));
}

export function optionalSender(p: Point, tx?: Sender<Point>): void {
  tx?.send(p);
}

export async function generatedCall(notes: RouteNote[]): Promise<void> {
  const call = client.routeChat();
  call.sender.send(notes[0]!);
  setTimeout(() => call.sender.close(), 10);
  for (const note of notes) call.sender.send(note);
  const reply = call.receiver.recv();
  await Promise.race([reply, call.receiver.recv()]);
}

export const handlers: Pick<RouteGuideHandlers, "listFeatures" | "recordRoute"> = {
  async listFeatures(rectangle, sender) {
    sender.send({ name: "lo", location: rectangle.lo });
    await sender.close();
  },
  async recordRoute(receiver) {
    receiver.recv();
    return { pointCount: 0, featureCount: 0, distance: 0, elapsedTime: 0 };
  },
};

export function forEachRecv(rx: Receiver<RouteNote>, slots: number[]): void {
  slots.forEach(async () => {
    console.log(await rx.recv());
  });
}
