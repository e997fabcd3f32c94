// `npm run bench:server`: the server side. Four servers, each in its own process (so its CPU time and
// RSS are its own): safestub's Server (on ts-proto and on protobuf-es messages), raw grpc-js with
// ts-proto codecs, Connect-ES v2's node server (gRPC protocol). One client for all, in another process
// (bench/stacks/wire.ts: raw grpc-js on pre-encoded bytes, the same cost against every server), plus
// h2load for unary calls and an idle-streams client for RSS. Servers rotate each repetition; figures are medians with min–max and ratios against
// raw grpc-js from the same run. Writes the "Server" section of bench/RESULTS.md (not with --quick).
//   --quick        smoke run: small counts, 1 repetition, RESULTS.md untouched
//   --reps=N       repetitions (default 5)
//   --only=a,b     servers (grpcjs, safestub, safestub-protobuf-es, connect)
//   --no-h2load    skip the h2load row
//   --report-only  rewrite the section from the last saved run (bench/out/server.json; with --quick, the
//                  last smoke run, marked as such)
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import type { ChildResult, Counts } from "./child.js";
import { bundleEntry, bundleServer, bundleStack } from "./lib/bundle.js";
import { generateBenchCode } from "./lib/generate.js";
import { ensureH2load, grpcFrame, runH2load } from "./lib/h2load.js";
import { processCpuUs, processRssMB } from "./lib/proc.js";
import { writeSection } from "./lib/results-file.js";
import { SERVERS, serverMarkdown, type ServerRep, type ServerRun } from "./lib/server-report.js";
import { startServerProcess, type ServerProcess } from "./lib/server-process.js";
import { FULL_COUNTS, QUICK_COUNTS, runChild } from "./runtime-bench.js";

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const value = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const quick = flag("quick");
const log = (line: string) => console.error(`[bench:server ${new Date().toISOString().slice(11, 19)}] ${line}`);
const outDir = fileURLToPath(new URL("./out/", import.meta.url));
mkdirSync(outDir, { recursive: true });

const counts: Counts = quick ? { ...QUICK_COUNTS, capSeconds: 5 } : FULL_COUNTS;
const h2loadCalls = quick ? 5000 : 50_000;
const idleStreams = 1000;
// The client's retry buffer off: with grpc-js's default 1 MiB, an awaited-send loop builds a backlog
// that the client copies per message (RESULTS.md, Notes) and client streaming would measure the client.
const clientOptions = { "grpc.per_rpc_retry_buffer_size": 0 };
const repetitions = Number(value("reps") ?? (quick ? 1 : 5));
const only = value("only")?.split(",");
const servers = SERVERS.filter((s) => !only || only.includes(s.name));

if (flag("report-only")) {
  report(JSON.parse(readFileSync(`${outDir}server${quick ? "-quick" : ""}.json`, "utf8")) as ServerRun);
} else {
  const run = await measure();
  writeFileSync(`${outDir}server${quick ? "-quick" : ""}.json`, JSON.stringify(run, null, 1));
  if (quick) console.log(serverMarkdown(run).join("\n"));
  else report(run);
}

function report(run: ServerRun): void {
  const lines = serverMarkdown(run);
  console.log(lines.join("\n"));
  writeSection("Server", lines);
  log("wrote the Server section of bench/RESULTS.md");
}

