// The tables of `npm run bench:server` (bench/server-bench.ts): one column per server, medians with
// min–max, and each server's ratio against raw grpc-js from the same run.
import type { ChildResult, Counts } from "../child.js";
import { fmt } from "./runtime-report.js";
import { spread } from "./stats.js";

export interface ServerSpec {
  /** bench/servers/<name>.ts */
  readonly name: string;
  readonly label: string;
}

export const SERVERS: readonly ServerSpec[] = [
  { name: "grpcjs", label: "raw grpc-js (ts-proto codecs)" },
  { name: "safestub", label: "safestub Server" },
  // The same Server and handlers on protoc-gen-es messages: the row against "safestub Server" is the protobuf-es codec's cost.
  { name: "safestub-protobuf-es", label: "safestub Server, protobuf-es messages" },
  { name: "connect", label: "Connect-ES v2 (connect-node, gRPC)" },
];

/** One repetition against one server. */
export interface ServerRep {
  /** The client's figures, with the server's CPU per unit of each workload (serverCpuUs). */
  client: ChildResult;
  /** Unary calls per second that the server served to h2load (NaN without h2load). */
  h2loadCps: number;
  /** Server CPU per call under h2load, µs. */
  h2loadCpuUs: number;
  /** The server's peak RSS over all workloads, MB. */
  peakRssMB: number;
  /** A fresh server's RSS before the idle streams, with them open, and its peak, MB. */
  idleBaseRssMB: number;
  idleRssMB: number;
  idlePeakRssMB: number;
  /** The JS heap each idle stream holds after a full GC, KB (another fresh server; absent in runs before 2026-12-03 16:40). */
  idleHeapKBPerStream?: number;
}

export interface ServerRun {
  /** A smoke run (--quick): small counts, one repetition. */
  readonly quick: boolean;
  readonly counts: Counts;
  readonly h2loadCalls: number;
  readonly idleStreams: number;
  readonly repetitions: number;
  readonly servers: string[];
  readonly reps: Record<string, ServerRep[]>;
  readonly failures: Record<string, string[]>;
  readonly startedAt: string;
  readonly seconds: number;
  readonly loadBefore: number[];
  readonly loadAfter: number[];
  readonly h2load: boolean;
}

interface Row {
  readonly label: string;
  readonly of: (rep: ServerRep) => number;
  /** Latency, CPU and memory: the ratio is raw grpc-js ÷ this server, so > 1 is better everywhere. */
  readonly lowerIsBetter?: boolean;
  readonly digits?: number;
}

const ROWS: readonly Row[] = [
  { label: "unary p50 (µs)", of: (r) => r.client.unaryP50Us, lowerIsBetter: true },
  { label: "unary p99 (µs)", of: (r) => r.client.unaryP99Us, lowerIsBetter: true },
  { label: "unary c=64 (calls/s)", of: (r) => r.client.unaryConcurrentCps },
  { label: "unary c=64, h2load (calls/s served)", of: (r) => r.h2loadCps },
  { label: "server streaming (msgs/s)", of: (r) => r.client.serverStreamMps },
  { label: "client streaming (msgs/s)", of: (r) => r.client.clientStreamMps },
  { label: "bidi ping-pong (round trips/s)", of: (r) => r.client.pingPongRtps },
  { label: "bidi one-way (MB/s)", of: (r) => r.client.oneWayMBps, digits: 1 },
  { label: "server CPU per unary call, c=64 (µs)", of: (r) => r.client.serverCpuUs["unaryConcurrent"] ?? NaN, lowerIsBetter: true, digits: 1 },
  { label: "server CPU per unary call, h2load (µs)", of: (r) => r.h2loadCpuUs, lowerIsBetter: true, digits: 1 },
  { label: "server CPU per streamed message (µs)", of: (r) => r.client.serverCpuUs["serverStream"] ?? NaN, lowerIsBetter: true, digits: 2 },
  { label: "server CPU per client-streamed message (µs)", of: (r) => r.client.serverCpuUs["clientStream"] ?? NaN, lowerIsBetter: true, digits: 2 },
  { label: "server CPU per ping-pong round trip (µs)", of: (r) => r.client.serverCpuUs["pingPong"] ?? NaN, lowerIsBetter: true, digits: 1 },
  { label: "server CPU per one-way message (µs)", of: (r) => r.client.serverCpuUs["oneWay"] ?? NaN, lowerIsBetter: true, digits: 2 },
  { label: "server peak RSS over the workloads (MB)", of: (r) => r.peakRssMB, lowerIsBetter: true },
  { label: "server RSS, fresh (MB)", of: (r) => r.idleBaseRssMB, lowerIsBetter: true },
  { label: "server RSS with the idle streams open (MB)", of: (r) => r.idleRssMB, lowerIsBetter: true },
  { label: "server peak RSS with the idle streams open (MB)", of: (r) => r.idlePeakRssMB, lowerIsBetter: true },
  { label: "server JS heap per idle stream, after a GC (KB)", of: (r) => r.idleHeapKBPerStream ?? NaN, lowerIsBetter: true, digits: 2 },
];

