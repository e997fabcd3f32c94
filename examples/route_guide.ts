// route_guide: the four call shapes of gRPC on one service (RouteGuide), after
// gRPC's classic route_guide example.
//
//   npm run example -- route_guide
//
// Streams come as two single-owner handles: a Sender for the outgoing
// direction and a Receiver for the incoming one. The rules they enforce are
// gRPC-Go's:
//   - await each send before the next one (or hand them all to sendAll); a
//     second send while one is pending is refused with ConcurrentSendError;
//   - one reader per Receiver: one for-await loop (or one recv() at a time);
//   - a send loop and a receive loop may run side by side on one stream;
//   - leaving a for-await over a client Receiver early (break, return, throw)
//     cancels the RPC.
import { ConcurrentSendError, createChannel, createServer, type Server } from "safestub";
// `@backend/examples.js`: the generated code of either message backend (see helloworld.ts). What a
// sender gives is a `...Init` (ts-proto: the message type; protobuf-es: a partial init or a message),
// what a receiver yields the message type.
import {
  RouteGuideClient,
  RouteGuideService,
  type Feature,
  type FeatureInit,
  type Point,
  type PointInit,
  type RectangleInit,
  type RouteGuideHandlers,
  type RouteNote,
  type RouteNoteInit,
  type RouteSummary,
} from "@backend/examples.js";

// ---------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------

/** A few named places (coordinates in degrees * 1e7), from gRPC's route_guide_db.json. */
export const FEATURES: readonly FeatureInit[] = [
  { name: "Patriots Path, Mendham, NJ 07945, USA", location: { latitude: 407838351, longitude: -746143763 } },
  { name: "101 New Jersey 10, Whippany, NJ 07981, USA", location: { latitude: 408122808, longitude: -743999179 } },
  { name: "U.S. 6, Shohola, PA 18458, USA", location: { latitude: 413628156, longitude: -749015468 } },
  { name: "5 Conners Road, Kingston, NY 12401, USA", location: { latitude: 419999544, longitude: -740371136 } },
  { name: "Mid Hudson Psychiatric Center, New Hampton, NY 10958, USA", location: { latitude: 414008389, longitude: -743951297 } },
  { name: "287 Flugertown Road, Livingston Manor, NY 12758, USA", location: { latitude: 419611318, longitude: -746524769 } },
];

/**
 * The RouteGuide implementation. Each call runs as its own async task; the
 * notes map is shared by all RouteChat calls of this server (JavaScript runs
 * one task at a time, so no lock is needed).
 */
export function routeGuideHandlers(features: readonly FeatureInit[] = FEATURES): RouteGuideHandlers {
  const notesByPlace = new Map<string, RouteNote[]>();
  return {
    // Unary: return the reply. An unnamed feature means "nothing here".
    getFeature(point) {
      return features.find((f) => samePoint(f.location, point)) ?? { name: "", location: point };
    },

    // Server streaming: send each match, awaiting each send (backpressure).
    async listFeatures(rect, sender) {
      for (const feature of features) {
        if (inside(feature.location, rect)) await sender.send(feature);
      }
      // Returning ends the call with status OK.
    },

    // Client streaming: read the points until the client closes its side, then reply once.
    async recordRoute(points) {
      const start = Date.now();
      let pointCount = 0;
      let featureCount = 0;
      let distance = 0;
      let previous: Point | undefined;
      for await (const point of points) {
        pointCount++;
        if (features.some((f) => f.name !== "" && samePoint(f.location, point))) featureCount++;
        if (previous) distance += distanceInMeters(previous, point);
        previous = point;
      }
      return { pointCount, featureCount, distance, elapsedTime: Math.round((Date.now() - start) / 1000) };
    },

    // Bidi streaming: for each incoming note, first send back the notes left
    // earlier at the same place, then remember this one.
    async routeChat(notes, sender) {
      for await (const note of notes) {
        const key = `${note.location?.latitude ?? 0},${note.location?.longitude ?? 0}`;
        const earlier = notesByPlace.get(key) ?? [];
        await sender.sendAll([...earlier]); // holds the send slot until every note was admitted
        notesByPlace.set(key, [...earlier, note]);
      }
    },
  };
}

