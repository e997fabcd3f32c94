// Turns a RuntimeRun into markdown: a table of medians (min–max, ratio vs raw grpc-js) and the target check.
import type { ChildResult } from "../child.js";
import type { RuntimeRun, StackRuns } from "../runtime-bench.js";
import { spread } from "./stats.js";

interface Metric {
  readonly key: keyof Omit<ChildResult, "capped" | "peakRssAfterMB" | "serverCpuUs">;
  readonly title: string;
  readonly digits: number;
  readonly lowerIsBetter?: true;
}

const METRICS: readonly Metric[] = [
  { key: "unaryP50Us", title: "unary p50 µs", digits: 0, lowerIsBetter: true },
  { key: "unaryP99Us", title: "unary p99 µs", digits: 0, lowerIsBetter: true },
  { key: "unaryConcurrentCps", title: "unary c=64 calls/s", digits: 0 },
  { key: "serverStreamMps", title: "server stream msgs/s", digits: 0 },
  { key: "clientStreamMps", title: "client stream msgs/s", digits: 0 },
  { key: "pingPongRtps", title: "bidi ping-pong rt/s", digits: 0 },
  { key: "oneWayMBps", title: "bidi one-way MB/s", digits: 1 },
  { key: "rssMB", title: "client peak RSS MB", digits: 0, lowerIsBetter: true },
];

/** Targets from issue 7, on the ratio safestub / raw grpc-js (same run). */
interface Target {
  readonly key: Metric["key"];
  readonly text: string;
  readonly met: (ratio: number, value: number, others: number[]) => boolean;
}

const TARGETS: readonly Target[] = [
  { key: "clientStreamMps", text: "client streaming ≥ 10× and ≥ every other stack (at its default options)", met: (r, v, others) => r >= 10 && others.every((o) => v >= o) },
  { key: "serverStreamMps", text: "server streaming ≥ 1.0×", met: (r) => r >= 1.0 },
  { key: "oneWayMBps", text: "bidi one-way ≥ 1.0×", met: (r) => r >= 1.0 },
  { key: "pingPongRtps", text: "bidi ping-pong ≥ 1.1×", met: (r) => r >= 1.1 },
  { key: "unaryP50Us", text: "unary p50 latency within 3% (≤ 1.03×)", met: (r) => r <= 1.03 },
  { key: "unaryConcurrentCps", text: "unary c=64 ≥ 0.97×", met: (r) => r >= 0.97 },
  { key: "rssMB", text: "client RSS ≤ 0.8×", met: (r) => r <= 0.8 },
];

const median = (s: StackRuns, key: Metric["key"]): number => spread(s.runs.map((r) => r[key])).median;

/** A figure with `digits` decimals and thousands separators; "–" for NaN. */
export function fmt(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits }) : "–";
}

export function runtimeMarkdown(run: RuntimeRun): string[] {
  const baseline = run.stacks.find((s) => s.spec.baseline && s.runs.length > 0);
  const lines: string[] = [];
  lines.push(`Each cell: median over ${run.repetitions} runs (min–max), then the ratio of medians against raw grpc-js with default options (same run).`);
  lines.push("");
  lines.push(`| stack | ${METRICS.map((m) => m.title).join(" | ")} |`);
  lines.push(`|---|${METRICS.map(() => "---:").join("|")}|`);
  for (const s of run.stacks) {
    const cells = METRICS.map((m) => {
      if (s.runs.length === 0) return "failed";
      const { median: med, min, max } = spread(s.runs.map((r) => r[m.key]));
      const base = baseline ? median(baseline, m.key) : NaN;
      return `${fmt(med, m.digits)} (${fmt(min, m.digits)}–${fmt(max, m.digits)}) **${(med / base).toFixed(2)}×**`;
    });
    lines.push(`| ${s.spec.label} | ${cells.join(" | ")} |`);
  }
  const capped = run.stacks.flatMap((s) => [...new Set(s.runs.flatMap((r) => r.capped))].map((w) => `${s.spec.label}: ${w}`));
  if (capped.length) lines.push("", `Stopped at the ${run.counts.capSeconds} s cap (rate over the messages sent so far): ${capped.join("; ")}.`);
  const failed = run.stacks.filter((s) => s.failures.length);
  if (failed.length) lines.push("", `Failed runs: ${failed.map((s) => `${s.spec.label}: ${s.failures.join(" / ")}`).join("; ")}.`);
  lines.push("", ...targetLines(run, baseline));
  return lines;
}

