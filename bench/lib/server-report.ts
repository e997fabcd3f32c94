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
];

/** What the figures do not say by themselves (checked by reading grpc-js 1.14 and node 20, strace and CPU profiles). */
const NOTES = [
  "- Coalescing: grpc-js's server stream hands one message at a time to `call.sendMessage`, whose callback comes only after node:http2 wrote it to the socket, so a burst of sends costs one `writev` per message (102,714 for 100,000 server-streamed messages, `strace -c -e writev`). safestub's Server gives grpc-js's stream object a `_writev` (runtime/transport/grpc-js/internals.ts `batchResponseWrites`): what the handler sent while a write was in flight goes through grpc-js's own `sendMessage` with the HTTP/2 stream corked, one socket write for the lot (13,462 `writev` for the same 100,000). A lone message takes grpc-js's `_write` path as before, with no timer. In smoke runs the server's CPU per streamed message fell from 8.5–10 µs to 4–6.5 µs.",
  "- Unary calls: a CPU profile of safestub's server under h2load had `createAbortSignal` at about 5 µs a call and the abort listener each call added and removed at about 3 µs more: the call's AbortController is now made only when something reads `ctx.signal`. What is left over raw grpc-js is safestub's own per-call objects (GrpcServerCall with two Wakers and three Metadata, ServerContext, the request-wire watch, the status and trailer conversion) and the garbage they make; grpc-js's own call objects are the same for both (safestub registers every method as a request stream, and grpc-js's client-streaming path cost the same as its unary path under h2load). Since then the request metadata, response headers and trailers and the failure strings are made only when used, and the one request is accepted with callbacks (young-generation GCs per 20,000 unary calls 1,544 → 1,440; raw grpc-js 1,349–1,391). What is left: every unary method is registered with grpc-js as a request stream (a Duplex and grpc-js's client-streaming path per call), and the ports' closures per call.",
  "- Idle streams: a heap snapshot with 1,000 idle bidi streams held about 12.8 KB of JS heap per stream on safestub's server against 5.9 KB on raw grpc-js's. The difference is spread over many small objects per call: 17 closures and 16 contexts (the ports' functions, listeners), 6 promises (the handler's `for await`, the Waker, `over`), two generators, three Metadata with their Maps, Receiver, Sender, ServerContext, FrameScanner, GrpcServerCall. No single one is large: meeting raw grpc-js's RSS needs the same fewer-objects work as the unary path.",
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
    `Each server in its own process; one client for all (bench/stacks/wire.ts: raw grpc-js, identity serializers on pre-encoded bytes, retry buffer 0) in another. Counts: unary latency ${c.unaryLatency} sequential calls; unary ${c.unaryConcurrent} calls with ${c.concurrency} in flight; h2load ${run.h2loadCalls} calls, ${c.concurrency} streams on one connection${run.h2load ? "" : " (not run: no h2load)"}; server streaming ${c.serverStream} × 8 B; client streaming ${c.clientStream} × 8 B, every send awaited; ping-pong ${c.pingPong} round trips; one-way ${c.oneWay} × ${c.oneWaySize} B; idle: ${run.idleStreams} bidi streams on a fresh server, one round trip each, RSS read 0.5 s later. Server CPU is user + system time from /proc (10 ms ticks).`,
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