async function measure(): Promise<ServerRun> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const loadBefore = loadavg();
  generateBenchCode();
  const client = await bundleStack("wire");
  const idleClient = await bundleEntry("idle-streams", `import "./idle-streams.ts";\n`);
  const bundles = new Map<string, string>();
  for (const s of servers) bundles.set(s.name, await bundleServer(s.name));
  const h2load = flag("no-h2load") ? undefined : ensureH2load(log);
  // Imported after generateBenchCode(): on a fresh checkout bench/gen/ does not exist before it.
  const { Chunk } = await import("./gen/tsproto/bench/v1/bench.js");
  const body = grpcFrame(Chunk.encode({ seq: 1, data: Buffer.alloc(8, 7) }).finish());
  const reps: Record<string, ServerRep[]> = Object.fromEntries(servers.map((s) => [s.name, []]));
  const failures: Record<string, string[]> = Object.fromEntries(servers.map((s) => [s.name, []]));
  for (let rep = 0; rep < repetitions; rep++) {
    for (let k = 0; k < servers.length; k++) {
      const spec = servers[(k + rep) % servers.length]!;
      const t = performance.now();
      try {
        reps[spec.name]!.push(await oneRep(bundles.get(spec.name)!, client, idleClient, h2load, body));
        log(`rep ${rep + 1}/${repetitions} ${spec.label}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
      } catch (err) {
        failures[spec.name]!.push(String(err));
        log(`rep ${rep + 1}/${repetitions} ${spec.label}: FAILED ${String(err)}`);
      }
    }
  }
  return { quick, counts, h2loadCalls, idleStreams, repetitions, servers: servers.map((s) => s.name), reps, failures, startedAt, seconds: (performance.now() - t0) / 1000, loadBefore, loadAfter: loadavg(), h2load: h2load !== undefined };
}

/** One repetition against one server: the client workloads and h2load on one server process, the idle streams on fresh ones. */
async function oneRep(serverFile: string, client: string, idleClient: string, h2load: string | undefined, body: Buffer): Promise<ServerRep> {
  const server = await startServerProcess(serverFile);
  let result: ChildResult;
  let h2loadCps = NaN;
  let h2loadCpuUs = NaN;
  let peakRssMB: number;
  try {
    result = await runChild(client, { port: server.port, serverPid: server.pid, counts, grpcOptions: clientOptions });
    if (h2load) [h2loadCps, h2loadCpuUs] = await h2loadRow(server, h2load, body);
    peakRssMB = processRssMB(server.pid).peak;
  } finally {
    await server.stop();
  }
  const idle = await idleRss(serverFile, idleClient);
  const idleHeapKBPerStream = await idleHeapPerStream(serverFile, idleClient);
  return { client: result, h2loadCps, h2loadCpuUs, peakRssMB, ...idle, idleHeapKBPerStream };
}

/** h2load's unary calls per second, counted on the server (calls it served over h2load's time), and the server's CPU per call. */
async function h2loadRow(server: ServerProcess, h2load: string, body: Buffer): Promise<[number, number]> {
  const before = await server.unaryCalls();
  const cpu0 = processCpuUs(server.pid);
  const run = runH2load(h2load, `http://127.0.0.1:${server.port}/bench.v1.Bench/Unary`, `${outDir}unary-request.bin`, body, h2loadCalls, counts.concurrency);
  const servedCalls = (await server.unaryCalls()) - before;
  if (servedCalls !== h2loadCalls || run.succeeded !== h2loadCalls) throw new Error(`h2load: ${run.succeeded} of ${h2loadCalls} succeeded, the server served ${servedCalls}`);
  return [servedCalls / run.seconds, (processCpuUs(server.pid) - cpu0) / servedCalls];
}

/** A fresh server's RSS before and with `idleStreams` bidi streams open (each made one round trip). */
async function idleRss(serverFile: string, idleClient: string): Promise<{ idleBaseRssMB: number; idleRssMB: number; idlePeakRssMB: number }> {
  const server = await startServerProcess(serverFile);
  try {
    const idleBaseRssMB = processRssMB(server.pid).rss;
    const { rss, peak } = await withIdleStreams(server, idleClient, async () => processRssMB(server.pid));
    return { idleBaseRssMB, idleRssMB: rss, idlePeakRssMB: peak };
  } finally {
    await server.stop();
  }
}

/**
 * The JS heap each idle stream holds, KB: another fresh server (node --expose-gc, which only exposes
 * gc()), its heap after a full GC with `idleStreams` streams open minus before. Apart from the RSS
 * run, whose figures must not see a forced GC.
 */
async function idleHeapPerStream(serverFile: string, idleClient: string): Promise<number> {
  const server = await startServerProcess(serverFile, ["--expose-gc"]);
  try {
    const before = await server.heapUsed();
    const after = await withIdleStreams(server, idleClient, () => server.heapUsed());
    return (after - before) / idleStreams / 1024;
  } finally {
    await server.stop();
  }
}

/** Opens `idleStreams` bidi streams to `server` (one round trip each), lets it settle, and reads `measure` while they are open. */
async function withIdleStreams<T>(server: ServerProcess, idleClient: string, measure: () => Promise<T>): Promise<T> {
  const holder = spawn(process.execPath, [idleClient, JSON.stringify({ port: server.port, count: idleStreams })], { stdio: ["pipe", "pipe", "inherit"] });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("idle streams: not open within 60 s")), 60_000);
      holder.stdout.once("data", () => {
        clearTimeout(timer);
        resolve();
      });
      holder.once("exit", (code) => reject(new Error(`idle streams client exited with ${code}`)));
    });
    // Let the server settle (its handlers are parked in recv()) before reading its memory.
    await new Promise((resolve) => setTimeout(resolve, 500));
    return await measure();
  } finally {
    holder.stdin.end();
  }
}