function targetLines(run: RuntimeRun, baseline: StackRuns | undefined): string[] {
  const safestub = run.stacks.find((s) => s.spec.safestub === "target" && s.runs.length > 0);
  if (!baseline || !safestub) return ["Targets: not checked (the baseline or safestub did not run)."];
  const libraries = run.stacks.filter((s) => !s.spec.safestub && !s.spec.floor && s.runs.length > 0);
  const others = libraries.filter((s) => !s.spec.grpcOptions);
  const tuned = libraries.filter((s) => s.spec.grpcOptions);
  const lines = [`Targets for ${safestub.spec.label}, against ${baseline.spec.label}:`, ""];
  for (const t of TARGETS) {
    const value = median(safestub, t.key);
    const ratio = value / median(baseline, t.key);
    const ok = t.met(ratio, value, others.map((o) => median(o, t.key)));
    // Three decimals: a ratio just under its threshold must not print as the threshold itself.
    lines.push(`- ${ok ? "met" : "**MISSED**"}: ${t.text}: ${ratio.toFixed(3)}×`);
  }
  for (const s of tuned) {
    const ratio = median(safestub, "clientStreamMps") / median(s, "clientStreamMps");
    lines.push(`- (not a target) client streaming against ${s.spec.label}: ${ratio.toFixed(2)}× (${ratio >= 1 ? "at or above" : "below"} it)`);
  }
  const floor = run.stacks.find((s) => s.spec.floor && s.runs.length > 0);
  if (floor) {
    const ratios = METRICS.map((m) => `${m.title} ${(median(safestub, m.key) / median(floor, m.key)).toFixed(2)}×`);
    lines.push(`- (not a target) safestub against the ${floor.spec.label}, same metrics: ${ratios.join(", ")}`);
  }
  return lines;
}

/**
 * Where a ping-pong round trip goes: the CPU time each process spends per round trip (user + system,
 * so the kernel's loopback TCP work is in it) and what is left (waiting to be scheduled, wakeups).
 */
export function pingPongLines(run: RuntimeRun): string[] {
  const lines = ["| stack | round trip µs | client CPU µs | server CPU µs | rest µs |", "|---|---:|---:|---:|---:|"];
  for (const s of run.stacks.filter((s) => s.runs.length > 0)) {
    const roundTrip = 1e6 / median(s, "pingPongRtps");
    const client = median(s, "pingPongClientCpuUs");
    const server = median(s, "pingPongServerCpuUs");
    lines.push(`| ${s.spec.label} | ${fmt(roundTrip, 1)} | ${fmt(client, 1)} | ${fmt(server, 1)} | ${fmt(roundTrip - client - server, 1)} |`);
  }
  return lines;
}

/** The retry-buffer comparison the lead asked for, client streaming and unary, as plain figures. */
export function retryBufferLines(run: RuntimeRun): string[] {
  const rows = run.stacks.filter((s) => s.runs.length > 0 && (s.spec.safestub || s.spec.module === "grpcjs"));
  const lines = ["| configuration | client stream msgs/s | bidi one-way MB/s | bidi ping-pong rt/s | unary p50 µs | unary c=64 calls/s | peak RSS MB |", "|---|---:|---:|---:|---:|---:|---:|"];
  for (const s of rows) {
    lines.push(
      `| ${s.spec.label} | ${fmt(median(s, "clientStreamMps"), 0)} | ${fmt(median(s, "oneWayMBps"), 1)} | ${fmt(median(s, "pingPongRtps"), 0)} | ${fmt(median(s, "unaryP50Us"), 0)} | ${fmt(median(s, "unaryConcurrentCps"), 0)} | ${fmt(median(s, "rssMB"), 0)} |`,
    );
  }
  return lines;
}
