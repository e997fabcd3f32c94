// The fault matrix with real processes: the server (test/helpers/storm-server.ts) runs in a child
// process and is SIGKILLed mid-stream for every streaming shape, shut down gracefully or at once with
// 200 streams in flight, or left by a client that closes its Channel with 200 streams in flight.
// Every outcome must be an RpcError with the status gRPC-Go gives, in bounded time; nothing hangs.
// (Bad input at the server and bad responses at the client: bad-requests / bad-responses.test.ts.)
import * as http2 from "node:http2";
import { afterEach, describe, expect, it } from "vitest";
import { Code, createChannel, RpcError, type Channel } from "safestub";
import { ProbeClient, encodeMsg, type Msg } from "@backend/probe.js";
import { HealthClient, ServingStatus } from "safestub/health";
import { startChild, type ChildServer } from "../helpers/child.js";
import { frame } from "../helpers/raw-http2.js";
import { msg, sleep } from "../helpers/probe.js";
import { statsOf } from "../helpers/storm-stats.js";

let child: ChildServer | undefined;
const channels: Channel[] = [];
afterEach(async () => {
  for (const c of channels.splice(0)) c.close();
  await child?.kill();
  child = undefined;
});

async function start(args: string[] = []): Promise<ProbeClient> {
  child = await startChild("test/helpers/storm-server.ts", args);
  return clientOf(child.port);
}

function clientOf(port: number): ProbeClient {
  const channel = createChannel(`http://127.0.0.1:${port}`);
  channels.push(channel);
  return new ProbeClient(channel);
}

/** How a promise settled, and how long after `since` (ms). */
async function outcome(p: Promise<unknown>, since: () => number): Promise<{ code: Code | "resolved" | "not an RpcError"; ms: number; at: number; details?: string }> {
  try {
    await p;
    const at = performance.now();
    return { code: "resolved", ms: at - since(), at };
  } catch (err) {
    const at = performance.now();
    const ms = at - since();
    return err instanceof RpcError ? { code: err.code, ms, at, details: err.details } : { code: "not an RpcError", ms, at, details: String(err) };
  }
}

const exited = (c: ChildServer) =>
  new Promise<number | null>((resolve) => {
    if (c.process.exitCode !== null || c.process.signalCode !== null) resolve(c.process.exitCode);
    else c.process.once("exit", (code) => resolve(code));
  });

describe("a server SIGKILLed mid-stream", () => {
  const runs = 10;

  it("server streaming: the pending and every later recv reject with UNAVAILABLE within 2 s", async () => {
    for (let run = 0; run < runs; run++) {
      const client = await start();
      const call = client.download(msg({ count: 1_000_000, size: 1024 }));
      for (let i = 0; i < 10; i++) expect((await call.receiver.recv())?.id).toBe(i);
      let killedAt = 0;
      killedAt = performance.now();
      await child!.kill("SIGKILL");
      // Messages already buffered may still arrive; then the stream must fail, not end.
      let ended: Awaited<ReturnType<typeof outcome>> | undefined;
      for (let i = 0; i < 10_000 && !ended; i++) {
        const got = await outcome(call.receiver.recv(), () => killedAt);
        if (got.code !== "resolved") ended = got;
      }
      expect(ended).toMatchObject({ code: Code.UNAVAILABLE });
      expect(ended!.ms).toBeLessThan(2000);
      await expect(call.receiver.recv()).rejects.toMatchObject({ code: Code.UNAVAILABLE });
      // Trailers never reject (the status is the error): a connection that died sent none.
      expect([...(await call.trailers).keys()]).toEqual([]);
    }
  }, 60_000);

  it("client streaming: a send held by flow control, the next send and the response reject with UNAVAILABLE within 2 s", async () => {
    for (let run = 0; run < runs; run++) {
      const client = await start();
      const call = client.upload();
      for (let i = 0; i < 10; i++) await call.sender.send(msg({ id: i }));
      // Fill the windows: the server reads, but 64 KiB messages outrun it on a 2-core machine.
      const payload = Buffer.alloc(64 * 1024);
      let pending: Promise<void> | undefined;
      for (let i = 0; i < 500 && !pending; i++) {
        const send = call.sender.send(msg({ payload }));
        const done = await Promise.race([send.then(() => true, () => true), sleep(20).then(() => false)]);
        if (!done) pending = send;
      }
      let killedAt = 0;
      const since = () => killedAt;
      const held = pending ? outcome(pending, since) : undefined;
      const response = outcome(call.response, since);
      killedAt = performance.now();
      await child!.kill("SIGKILL");
      const results = [await response];
      // The send that looked held may still have been admitted (a loaded machine can take longer
      // than 20 ms, and the server reads until it dies): that is fine while the client did not know
      // yet. Once the call failed, it must not resolve any more.
      const heldEnd = held ? await held : undefined;
      if (heldEnd && !(heldEnd.code === "resolved" && heldEnd.at <= results[0]!.at)) results.push(heldEnd);
      results.push(await outcome(call.sender.send(msg({ id: -1 })), since));
      for (const r of results) expect(r, JSON.stringify(r)).toMatchObject({ code: Code.UNAVAILABLE });
      for (const r of results) expect(r.ms, JSON.stringify(results)).toBeLessThan(2000);
    }
  }, 60_000);

  it("bidi: the pending recv, the next send and close() reject with UNAVAILABLE within 2 s", async () => {
    for (let run = 0; run < runs; run++) {
      const client = await start();
      const call = client.chat();
      for (let i = 0; i < 10; i++) {
        await call.sender.send(msg({ id: i }));
        expect((await call.receiver.recv())?.id).toBe(i);
      }
      let killedAt = 0;
      const since = () => killedAt;
      const recv = outcome(call.receiver.recv(), since);
      killedAt = performance.now();
      await child!.kill("SIGKILL");
      const results = [await recv, await outcome(call.sender.send(msg({ id: 99 })), since), await outcome(call.sender.close(), since)];
      for (const r of results) expect(r, JSON.stringify(r)).toMatchObject({ code: Code.UNAVAILABLE });
      for (const r of results) expect(r.ms).toBeLessThan(2000);
    }
  }, 60_000);
});