/** What the figures do not say by themselves (checked by reading grpc-js 1.14 and node 20, strace and CPU profiles). */
const NOTES = [
  "- Take-over (2026-12-03): safestub's Server no longer serves its calls through grpc-js's stream objects. An outermost grpc-js server interceptor takes each call over, and safestub serves it on grpc-js's intercepting call (`start`, `startRead`, `sendMessage`, `sendStatus`: the public interface of grpc-js's server interceptors; runtime/transport/grpc-js/server.ts). There is no Duplex, Readable or Writable per call, grpc-js's own method handlers never run, and grpc-js interceptors given in `grpcOptions` run inside the take-over as before. grpc-js's channelz bookkeeping (per call, and per message with a `Date.now()` each) is off by default on safestub's Server, which cannot serve grpc-js's channelz service; `grpcOptions: { \"grpc.enable_channelz\": 1 }` turns it on.",
  "- Coalescing: grpc-js's server stream object hands one message at a time to `call.sendMessage` and waits for its callback, which comes only after node:http2 wrote the message to the socket, so a burst of sends costs one `writev` per message (102,713 for 100,000 server-streamed messages plus the client's 2,000 warm-up ones, `strace -f -c -e trace=writev`). safestub hands each send to `sendMessage` at once while fewer than 16 messages and 64 KiB (gRPC-Go's per-stream write quota) are in flight. node:http2's Writable queues what comes while a write is in flight and writes it all in one `writev`: 13,565 for the same messages. A lone message goes out at once, with no timer. Behind other grpc-js interceptors messages go one at a time, because grpc-js's ServerInterceptingCall keeps a single pending message.",
  "- Unary calls (second pass, 2026-12-03 afternoon, a quiet host): CPU profiles of 100,000 h2load calls (`--cpu-prof`, 0.1 ms samples) showed two costs of safestub's own. (1) The request-wire watch: a `data` and a prepended `end` listener on every call's HTTP/2 stream, to catch what grpc-js lets through (the compressed flag without grpc-encoding, a message cut short by END_STREAM). With it off, six interleaved 50,000-call runs served 23,300 calls/s against 21,400, raw grpc-js 23,100. Now an identity-encoded request adds no listener: the flag is read from the 5-byte prefix grpc-js leaves in front of the message it delivers, checked against the message's length, and a cut-short message from grpc-js's decoder at the half-close. Only a compressed request's messages are still scanned on the stream. (2) The Server's live calls in a Map keyed by call, about 1% of the busy time in hashing and rehashing; they are now an array with each call's place kept on the call. A unary handler that returns a value, not a promise, is now answered in the same turn, as grpc-js's callback is. What is left of safestub's own code on the unary path is about 5% of the busy time, most of it the ts-proto encode that grpc-js's serializer runs too; grpc-js, node:http2 and the collector are the rest.",
  "- V8 allocation-site pretenuring moves single runs by about 10%: in two of about eight 100,000-call profiles of safestub's server (none of raw grpc-js's), V8 decided to allocate node's `process.nextTick` objects in old space, and `nextTick` alone took 8% of the samples instead of 1% (the same 10 calls per unary call in both servers, counted). `--no-allocation-site-pretenuring` removed it. Medians of 5 runs absorb it; a single run does not.",
  "- Speed rows below 1.0× (ping-pong, one-way, unary latency and the CPU rows): the run above (2026-12-04 01:55) had a slow host again: raw grpc-js served h2load at 9,597 calls/s against 23,697 on the quiet host of 2026-12-03 afternoon, its unary p50 was 590 µs against 394, and the servers' spreads overlap whole (server CPU per one-way message 18.05–25.35 µs for raw grpc-js, 17.85–25.55 for safestub; per ping-pong round trip 60.5–80.5 and 56.5–81.5). CPU profiles right after it, interleaved (`node --import tsx bench/profile.ts --server <name> pingPong|oneWay`, scratch): server CPU per ping-pong round trip 78, 79, 78 µs for raw grpc-js and 79, 79, 78 for safestub; per one-way message 95 and 96 against 96 and 95 (both under --cpu-prof). Where the time goes: safestub's runtime is 8–10% of the server's busy time, about what grpc-js's Readable, Writable and event emitting take in raw grpc-js's server (safestub's server has none of them), and its garbage collector share is 1–2 points higher: every `for await` message and every awaited send is a promise, and each wakes the handler in a microtask. A callback-level handler style would remove that; this API is promise-based by design. The quiet-host run of 2026-12-03 read 1.02–2.38× on every throughput, latency-p50 and CPU row (README, Performance). Unary calls, probed the same way right after: server CPU per sequential call under --cpu-prof 119 µs for raw grpc-js and 123 for safestub (busy time 1,463 against 1,363 ms for 5,000 calls); h2load as a sequential client (one stream at a time, 8,000 calls, three fresh servers each) times a call at 225–246 µs on raw grpc-js and 231–274 on safestub (means), the same within their spread; GC during 10,000 sequential calls 61–69 ms in 78 scavenges against 64–69 ms in 73. With the bench's grpc-js client instead, safestub's p50 read 6–8% higher in two probes (466–518 against 425–484 µs) and 3% higher in a third (5 interleaved runs, medians 420 against 407 µs, single runs 339–541 µs on both as the host's speed moved). safestub's server answers a unary call in one socket write (headers, message and trailers: 1.19 `writev` per call, `strace -c`), raw grpc-js's in 1.54 (its status waits for the message's write callback); a build that sent the status the way grpc-js does read 447 µs in that third probe, so the framing does not explain the difference. The unary p99 is the 50th-slowest of 5,000 sequential calls, spreads 3,575–4,449 µs for raw grpc-js alone, and read 1.04×, 1.00×, 0.91×, 0.85× and 0.91× over the last five runs.",
  "- Memory: what sets the RSS rows is V8's heap sizing more than what the calls hold. Probed with `--trace-gc-nvp`, `v8.getHeapSpaceStatistics()` and heap snapshots inside the servers (scratch probes, not part of the bench), 2026-12-04. Over the unary workloads safestub's server allocates less per call than raw grpc-js's (about 21 against 23 KB; raw grpc-js also keeps channelz) and promotes less (53 against 67 MB), with the same four mark-compacts; its peak is higher because V8 sets the next old-generation limit from the live heap after a mark-compact (8.5–9.5 against 7.8 MB), so what the runtime keeps live comes back several times in the peak. Fresh, safestub's server is 0.6 MB larger: its 134 KB bundle source kept as one string (large-object space), one more 256 KB page of old space (the runtime's functions, classes and their maps) and about 0.25 MB more young-generation pages touched while loading. With 1,000 idle streams, heap snapshots give 7.1 KB per stream for safestub (6.8 KB raw grpc-js): safestub's own objects are the call (GrpcServerCall, 344 B), five bound callbacks (240 B), Receiver and its loop (168 B), Sender (64 B), the two ports (88 B), RequestWire (56 B) and the handler's `async` frame and `for await` (the generator, three promises, two reactions, the await's and next()'s resolvers: about 0.5 KB; the generator also keeps the last message); raw grpc-js instead keeps ServerDuplexStreamImpl with its Readable and Writable state, eight listener closures of grpc-js's per call and more objects (about 1.2 KB) that safestub's server skips. This session (2026-12-04) took 0.24 KB per stream off (6.21 → 5.95 KB after a GC): bound methods instead of arrows for the callbacks a stream keeps (no closure context beside each), RequestWire keeping grpc-js's decoder instead of the whole wire object, and no boxed Infinity per call. Earlier: the runtime's CommonJS bundle stopped loading a CommonJS copy of @bufbuild/protobuf (it requires @bufbuild/protobuf/wire on the first status detail, runtime/core/protobuf-wire.ts), which took the fresh gap from 1.8 to 0.6 MB and the peak over the workloads from 0.91× to 0.97×. Why RSS with 1,000 idle streams stays just above raw grpc-js (0.97–0.99×): the runtime's 0.6 MB load cost would have to be paid back by the streams, 0.6 KB each below raw grpc-js, while the handler's `async` frame alone holds about 0.5 KB and grpc-js's HTTP/2 stream, intercepting call and decoder (about 5 KB) sit under both servers. What would move it: an HTTP/2 server layer of safestub's own on node:http2 (no grpc-js call objects, most of either server's 21–23 KB allocated and 5 KB kept per call), or a callback-level handler style; trimming the runtime further (packing GrpcServerCall's eight booleans, one object for both ports) is worth about 0.15 KB per stream.",
  "- Loading: the published runtime package (packages/safestub) ships one CommonJS bundle per entry point and one of the modules they share (scripts/bundle-runtime.mjs); `bench/load-cost.ts` measures it at 0.4 MB of RSS above grpc-js and @bufbuild/protobuf/wire in a CommonJS program and 1.6 MB in an ES module program (the ES module wrapper, and grpc-js and @bufbuild/protobuf imported as ES modules), against 2.6 MB as one file per module (section Load). The bench loads safestub from that package, as users install it. In the run above the protobuf-es backend still loaded two copies of @bufbuild/protobuf (60 CommonJS modules beside the ES module ones): the generated `_pb.ts` imports its ES module build, and safestub/protobuf-es, then an ES module wrapper of a CommonJS bundle, required the CommonJS one. safestub/protobuf-es is now tsc's ES module itself (scripts/build-packages.mjs, OWN_ES_MODULE), and the bench's protobuf-es server starts at 61.2 MB of RSS against 64.7 (4 fresh processes each, read 2 s after start, 2026-12-04): most of that column's fresh-RSS gap (66 against 59 MB above).",
  "- Not in these figures: the end of a client-streaming or bidi request stream reaches the handler 20 ms after END_STREAM (HALF_CLOSE_SETTLE_MS, runtime/transport/grpc-js/server-call.ts), the time a grpc-js client's RST_STREAM may take to follow a cancel, so that a cancelled upload never looks complete. The bench's streams are long and do not show it; a 10-message client-streaming call took about 21 ms against raw grpc-js's 1 ms (bench/child.ts with `clientStream: 10`, the other counts as above).",
  "- Connect-ES's server served h2load's unary calls at about a tenth of raw grpc-js's rate in every smoke run, with 6–8 times the server CPU per call, and its idle streams held about twice the memory. It runs as its documentation shows (`connectNodeAdapter` on `http2.createServer`, no tuning); why h2load's calls cost it that much more than the grpc-js client's (0.25–0.46×) was not looked into.",
];

