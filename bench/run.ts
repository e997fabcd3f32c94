// `npm run bench`: the runtime bench (and, unless told otherwise, the codegen bench), then bench/RESULTS.md.
//   --quick             short smoke run (small counts, 1 repetition; RESULTS.md untouched)
//   --reps=N            repetitions per stack (default 3)
//   --only=a,b          only stacks whose module or label matches
//   --runtime-only / --codegen-only
//   --corpus=small|full codegen corpus (default small; full = all google/cloud/*/v1)
//   --report-only       rewrite bench/RESULTS.md from the last saved runs (bench/out/*.json), measure nothing
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { pingPongLines, retryBufferLines, runtimeMarkdown } from "./lib/runtime-report.js";
import { FULL_COUNTS, QUICK_COUNTS, runRuntimeBench, type RuntimeRun } from "./runtime-bench.js";
import { runCodegenBench, codegenMarkdown, type CodegenRun } from "./codegen-bench.js";
import { generateBenchCode } from "./lib/generate.js";
import { machineLines } from "./lib/machine.js";
import { currentSections, parseSections, renderSections, RESULTS_FILE } from "./lib/results-file.js";

/** What the figures above do not say by themselves (mechanisms checked by reading grpc-js 1.14.7 and by profiles). */
const NOTES = [
  "- grpc-js's default `grpc.per_rpc_retry_buffer_size` (1 MiB) is what makes client streaming slow on every grpc-js-based stack: while a message fits in the retry buffer, grpc-js acknowledges the write at once (`process.nextTick`), so an awaited-send loop runs ahead and the backlog in `RetryingCall.writeBuffer` grows to the buffer size; every completed child write then runs `clearSentMessages()`, which copies the remaining backlog (`writeBuffer.slice`). With 8-byte messages that is tens of thousands of entries copied per message. The same backlog and its garbage raise the peak RSS. A smaller buffer bounds the backlog; 0 removes it (and with it transparent retries).",
  "- So safestub's lead on client streaming and RSS over raw grpc-js with default options comes from its retry-buffer default; the rows with the same retry buffer (raw grpc-js with 0 against safestub with 0) compare the runtimes themselves.",
  "- Ping-pong and unary latency are latency-bound (the client is idle most of the time in a CPU profile): on a shared 2-core machine their ratios move by about ±10% between runs.",
  "- A ping-pong round trip is strictly sequential: its time is the client's CPU time plus the server's (the ping-pong table: the rest is a few µs; the client's share includes the kernel's loopback TCP work, one `writev`, one `read` and one `epoll_wait` per round trip for every grpc-js-based stack, counted with `strace -c`). Against the same server a client can only win its own CPU time, so the floor row (grpc-js's call layer driven by bare callbacks, no client library at all) is the best any client on grpc-js can do. Across the three full runs of this session the floor measured 1.03×, 0.98× and 1.11× against raw grpc-js, and safestub 0.92×, 0.98× and 1.07× (runtime tightened between them): the 1.1× target sits at the edge of what a client with no cost at all reaches on this noisy machine. In interleaved ping-pong-only runs (7 each) the client CPU per round trip was 60 µs for the floor, 63–64 µs for safestub and 63–65 µs for raw grpc-js; the floor rewritten with one `await` per send and per receive costs 62 µs, so about half of safestub's remaining 3–4 µs over the floor is what any promise-based send/recv API pays.",
  "- Connect-ES leads server streaming because the server does less work for it, not because its client is cheaper: measured apart (400,000 messages), the server spent about 6 µs of CPU per message for Connect-ES against about 8 µs for the grpc-js-based clients (the floor included), and Connect-ES's client read the socket 2,344 times against 32,500 (`strace -c`). Its client spends longer per message, so data piles up between its socket reads and both processes wake up less often. A grpc-js-based client that keeps up with the server wakes for every few server writes, and grpc-js also pauses and resumes the HTTP/2 stream for every message. Batching reads on purpose would cost latency.",
  "- ts-proto's `outputServices=grpc-js` output for the full corpus does not type-check (eventarc's `GetChannel` rpc becomes a `getChannel` method that clashes with `grpc.Client#getChannel`); its check time is still reported.",
];