/** `perKind` calls of each kind in flight: downloads that never end, uploads and chats left open, unary calls that wait. */
async function callsInFlight(client: ProbeClient, perKind: number, unaryRequest: Msg = msg({ text: "wait" })) {
  const downloads = Array.from({ length: perKind }, () => client.download(msg({ count: 1_000_000, size: 16 })));
  const uploads = Array.from({ length: perKind }, () => client.upload());
  const chats = Array.from({ length: perKind }, () => client.chat());
  const unaries = Array.from({ length: perKind }, () => client.unary(unaryRequest));
  for (const u of unaries) u.catch(() => {});
  // Every stream is open on both sides once it has carried a message.
  await Promise.all([
    ...downloads.map(async (d) => expect((await d.receiver.recv())?.id).toBe(0)),
    ...uploads.map((u) => u.sender.send(msg({ id: 1 }))),
    ...chats.map(async (c) => {
      await c.sender.send(msg({ id: 7 }));
      expect((await c.receiver.recv())?.id).toBe(7);
    }),
  ]);
  return { downloads, uploads, chats, unaries };
}

/** What each of the 200 calls ends with: the end of the download stream, the upload response, the chat's next recv, the unary result. */
/** 200 calls in flight, 50 of each kind. */
const twoHundredInFlight = (client: ProbeClient) => callsInFlight(client, 50);

function endsOf(calls: Awaited<ReturnType<typeof callsInFlight>>, since: () => number) {
  const drain = async (next: () => Promise<Msg | undefined>) => {
    for (let i = 0; i < 1_000_000; i++) if ((await next()) === undefined) return;
  };
  return Promise.all([
    ...calls.downloads.map((d) => outcome(drain(() => d.receiver.recv()), since)),
    ...calls.uploads.map((u) => outcome(u.response, since)),
    ...calls.chats.map((c) => outcome(drain(() => c.receiver.recv()), since)),
    ...calls.unaries.map((u) => outcome(u, since)),
  ]);
}

