// Runs every workload against one stack in this process and prints one JSON line of results.
// Started by bench/run.ts, one process per stack and repetition, so RSS is per stack.
import { sequence, type Stack, type StackFactory, type StackOptions } from "./lib/stack.js";
import { processCpuUs } from "./lib/proc.js";
import { percentile } from "./lib/stats.js";

/** Bounded counts for each workload (the parent picks full or --quick). */
export interface Counts {
  readonly unaryLatency: number;
  readonly unaryConcurrent: number;
  readonly concurrency: number;
  readonly serverStream: number;
  readonly clientStream: number;
  readonly pingPong: number;
  readonly oneWay: number;
  readonly oneWaySize: number;
  /** A workload that runs longer than this stops early and reports its rate over what it did. */
  readonly capSeconds: number;
}

export interface ChildConfig extends StackOptions {
  readonly counts: Counts;
  /** The bench server's pid, to read its CPU time around ping-pong (Linux /proc; NaN elsewhere). */
  readonly serverPid?: number;
}

/** One repetition's figures for one stack. Rates are per second; `capped` lists workloads that hit the time cap. */
export interface ChildResult {
  unaryP50Us: number;
  unaryP99Us: number;
  unaryConcurrentCps: number;
  serverStreamMps: number;
  clientStreamMps: number;
  pingPongRtps: number;
  /** CPU time (user + system, all threads) of this client process per ping-pong round trip, µs. */
  pingPongClientCpuUs: number;
  /** CPU time of the server process per ping-pong round trip, µs. */
  pingPongServerCpuUs: number;
  oneWayMBps: number;
  rssMB: number;
  /** CPU time of the server process per unit of each workload (call, message or round trip), µs; NaN without serverPid. */
  serverCpuUs: Record<string, number>;
  /** The peak RSS (MB) reached by the end of each workload: which one a high peak came from. */
  peakRssAfterMB: Record<string, number>;
  capped: string[];
}

const SMALL = new Uint8Array(8).fill(7);
let capMs = Infinity;
/** Workloads stopped by the time cap. */
const capped: string[] = [];

