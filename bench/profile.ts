// Profiles one side of one workload under `node --cpu-prof`; the profile goes to bench/out/prof/ and the
// top self-time functions are printed.
//   node --import tsx bench/profile.ts <module> <workload> [retryBufferBytes]   a client stack (bench/stacks/<module>.ts)
//                                                                               against the grpc-js bench server
//   node --import tsx bench/profile.ts --server <name> <workload>               a bench server (bench/servers/<name>.ts)
//                                                                               driven by bench/stacks/wire.ts
// (workload: a Counts key such as clientStream or pingPong).
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Counts } from "./child.js";
import { bundleServer, bundleStack } from "./lib/bundle.js";
import { generateBenchCode } from "./lib/generate.js";
import { startServerProcess } from "./lib/server-process.js";
import { FULL_COUNTS } from "./runtime-bench.js";

const argv = process.argv.slice(2);
const serverSide = argv[0] === "--server";
const [module = "safestub", workload = "clientStream", retryBuffer] = serverSide ? argv.slice(1) : argv;
const counts: Counts = { ...FULL_COUNTS, unaryLatency: 0, unaryConcurrent: 0, serverStream: 0, clientStream: 0, pingPong: 0, oneWay: 0, [workload]: FULL_COUNTS[workload as keyof Counts] };
const dir = fileURLToPath(new URL(`./out/prof/${serverSide ? "server-" : ""}${module}-${workload}${retryBuffer ? `-rb${retryBuffer}` : ""}/`, import.meta.url));
rmSync(dir, { recursive: true, force: true });
const profiling = ["--cpu-prof", `--cpu-prof-dir=${dir}`];
// The stacks and servers import bench/gen/, which a fresh checkout does not have.
generateBenchCode();
const file = await bundleStack(serverSide ? "wire" : module);
const server = await startServerProcess(await bundleServer(serverSide ? module : "grpcjs"), serverSide ? profiling : []);
const config = { port: server.port, serverPid: server.pid, counts, ...(retryBuffer ? { grpcOptions: { "grpc.per_rpc_retry_buffer_size": Number(retryBuffer) } } : {}) };
const r = spawnSync(process.execPath, [...(serverSide ? [] : profiling), file, JSON.stringify(config)], { encoding: "utf8" });
await server.stop();
console.log(r.stdout.trim(), r.stderr.trim());

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
const profile = JSON.parse(readFileSync(`${dir}${readdirSync(dir)[0]!}`, "utf8")) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const f = byId.get(id)!.callFrame;
  const key = `${f.functionName || "(anonymous)"} ${f.url.replace(/^file:\/\/\/.*?node_modules\//, "").replace(/^file:\/\/\//, "")}:${f.lineNumber + 1}`;
  const dt = profile.timeDeltas[i] ?? 0;
  self.set(key, (self.get(key) ?? 0) + dt);
  total += dt;
});
console.log(`profile ${dir}: ${(total / 1000).toFixed(0)} ms sampled; top self time:`);
for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${(us / 1000).toFixed(0).padStart(6)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`);
// The same samples by file: how much of the busy time is safestub's runtime, grpc-js, node itself.
const byFile = new Map<string, number>();
let busy = 0;
profile.samples.forEach((id, i) => {
  const f = byId.get(id)!.callFrame;
  if (f.functionName === "(idle)") return;
  const file = f.url.replace(/^file:\/\/\/.*?node_modules\//, "").replace(/^file:\/\/\//, "") || f.functionName;
  const dt = profile.timeDeltas[i] ?? 0;
  byFile.set(file, (byFile.get(file) ?? 0) + dt);
  busy += dt;
});
console.log(`busy ${(busy / 1000).toFixed(0)} ms; self time by file:`);
for (const [file, us] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${(us / 1000).toFixed(0).padStart(6)} ms ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${file}`);