const countCodes = (ends: { code: unknown }[]) => {
  const counts: Record<string, number> = {};
  for (const e of ends) {
    const name = typeof e.code === "number" ? Code[e.code]! : String(e.code);
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
};

describe("200 calls in flight", () => {
  it("channel.close(): every call ends CANCELLED 'channel closed' at once, and the server's handlers all end", async () => {
    const client = await start();
    const observer = clientOf(child!.port);
    const calls = await twoHundredInFlight(client);
    expect((await statsOf(observer)).running).toBe(200);
    let closedAt = 0;
    const ends = endsOf(calls, () => closedAt);
    closedAt = performance.now();
    channels[0]!.close();
    const results = await ends;
    expect(countCodes(results)).toEqual({ CANCELLED: 200 });
    for (const r of results) expect(r.details).toBe("channel closed");
    expect(Math.max(...results.map((r) => r.ms))).toBeLessThan(1000);
    let stats = await statsOf(observer);
    for (let i = 0; i < 50 && stats.running > 0; i++) {
      await sleep(50);
      stats = await statsOf(observer);
    }
    expect(stats.running).toBe(0);
  }, 60_000);

  it("shutdown(): streams that end on their signal end (download OK, chat UNAVAILABLE), uploads finish within the grace, unary calls still running end UNAVAILABLE after it, and the process exits", async () => {
    const client = await start();
    const calls = await twoHundredInFlight(client);
    const exit = exited(child!);
    let signalledAt = 0;
    const since = () => signalledAt;
    const streams = Promise.all([endsOf({ ...calls, uploads: [], unaries: [] }, since)]);
    signalledAt = performance.now();
    child!.process.kill("SIGTERM");
    await sleep(100);
    const uploads = calls.uploads.map(async (u) => {
      await u.sender.send(msg({ id: 2 }));
      await u.sender.close();
      return (await u.response).count;
    });
    expect(await Promise.all(uploads)).toEqual(Array(50).fill(2));
    const [ends] = await streams;
    // The drain's notice reaches streaming handlers at the start of the grace: downloads end OK (after
    // the grace they would be UNAVAILABLE), chats UNAVAILABLE (that it is the notice's, not the
    // grace's end, the 10 s drain below shows).
    expect(countCodes(ends.slice(0, 50))).toEqual({ resolved: 50 });
    expect(countCodes(ends.slice(50))).toEqual({ UNAVAILABLE: 50 });
    for (const r of ends.slice(50)) expect(r.details).toBe("server shutting down");
    for (const r of ends) expect(r.ms).toBeLessThan(3000);
    // Unary handlers are not told: those still running ("wait" for their signal) end after the 1 s grace.
    const unaries = await endsOf({ downloads: [], uploads: [], chats: [], unaries: calls.unaries }, since);
    expect(countCodes(unaries)).toEqual({ UNAVAILABLE: 50 });
    for (const r of unaries) {
      expect(r.details).toBe("server shutting down");
      // The statuses follow the grace, they do not wait for a backstop.
      expect(r.ms).toBeGreaterThan(900);
      expect(r.ms).toBeLessThan(3000);
    }
    expect(await exit).toBe(0);
  }, 60_000);

  it("forceShutdown(): every call ends UNAVAILABLE at once, and the process exits", async () => {
    const client = await start();
    const calls = await twoHundredInFlight(client);
    const exit = exited(child!);
    let signalledAt = 0;
    const ends = endsOf(calls, () => signalledAt);
    signalledAt = performance.now();
    child!.process.kill("SIGUSR2");
    const results = await ends;
    const byShape = ["download", "upload", "chat", "unary"].map((shape, i) => `${shape}: ${JSON.stringify(countCodes(results.slice(i * 50, i * 50 + 50)))} ${results[i * 50]!.details}`);
    expect(countCodes(results), byShape.join("; ")).toEqual({ UNAVAILABLE: 200 });
    expect(Math.max(...results.map((r) => r.ms))).toBeLessThan(1000);
    expect(await exit).toBe(0);
  }, 60_000);
});

describe("a raw HTTP/2 client resetting 10,000 streams at once", () => {
  it("takes no server down: its handlers all end, and other clients are served throughout", async () => {
    const client = await start();
    const before = await statsOf(client);
    const request = frame(encodeMsg(msg({ text: "wait" })));
    const sessions = Array.from({ length: 10 }, () => http2.connect(`http://127.0.0.1:${child!.port}`));
    try {
      await Promise.all(sessions.map((session) => new Promise((resolve, reject) => session.once("connect", resolve).once("error", reject))));
      for (const session of sessions) session.on("error", () => {}); // a GOAWAY from the rapid-reset protection is expected
      // 1,000 streams on each of 10 connections: every one a unary call that waits, reset at once.
      for (const session of sessions) {
        for (let i = 0; i < 1000 && !session.destroyed; i++) {
          const stream = session.request({ ":method": "POST", ":path": "/safestub.testing.Probe/Unary", "content-type": "application/grpc", te: "trailers" });
          stream.on("error", () => {});
          stream.end(request);
          stream.close(http2.constants.NGHTTP2_CANCEL);
        }
      }
      // The server keeps serving a well-behaved client meanwhile and after.
      expect((await client.unary(msg({ id: 5 }))).id).toBe(5);
      let stats = await statsOf(client);
      for (let i = 0; i < 100 && stats.running > 0; i++) {
        await sleep(50);
        stats = await statsOf(client);
      }
      expect(stats.running).toBe(0);
      // Many of the reset calls reached their handler (which then saw the cancel), so this was a real flood.
      expect(stats.started - before.started, JSON.stringify(stats)).toBeGreaterThan(1000);
      expect(child!.process.exitCode).toBeNull();
    } finally {
      for (const session of sessions) session.destroy();
    }
  }, 60_000);
});

describe("a graceful drain with health checks (SIGTERM, 10 s grace)", () => {
  // A long grace, so that on a loaded machine every call can end by itself: the process then exits
  // well before the grace runs out, which shows that no call waited for it.
  const GRACE_MS = 10_000;
  it("turns health NOT_SERVING first, tells streams at once (they end OK or UNAVAILABLE), lets 200 uploads and 200 unary calls finish OK, and leaves nothing listening", async () => {
    const client = await start([`--grace-ms=${GRACE_MS}`]);
    const observer = clientOf(child!.port);
    const health = new HealthClient(channels[0]!);
    const watch = health.watch({ service: "" });
    expect((await watch.receiver.recv())?.status).toBe(ServingStatus.SERVING);
    const calls = await callsInFlight(client, 200, msg({ text: "sleep", count: 700 }));
    // Every unary handler is running (not just sent) before the drain begins (each sleeps 700 ms:
    // those that finish before the signal still count as OK).
    let running = 0;
    for (let i = 0; i < 200 && (running = (await statsOf(observer)).running) < 800; i++) await sleep(5);
    const finishedEarly = await Promise.all(calls.unaries.map((u) => Promise.race([u.then(() => true), sleep(0).then(() => false)])));
    expect(running + finishedEarly.filter(Boolean).length).toBeGreaterThanOrEqual(800);
    const port = child!.port;
    const exit = exited(child!);
    const exitedAt = exit.then(() => performance.now());
    let signalledAt = 0;
    const since = () => signalledAt;
    signalledAt = performance.now();
    child!.process.kill("SIGTERM");
    // Load balancers learn first: the watcher sees NOT_SERVING, then its stream ends cleanly.
    expect((await watch.receiver.recv())?.status).toBe(ServingStatus.NOT_SERVING);
    expect(await watch.receiver.recv()).toBeUndefined();
    const uploads = calls.uploads.map(async (u) => {
      await u.sender.send(msg({ id: 2 }));
      await u.sender.close();
      return (await u.response).count;
    });
    expect(await Promise.all(uploads)).toEqual(Array(200).fill(2));
    // Read after the uploads (reading 200 downloads keeps a loaded client busy for seconds).
    const results = await endsOf({ ...calls, uploads: [] }, since);
    const [downloads, chats, unaries] = [results.slice(0, 200), results.slice(200, 400), results.slice(400)];
    // The download handler returns on its signal: OK (after the grace it would be UNAVAILABLE); the
    // client still reads what was buffered. The chat handler throws its reason: UNAVAILABLE.
    expect(countCodes(downloads)).toEqual({ resolved: 200 });
    expect(countCodes(chats)).toEqual({ UNAVAILABLE: 200 });
    for (const r of chats) expect(r.details).toBe("server shutting down");
    // Unary calls in flight run to the end.
    expect(countCodes(unaries)).toEqual({ resolved: 200 });
    // The drain ends once no call is left: the process exited before the grace ran out, so every
    // call above ended by itself (the chats' UNAVAILABLE is the notice, not the grace's end).
    expect(await exit).toBe(0);
    expect((await exitedAt) - signalledAt).toBeLessThan(GRACE_MS);
    // Nothing is left listening on the port.
    const after = createChannel(`http://127.0.0.1:${port}`);
    try {
      const err = await new ProbeClient(after).unary(msg(), { timeoutMs: 2000 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(RpcError);
      expect([Code.UNAVAILABLE, Code.DEADLINE_EXCEEDED]).toContain((err as RpcError).code);
    } finally {
      after.close();
    }
  }, 60_000);
});