/** Serves RouteGuide on 127.0.0.1:`port` (0 picks a free port) and resolves once it listens. */
export async function runServer(port = 0): Promise<{ server: Server; port: number }> {
  const server = createServer().add(RouteGuideService, routeGuideHandlers());
  return { server, port: await server.listen(`127.0.0.1:${port}`) };
}

// ---------------------------------------------------------------------------
// Client: one small function per call shape
// ---------------------------------------------------------------------------

/** Unary: one request, one response (a rejected promise carries an RpcError). */
export async function getFeature(client: RouteGuideClient, point: PointInit): Promise<Feature> {
  return client.getFeature(point, { timeoutMs: 5_000 });
}

/** Server streaming: iterate the Receiver; the loop ends at the clean end of the stream and throws RpcError on a failed one. */
export async function listFeatures(client: RouteGuideClient, rect: RectangleInit): Promise<Feature[]> {
  const call = client.listFeatures(rect);
  const features: Feature[] = [];
  for await (const feature of call.receiver) features.push(feature);
  return features;
}

/** Leaving the loop early cancels the RPC: no need to drain the rest of the stream. */
export async function firstFeatures(client: RouteGuideClient, rect: RectangleInit, limit: number): Promise<Feature[]> {
  const features: Feature[] = [];
  for await (const feature of client.listFeatures(rect).receiver) {
    features.push(feature);
    if (features.length === limit) break; // cancels the call (status CANCELLED, the server's ctx.signal aborts)
  }
  return features;
}

/** Client streaming: await each send, close the Sender (CloseSend), then await the one response. */
export async function recordRoute(client: RouteGuideClient, points: readonly PointInit[]): Promise<RouteSummary> {
  const call = client.recordRoute();
  for (const point of points) await call.sender.send(point); // resolves once flow control admitted it
  await call.sender.close();
  return call.response;
}

/** Bidi streaming: a send loop and a receive loop running side by side on one stream. */
export async function routeChat(client: RouteGuideClient, notes: readonly RouteNoteInit[]): Promise<RouteNote[]> {
  // `await using`: if either loop fails, leaving this function cancels the call, so the other loop ends too.
  await using call = client.routeChat();
  const sendLoop = async () => {
    for (const note of notes) await call.sender.send(note);
    await call.sender.close(); // "no more notes"; responses keep coming
  };
  const receiveLoop = async () => {
    const received: RouteNote[] = [];
    for await (const note of call.receiver) received.push(note);
    return received;
  };
  const [, received] = await Promise.all([sendLoop(), receiveLoop()]);
  return received;
}

/**
 * What the runtime refuses (do not write this): a second send while one is
 * pending is rejected at once with ConcurrentSendError; the first send and
 * the call carry on untouched. The lint rule safestub/await-stream-operations
 * flags both sends before the code runs.
 */
export async function refusedSecondSend(client: RouteGuideClient): Promise<{ refused: boolean; summary: RouteSummary }> {
  const call = client.recordRoute();
  // eslint-disable-next-line safestub/await-stream-operations -- deliberate misuse, for the demonstration
  const first = call.sender.send({ latitude: 1, longitude: 1 });
  // eslint-disable-next-line safestub/await-stream-operations -- deliberate misuse: the first send is still pending
  const second = call.sender.send({ latitude: 2, longitude: 2 });
  const refused = await second.then(
    () => false,
    (err: unknown) => err instanceof ConcurrentSendError,
  );
  await first; // completes normally
  await call.sender.close();
  return { refused, summary: await call.response };
}