const outDir = fileURLToPath(new URL("./out/", import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const value = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const quick = flag("quick");
const log = (line: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
mkdirSync(outDir, { recursive: true });
const reportOnly = flag("report-only");
if (!reportOnly) generateBenchCode();
const suffix = quick ? "-quick" : "";

let runtime: RuntimeRun | undefined;
if (!flag("codegen-only") && !reportOnly) {
  const only = value("only")?.split(",");
  runtime = await runRuntimeBench({ counts: quick ? QUICK_COUNTS : FULL_COUNTS, repetitions: Number(value("reps") ?? (quick ? 1 : 3)), ...(only ? { only } : {}) }, log);
  writeFileSync(`${outDir}runtime${suffix}.json`, JSON.stringify(runtime, null, 1));
  console.log(["", "## Runtime", "", ...runtimeMarkdown(runtime), "", "Retry buffer (`grpc.per_rpc_retry_buffer_size`) comparison, medians:", "", ...retryBufferLines(runtime), "", "Ping-pong, per round trip (medians):", "", ...pingPongLines(runtime), ""].join("\n"));
}
let codegen: CodegenRun | undefined;
if (!flag("runtime-only") && !reportOnly) {
  codegen = await runCodegenBench({ corpus: quick ? "quick" : value("corpus") === "full" ? "full" : "small" }, log);
  writeFileSync(`${outDir}codegen-${codegen.corpus}.json`, JSON.stringify(codegen, null, 1));
  console.log(["", "## Codegen", "", ...codegenMarkdown(codegen), ""].join("\n"));
}
if (!quick) writeResults();

/** bench/RESULTS.md from the latest full runtime run and the latest codegen runs (small and full corpus). */
function writeResults(): void {
  const read = <T>(name: string): T | undefined => {
    try {
      return JSON.parse(readFileSync(`${outDir}${name}`, "utf8")) as T;
    } catch {
      return undefined;
    }
  };
  const rt = runtime ?? read<RuntimeRun>("runtime.json");
  const cg = [read<CodegenRun>("codegen-small.json"), read<CodegenRun>("codegen-full.json")].filter((c): c is CodegenRun => c !== undefined);
  const lines = ["# safestub benchmark results", "", "Written by `npm run bench` (bench/run.ts); the latest full run. See bench/README.md for what each workload does.", "", "## Machine and versions", "", ...machineLines(), ""];
  if (rt) {
    lines.push("## Runtime", "", `Run started ${rt.startedAt}, took ${Math.round(rt.seconds)} s; load average before ${rt.loadBefore.map((l) => l.toFixed(2)).join(" ")}, after ${rt.loadAfter.map((l) => l.toFixed(2)).join(" ")}.`, "");
    lines.push(`Counts: unary latency ${rt.counts.unaryLatency} sequential calls; unary ${rt.counts.unaryConcurrent} calls with ${rt.counts.concurrency} in flight; server streaming ${rt.counts.serverStream} × 8 B; client streaming ${rt.counts.clientStream} × 8 B, every send awaited; bidi ping-pong ${rt.counts.pingPong} round trips; bidi one-way ${rt.counts.oneWay} × ${rt.counts.oneWaySize} B; ${rt.counts.capSeconds} s cap per streaming workload.`, "");
    lines.push(...runtimeMarkdown(rt), "");
    lines.push("For reference, issue 7's figures from this kind of machine before safestub existed (medians): unary p50 330 µs; unary c=64 about 7,300 calls/s (Connect-ES 0.46×); server streaming about 128,000 msgs/s; client streaming about 9,000 msgs/s for grpc-js stacks with default options, about 78,000 for Connect-ES, about 95,000 for grpc-js with retry buffer 0; bidi ping-pong about 7,300 rt/s; bidi one-way about 66 MB/s; client RSS about 195 MB (Connect-ES 148 MB).");
    lines.push("", "### Retry buffer", "", "`grpc.per_rpc_retry_buffer_size`, medians from the same run:", "", ...retryBufferLines(rt), "");
    lines.push("### Ping-pong round trip", "", "Per round trip, medians from the same run: CPU time (user + system, all threads) of the client process and of the server process while ping-pong ran, and the rest of the round trip (waiting to be scheduled, wakeups).", "", ...pingPongLines(rt), "");
  }
  for (const c of cg) lines.push(`## Codegen (${c.corpus} corpus)`, "", ...codegenMarkdown(c), "");
  // Sections this run does not write (other benchmarks', hand-written comparisons, a codegen
  // corpus not measured again) stay as they were, before the notes.
  const generated = parseSections(`${lines.join("\n")}\n`);
  const titles = new Set([...generated.sections.map((s) => s.title), "Notes"]);
  const kept = currentSections().filter((s) => !titles.has(s.title));
  writeFileSync(RESULTS_FILE, renderSections(generated.preamble, [...generated.sections, ...kept, { title: "Notes", body: `\n${NOTES.join("\n")}\n` }]));
  log("wrote bench/RESULTS.md");
}