export async function runChild(factory: StackFactory): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? "{}") as ChildConfig;
  const { counts } = config;
  const stack = await factory(config);
  capMs = counts.capSeconds * 1000;

  // Warm up every path once (connection, JIT), with small counts.
  for (let i = 0; i < 200; i++) await stack.unary(i);
  await stack.serverStream(2000, 8);
  await stack.clientStream(sequence(2000), SMALL);
  await stack.pingPong(sequence(500), SMALL);
  await stack.oneWay(sequence(500), new Uint8Array(counts.oneWaySize));

  const peakRssAfterMB: Record<string, number> = {};
  const peakRss = (workload: string) => (peakRssAfterMB[workload] = Math.round((process.resourceUsage().maxRSS * 1024) / 1e6));
  peakRss("warmUp");

  // The server's CPU time per unit of work, workload by workload.
  const serverCpuUs: Record<string, number> = {};
  let serverCpu0 = NaN;
  const serverCpuFrom = () => (serverCpu0 = processCpuUs(config.serverPid));
  const serverCpuPer = (workload: string, units: number) => (serverCpuUs[workload] = (processCpuUs(config.serverPid) - serverCpu0) / units);

  // A count of 0 skips a workload (bench/profile.ts profiles one workload at a time).
  serverCpuFrom();
  const latencies = await unaryLatencies(stack, counts.unaryLatency);
  serverCpuPer("unaryLatency", counts.unaryLatency);
  peakRss("unaryLatency");
  serverCpuFrom();
  const unaryConcurrentCps = counts.unaryConcurrent ? await unaryConcurrent(stack, counts.unaryConcurrent, counts.concurrency) : NaN;
  serverCpuPer("unaryConcurrent", counts.unaryConcurrent);
  peakRss("unaryConcurrent");

  serverCpuFrom();
  const serverStreamMps = await rate(counts.serverStream, async () => {
    const streamed = await stack.serverStream(counts.serverStream, SMALL.length);
    expect("serverStream", streamed, counts.serverStream);
    return streamed;
  });
  serverCpuPer("serverStream", counts.serverStream);
  peakRss("serverStream");
  serverCpuFrom();
  let clientStreamed = 0;
  const clientStreamMps = await rate(counts.clientStream, async (deadline) => {
    const counted = await stack.clientStream(sequence(counts.clientStream, deadline), SMALL);
    short("clientStream", counted, counts.clientStream, deadline);
    return (clientStreamed = counted);
  });
  serverCpuPer("clientStream", clientStreamed);
  peakRss("clientStream");
  // Ping-pong is latency-bound: one side works while the other waits. The CPU each side spends per
  // round trip shows how much of a round trip the client can still win.
  let pingPongClientCpuUs = NaN;
  let pingPongServerCpuUs = NaN;
  const pingPongRtps = await rate(counts.pingPong, async (deadline) => {
    const client0 = process.cpuUsage();
    const server0 = processCpuUs(config.serverPid);
    const echoes = await stack.pingPong(sequence(counts.pingPong, deadline), SMALL);
    const client = process.cpuUsage(client0);
    pingPongClientCpuUs = (client.user + client.system) / echoes;
    pingPongServerCpuUs = serverCpuUs["pingPong"] = (processCpuUs(config.serverPid) - server0) / echoes;
    short("pingPong", echoes, counts.pingPong, deadline);
    return echoes;
  });
  peakRss("pingPong");
  const blob = new Uint8Array(counts.oneWaySize).fill(9);
  serverCpuFrom();
  let oneWayBytes = 0;
  const oneWayMBps =
    (await rate(counts.oneWay, async (deadline) => {
      const bytes = await stack.oneWay(sequence(counts.oneWay, deadline), blob);
      short("oneWay", bytes, counts.oneWay * counts.oneWaySize, deadline);
      return (oneWayBytes = bytes);
    })) / 1e6;
  serverCpuPer("oneWay", oneWayBytes / counts.oneWaySize);
  peakRss("oneWay");

  stack.close();
  const result: ChildResult = {
    unaryP50Us: percentile(latencies, 0.5),
    unaryP99Us: percentile(latencies, 0.99),
    unaryConcurrentCps,
    serverStreamMps,
    clientStreamMps,
    pingPongRtps,
    pingPongClientCpuUs,
    pingPongServerCpuUs,
    oneWayMBps,
    serverCpuUs,
    // maxRSS is in KiB: the peak resident set of this client process over all workloads.
    rssMB: (process.resourceUsage().maxRSS * 1024) / 1e6,
    peakRssAfterMB,
    capped,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

async function unaryLatencies(stack: Stack, count: number): Promise<number[]> {
  const latencies: number[] = [];
  if (count === 0) return latencies;
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await stack.unary(i);
    latencies.push((performance.now() - t) * 1000);
  }
  return latencies.sort((a, b) => a - b);
}

async function unaryConcurrent(stack: Stack, count: number, concurrency: number): Promise<number> {
  let issued = 0;
  const worker = async () => {
    while (issued < count) await stack.unary(issued++);
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return count / seconds(start);
}

/** Runs `work` (given its deadline) unless `count` is 0, and returns what it did per second. */
async function rate(count: number, work: (deadline: number) => Promise<number>): Promise<number> {
  if (count === 0) return NaN;
  const start = performance.now();
  const done = await work(start + capMs);
  return done / seconds(start);
}

function seconds(start: number): number {
  return (performance.now() - start) / 1000;
}

/** Less than asked is fine only when the time cap stopped the workload; anything else is a lost message. */
function short(workload: string, actual: number, wanted: number, deadline: number): void {
  if (actual === wanted) return;
  if (actual < wanted && performance.now() > deadline) capped.push(workload);
  else throw new Error(`${workload}: the other side counted ${actual}, expected ${wanted}`);
}

function expect(workload: string, actual: number, wanted: number): void {
  if (actual !== wanted) throw new Error(`${workload}: got ${actual}, expected ${wanted}`);
}