/** Runs every client example against the server at `address` (e.g. "http://127.0.0.1:50051") and logs what happened. */
export async function runClient(address: string, log: (line: string) => void = console.log) {
  const channel = createChannel(address);
  try {
    const client = new RouteGuideClient(channel);

    const found = await getFeature(client, { latitude: 407838351, longitude: -746143763 });
    const missing = await getFeature(client, { latitude: 0, longitude: 0 });
    log(`GetFeature: ${JSON.stringify(found.name)} / ${missing.name === "" ? "no feature at 0,0" : missing.name}`);

    const area: RectangleInit = { lo: { latitude: 400000000, longitude: -750000000 }, hi: { latitude: 420000000, longitude: -730000000 } };
    const listed = await listFeatures(client, area);
    log(`ListFeatures: ${listed.length} features`);
    for (const feature of listed) log(`  ${feature.name}`);

    const first = await firstFeatures(client, area, 2);
    log(`ListFeatures, stopped after ${first.length}: ${first.map((f) => f.name).join(" | ")}`);

    const route = FEATURES.map((f) => f.location).filter((p): p is PointInit => p !== undefined);
    const summary = await recordRoute(client, route);
    log(`RecordRoute: ${summary.pointCount} points, ${summary.featureCount} features, ${summary.distance} m`);

    const notes: RouteNoteInit[] = ["First", "Second", "Third", "Fourth", "Fifth", "Sixth"].map((message, i) => ({
      location: { latitude: 0, longitude: (i % 3) + 1 },
      message,
    }));
    const chat = await routeChat(client, notes);
    log(`RouteChat: sent ${notes.length} notes at 3 places, got back the ${chat.length} left there earlier:`);
    for (const note of chat) log(`  ${JSON.stringify(note.message)} at ${note.location?.latitude},${note.location?.longitude}`);

    const refusal = await refusedSecondSend(client);
    log(`Second send without awaiting the first: ${refusal.refused ? "refused with ConcurrentSendError" : "NOT refused"}; the call went on (${refusal.summary.pointCount} point)`);

    return { found, missing, listed, first, summary, chat, refusal };
  } finally {
    channel.close();
  }
}

// ---------------------------------------------------------------------------
// Geometry helpers
// ---------------------------------------------------------------------------

/** A point as received (a Point) or as given (an init, whose fields may be left out: 0). */
interface LatLng {
  readonly latitude?: number;
  readonly longitude?: number;
}

function samePoint(a: LatLng | undefined, b: LatLng | undefined): boolean {
  return a !== undefined && b !== undefined && (a.latitude ?? 0) === (b.latitude ?? 0) && (a.longitude ?? 0) === (b.longitude ?? 0);
}

function inside(p: LatLng | undefined, rect: { readonly lo?: LatLng | undefined; readonly hi?: LatLng | undefined }): boolean {
  if (!p || !rect.lo || !rect.hi) return false;
  const [lo, hi, lat, lng] = [rect.lo, rect.hi, p.latitude ?? 0, p.longitude ?? 0];
  const [left, right] = [Math.min(lo.longitude ?? 0, hi.longitude ?? 0), Math.max(lo.longitude ?? 0, hi.longitude ?? 0)];
  const [bottom, top] = [Math.min(lo.latitude ?? 0, hi.latitude ?? 0), Math.max(lo.latitude ?? 0, hi.latitude ?? 0)];
  return lng >= left && lng <= right && lat >= bottom && lat <= top;
}

/** Great-circle distance in meters (haversine), as in gRPC's route_guide. */
function distanceInMeters(a: Point, b: Point): number {
  const toRadians = (e7: number) => ((e7 / 1e7) * Math.PI) / 180;
  const [lat1, lat2] = [toRadians(a.latitude), toRadians(b.latitude)];
  const dLat = lat2 - lat1;
  const dLng = toRadians(b.longitude) - toRadians(a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1) * Math.cos(lat2) * Math.sin(dLng / 2) ** 2;
  return Math.round(6_371_000 * 2 * Math.atan2(Math.sqrt(h), Math.sqrt(1 - h)));
}