/** How many times better `median` is than `baseline` on `row` (> 1 better). */
function betterBy(row: Row, median: number, baseline: number): number {
  return row.lowerIsBetter ? baseline / median : median / baseline;
}

export function serverMarkdown(run: ServerRun): string[] {
  const specs = run.servers.map((name) => SERVERS.find((s) => s.name === name)!);
  const base = run.reps["grpcjs"] ?? [];
  const c = run.counts;
  const lines = [
    ...(run.quick ? ["**Smoke figures** (`--quick`: small counts, one repetition, on a machine shared with other work): they show the bench runs, not how the servers compare. Pending the full run (`npm run bench:server`).", ""] : []),
    `Run started ${run.startedAt}, took ${Math.round(run.seconds)} s, ${run.repetitions} repetitions (servers rotated); load average before ${run.loadBefore.map((l) => l.toFixed(2)).join(" ")}, after ${run.loadAfter.map((l) => l.toFixed(2)).join(" ")}.`,
    "",
    `Each server in its own process; one client for all (bench/stacks/wire.ts: raw grpc-js, identity serializers on pre-encoded bytes, retry buffer 0) in another. Counts: unary latency ${c.unaryLatency} sequential calls; unary ${c.unaryConcurrent} calls with ${c.concurrency} in flight; h2load ${run.h2loadCalls} calls, ${c.concurrency} streams on one connection${run.h2load ? "" : " (not run: no h2load)"}; server streaming ${c.serverStream} × 8 B; client streaming ${c.clientStream} × 8 B, every send awaited; ping-pong ${c.pingPong} round trips; one-way ${c.oneWay} × ${c.oneWaySize} B; idle: ${run.idleStreams} bidi streams on a fresh server, one round trip each, RSS read 0.5 s later (and the JS heap after a full GC, on another fresh server). Server CPU is user + system time from /proc (10 ms ticks).`,
    "",
    "Median (min–max); the ratio is against raw grpc-js in the same run, > 1 better on every row (for latency, CPU and memory: raw grpc-js ÷ this server).",
    "",
    `| figure | ${specs.map((s) => s.label).join(" | ")} |`,
    `|---|${specs.map(() => "---").join("|")}|`,
  ];
  for (const row of ROWS) {
    const digits = row.digits ?? 0;
    const baseMedian = spread(base.map(row.of)).median;
    const cells = specs.map((s) => {
      const sp = spread((run.reps[s.name] ?? []).map(row.of));
      const cell = `${fmt(sp.median, digits)} (${fmt(sp.min, digits)}–${fmt(sp.max, digits)})`;
      if (s.name === "grpcjs" || !Number.isFinite(baseMedian) || !Number.isFinite(sp.median)) return cell;
      return `${cell}, ${betterBy(row, sp.median, baseMedian).toFixed(2)}×`;
    });
    lines.push(`| ${row.label} | ${cells.join(" | ")} |`);
  }
  lines.push("", ...targetLines(run), "", ...NOTES);
  const failed = Object.entries(run.failures).filter(([, f]) => f.length > 0);
  if (failed.length) lines.push("", ...failed.map(([name, f]) => `- ${name}: ${f.length} failed repetition(s): ${f[0]}`));
  return lines;
}

