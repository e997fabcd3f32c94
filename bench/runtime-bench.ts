// The runtime bench: one grpc-js server process, one child process per stack and repetition, stacks interleaved.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { ChildResult, Counts } from "./child.js";
import { bundleServer, bundleStack } from "./lib/bundle.js";
import { STACKS, type StackSpec } from "./lib/stacks.js";

export const FULL_COUNTS: Counts = {
  unaryLatency: 5000,
  unaryConcurrent: 20000,
  concurrency: 64,
  serverStream: 200_000,
  clientStream: 200_000,
  pingPong: 20_000,
  oneWay: 200_000,
  oneWaySize: 1024,
  capSeconds: 25,
};

export const QUICK_COUNTS: Counts = {
  unaryLatency: 1000,
  unaryConcurrent: 4000,
  concurrency: 64,
  serverStream: 20_000,
  clientStream: 20_000,
  pingPong: 2000,
  oneWay: 20_000,
  oneWaySize: 1024,
  capSeconds: 5,
};

export interface StackRuns {
  readonly spec: StackSpec;
  readonly runs: ChildResult[];
  readonly failures: string[];
}

export interface RuntimeRun {
  readonly counts: Counts;
  readonly repetitions: number;
  readonly stacks: StackRuns[];
  readonly startedAt: string;
  readonly seconds: number;
  readonly loadBefore: number[];
  readonly loadAfter: number[];
}

export async function runRuntimeBench(options: { counts: Counts; repetitions: number; only?: string[] }, log: (line: string) => void): Promise<RuntimeRun> {
  const { loadavg } = await import("node:os");
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const loadBefore = loadavg();
  const specs = STACKS.filter((s) => !options.only || options.only.some((o) => s.module === o || s.label.includes(o)));
  const bundles = new Map<string, string>();
  for (const spec of specs) if (!bundles.has(spec.module)) bundles.set(spec.module, await bundleStack(spec.module));
  const server = await startServer(await bundleServer());
  const results: StackRuns[] = specs.map((spec) => ({ spec, runs: [], failures: [] }));
  try {
    for (let rep = 0; rep < options.repetitions; rep++) {
      // Rotate the order each repetition so no stack always runs first or last.
      for (let k = 0; k < results.length; k++) {
        const entry = results[(k + rep) % results.length]!;
        const t = performance.now();
        try {
          const run = await runChild(bundles.get(entry.spec.module)!, { port: server.port, serverPid: server.pid, counts: options.counts, ...(entry.spec.grpcOptions ? { grpcOptions: entry.spec.grpcOptions } : {}) });
          entry.runs.push(run);
          log(`rep ${rep + 1}/${options.repetitions} ${entry.spec.label}: ${((performance.now() - t) / 1000).toFixed(1)} s${run.capped.length ? ` (capped: ${run.capped.join(", ")})` : ""}`);
        } catch (err) {
          entry.failures.push(String(err));
          log(`rep ${rep + 1}/${options.repetitions} ${entry.spec.label}: FAILED ${String(err)}`);
        }
      }
    }
  } finally {
    server.stop();
  }
  return { counts: options.counts, repetitions: options.repetitions, stacks: results, startedAt, seconds: (performance.now() - t0) / 1000, loadBefore, loadAfter: loadavg() };
}

export async function startServer(file: string): Promise<{ port: number; pid: number | undefined; stop(): void }> {
  const child = spawn(process.execPath, [file], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
    lines.once("line", (line) => resolve((JSON.parse(line) as { port: number }).port));
  });
  return {
    port,
    pid: child.pid,
    stop: () => {
      child.stdin.end();
      setTimeout(() => child.kill(), 2000).unref();
    },
  };
}

const CHILD_TIMEOUT_MS = 240_000;

/** Runs a bundled client stack (bench/child.ts) with `config` and resolves with its results. */
export function runChild(file: string, config: object): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, JSON.stringify(config)], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), CHILD_TIMEOUT_MS);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split("\n").pop() ?? "";
      if (code === 0 && last.startsWith("{")) return resolve(JSON.parse(last) as ChildResult);
      reject(new Error(`exit ${code ?? signal}: ${err.trim().split("\n").slice(-3).join(" | ")}`));
    });
  });
}
