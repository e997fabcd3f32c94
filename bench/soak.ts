// Soak: does memory grow with the number of calls? One safestub server in its own process
// (test/helpers/storm-server.ts, with --expose-gc), and in this process, one after the other, a
// safestub client and a plain grpc-js client (the alternative, same server, same run) making
// unary calls with 8 in flight and a bidi stream every 60 calls. After every block of calls both
// processes collect garbage and report RSS; the figure is the least-squares slope of RSS against
// calls, in MiB per 100,000 calls, after the first block (warm-up).
//
//   node --expose-gc --import tsx bench/soak.ts [--calls=300000] [--block=20000]
// Needs `npm run generate` (gen/testing). Prints a table and writes it as the "Soak" section of
// bench/RESULTS.md.
import * as grpc from "@grpc/grpc-js";
import { loadavg } from "node:os";
import { createChannel } from "safestub";
import { Msg } from "../gen/testing/probe.js";
import { ProbeClient } from "../gen/testing/probe_grpc.js";
import { startChild } from "../test/helpers/child.js";
import { writeSection } from "./lib/results-file.js";
import type { ServerStats } from "../test/helpers/storm-stats.js";

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const totalCalls = arg("calls", 300_000);
const blockSize = arg("block", 20_000);
const inFlight = 8;
const streamEvery = 60;

/** What a client stack must do for the soak: one unary echo, one short bidi stream. */
interface SoakClient {
  name: string;
  unary(id: number): Promise<number>;
  chat(ids: number[]): Promise<number[]>;
  stats(): Promise<ServerStats>;
  close(): void;
}

function safestubClient(port: number): SoakClient {
  const channel = createChannel(`http://127.0.0.1:${port}`);
  const client = new ProbeClient(channel);
  return {
    name: "safestub",
    unary: async (id) => (await client.unary(Msg.fromPartial({ id, text: "echo" }))).id,
    chat: async (ids) => {
      const call = client.chat();
      const got: number[] = [];
      for (const id of ids) {
        await call.sender.send(Msg.fromPartial({ id }));
        got.push((await call.receiver.recv())!.id);
      }
      await call.sender.close();
      await call.receiver.recv();
      return got;
    },
    stats: async () => JSON.parse((await client.unary(Msg.fromPartial({ text: "stats" }))).text) as ServerStats,
    close: () => channel.close(),
  };
}

function grpcJsClient(port: number): SoakClient {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const serialize = (m: Msg) => Buffer.from(Msg.encode(m).finish());
  const unary = (m: Msg) =>
    new Promise<Msg>((resolve, reject) =>
      client.makeUnaryRequest("/safestub.testing.Probe/Unary", serialize, Msg.decode, m, (err, reply) => (err ? reject(err) : resolve(reply!))),
    );
  return {
    name: "grpc-js (plain Client)",
    unary: async (id) => (await unary(Msg.fromPartial({ id, text: "echo" }))).id,
    chat: (ids) =>
      new Promise((resolve, reject) => {
        const call = client.makeBidiStreamRequest("/safestub.testing.Probe/Chat", serialize, Msg.decode);
        const got: number[] = [];
        let next = 0;
        call.on("data", (m: Msg) => {
          got.push(m.id);
          if (++next < ids.length) call.write(Msg.fromPartial({ id: ids[next]! }));
          else call.end();
        });
        call.on("error", reject);
        call.on("status", (s: grpc.StatusObject) => (s.code === grpc.status.OK ? resolve(got) : reject(new Error(s.details))));
        call.write(Msg.fromPartial({ id: ids[0]! }));
      }),
    stats: async () => JSON.parse((await unary(Msg.fromPartial({ text: "stats" }))).text) as ServerStats,
    close: () => client.close(),
  };
}

/** Least-squares slope of y against x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

interface SoakResult {
  name: string;
  errors: number;
  mismatched: number;
  streams: number;
  seconds: number;
  clientSlope: number;
  serverSlope: number;
  clientRss: [number, number];
  serverRss: [number, number];
  /** Heap in use after gc: the sharper leak signal (RSS also holds what the allocator keeps). */
  clientHeapSlope: number;
  serverHeapSlope: number;
}