/** Issue 18's targets for safestub's Server, checked on the ratios of medians above. */
function targetLines(run: ServerRun): string[] {
  const ours = run.reps["safestub"];
  const base = run.reps["grpcjs"];
  if (!ours?.length || !base?.length) return [];
  const ratio = (row: Row) => betterBy(row, spread(ours.map(row.of)).median, spread(base.map(row.of)).median);
  const rows = ROWS.filter((r) => Number.isFinite(ratio(r)));
  const below = rows.filter((r) => ratio(r) < 1);
  const streaming = ratio(ROWS.find((r) => r.label.startsWith("server streaming"))!);
  const idle = ratio(ROWS.find((r) => r.label.startsWith("server RSS with the idle"))!);
  const mark = (met: boolean) => (met ? "met" : "**missed**");
  return [
    "Targets (issue 18), safestub Server against raw grpc-js:",
    "",
    `- ≥ 1.0× on every figure: ${mark(below.length === 0)}${below.length ? ` (below: ${below.map((r) => `${r.label} ${ratio(r).toFixed(2)}×`).join("; ")})` : ""}`,
    `- server streaming ≥ 1.3×: ${mark(streaming >= 1.3)} (${streaming.toFixed(2)}×)`,
    `- RSS with ${run.idleStreams} idle streams ≤ raw grpc-js: ${mark(idle >= 1)} (${idle.toFixed(2)}×)`,
  ];
}
