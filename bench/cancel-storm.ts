// The rapid-reset workload, measured: 20,000 cancelled calls (32 in flight, half aborted after
// 2 ms, half past a 3 ms deadline) while 4 unary loops and 4 bidi ping-pong streams run on the same
// channel, against a safestub server in its own process. Once with one connection for everything
// (`resetLimit: false`, what grpc-js does) and once with safestub's default reset budget.
//
//   node --import tsx bench/cancel-storm.ts [--cancelled=20000] [--runs=3]
// Needs `npm run generate` (gen/testing). Prints a table and writes it as the "Cancellation storm" section of
// bench/RESULTS.md.
import { createChannel, type ChannelOptions } from "safestub";
import { ProbeClient } from "../gen/testing/probe_grpc.js";
import type { GrpcClientTransport } from "../runtime/transport/grpc-js/channel.js";
import { cancelStorm, type StormResult } from "../test/helpers/cancel-storm.js";
import { startChild } from "../test/helpers/child.js";
import { writeSection } from "./lib/results-file.js";

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const cancelled = arg("cancelled", 20_000);
const runs = arg("runs", 3);

const configurations: { name: string; options: ChannelOptions }[] = [
  { name: "one connection (resetLimit: false)", options: { resetLimit: false } },
  { name: "safestub default (reset budget)", options: {} },
];

const rows: string[] = [];
for (let run = 1; run <= runs; run++) {
  for (const { name, options } of configurations) {
    const server = await startChild("test/helpers/storm-server.ts");
    const channel = createChannel(`http://127.0.0.1:${server.port}`, options);
    let result: StormResult;
    try {
      result = await cancelStorm(new ProbeClient(channel), { cancelled, concurrency: 32, bystanders: 4, streams: 4 });
    } finally {
      channel.close();
      await server.kill();
    }
    const connections = (channel.transport as GrpcClientTransport).connectionsOpened;
    const failures = Object.entries(result.bystanderFailures).map(([code, n]) => `${code} ${n}`).join(", ") || "none";
    const ends = Object.entries(result.cancelledEnds).map(([code, n]) => `${code} ${n}`).join(", ");
    console.error(`[cancel-storm] run ${run} ${name}: ${JSON.stringify(result)}`);
    rows.push(`| ${run} | ${name} | ${connections} | ${result.bystanderOk.toLocaleString("en")} | ${failures} | ${ends} | ${(result.elapsedMs / 1000).toFixed(1)} |`);
  }
}
const lines = [
  `Written by \`node --import tsx bench/cancel-storm.ts\` (${new Date().toISOString()}): ${cancelled.toLocaleString("en")} cancelled calls (32 in flight, half aborted after 2 ms, half past a 3 ms deadline), 4 unary loops and 4 bidi ping-pong streams beside them on the same channel, against a safestub server in its own process.`,
  "",
  "| run | client | connections | bystander calls and messages ok | bystander failures | cancelled calls ended | seconds |",
  "|---|---|---|---|---|---|---|",
  ...rows,
];
console.log(`\n${lines.join("\n")}`);
writeSection("Cancellation storm", lines);