async function soak(client: SoakClient): Promise<SoakResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const clientPoints: [number, number][] = [];
  const serverPoints: [number, number][] = [];
  const clientHeap: [number, number][] = [];
  const serverHeap: [number, number][] = [];
  let errors = 0;
  let mismatched = 0;
  let streams = 0;
  let done = 0;
  const started = Date.now();
  for (let block = 0; done < totalCalls; block++) {
    const blockEnd = Math.min(totalCalls, done + blockSize);
    const worker = async () => {
      while (done < blockEnd) {
        const id = done++;
        try {
          if (id % streamEvery === 0) {
            streams++;
            const ids = [id, id + 1, id + 2];
            const got = await client.chat(ids);
            if (got.join() !== ids.join()) mismatched++;
          } else if ((await client.unary(id)) !== id) mismatched++;
        } catch {
          errors++;
        }
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    gc?.();
    const server = await client.stats();
    if (block > 0) {
      clientPoints.push([done, process.memoryUsage().rss / 2 ** 20]);
      serverPoints.push([done, server.rssMiB]);
      clientHeap.push([done, process.memoryUsage().heapUsed / 2 ** 20]);
      serverHeap.push([done, server.heapUsedMiB]);
    }
    console.error(`[soak] ${client.name}: ${done} calls, client RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(1)} MiB, server RSS ${server.rssMiB.toFixed(1)} MiB`);
  }
  const range = (points: [number, number][]): [number, number] => [points[0]?.[1] ?? 0, points.at(-1)?.[1] ?? 0];
  return {
    name: client.name,
    errors,
    mismatched,
    streams,
    seconds: (Date.now() - started) / 1000,
    clientSlope: slope(clientPoints) * 100_000,
    serverSlope: slope(serverPoints) * 100_000,
    clientRss: range(clientPoints),
    serverRss: range(serverPoints),
    clientHeapSlope: slope(clientHeap) * 100_000,
    serverHeapSlope: slope(serverHeap) * 100_000,
  };
}

if (!(globalThis as { gc?: unknown }).gc) console.error("[soak] run node with --expose-gc, or the client RSS figures include garbage");
const loadBefore = loadavg().map((l) => l.toFixed(2)).join(" ");
const results: SoakResult[] = [];
for (const make of [safestubClient, grpcJsClient]) {
  // A fresh server per client, so that the server's figures belong to one client.
  const server = await startChild("test/helpers/storm-server.ts", [], 20_000, ["--expose-gc"]);
  const client = make(server.port);
  try {
    results.push(await soak(client));
  } finally {
    client.close();
    await server.kill();
  }
}

const f = (n: number) => n.toFixed(2);
const lines = [
  `Written by \`node --expose-gc --import tsx bench/soak.ts\` (${new Date().toISOString()}, load average before ${loadBefore}): ${totalCalls.toLocaleString("en")} calls per client (unary, ${inFlight} in flight, a 3-message bidi stream every ${streamEvery} calls) against a safestub server in its own process, a fresh one per client; RSS and heap after gc every ${blockSize.toLocaleString("en")} calls; slopes by least squares after the first block, in MiB per 100,000 calls.`,
  "",
  "| client | errors | wrong replies | streams | seconds | client RSS MiB (first → last) | client RSS slope | client heap slope | server RSS MiB (first → last) | server RSS slope | server heap slope |",
  "|---|---:|---:|---:|---:|---|---:|---:|---|---:|---:|",
  ...results.map(
    (r) =>
      `| ${r.name} | ${r.errors} | ${r.mismatched} | ${r.streams} | ${r.seconds.toFixed(1)} | ${f(r.clientRss[0])} → ${f(r.clientRss[1])} | ${f(r.clientSlope)} | ${f(r.clientHeapSlope)} | ${f(r.serverRss[0])} → ${f(r.serverRss[1])} | ${f(r.serverSlope)} | ${f(r.serverHeapSlope)} |`,
  ),
];
console.log(`\n${lines.join("\n")}`);
writeSection("Soak", lines);
