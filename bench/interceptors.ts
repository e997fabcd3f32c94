// What interceptors cost: a safestub client and server (grpc-js, loopback, one process) with no
// interceptors, a pass-through client interceptor, a pass-through server interceptor, and both.
// Workloads: sequential unary calls (µs per call) and one server stream and one client stream of
// small messages (µs per message). Repetitions alternate the configurations; medians are printed with
// the overhead against "none" of the same run, and written as the "Interceptors" section of
// bench/RESULTS.md.
//
//   node --import tsx bench/interceptors.ts [--reps=5] [--calls=5000] [--messages=50000]
// Needs `npm run generate` (gen/testing).
import { createChannel, createServer, type ClientInterceptor, type ServerInterceptor } from "safestub";
import { Msg } from "../gen/testing/probe.js";
import { ProbeClient, ProbeService } from "../gen/testing/probe_grpc.js";
import { writeSection } from "./lib/results-file.js";
import { spread } from "./lib/stats.js";

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const reps = arg("reps", 5);
const calls = arg("calls", 5000);
const messages = arg("messages", 50_000);

const clientPassThrough: ClientInterceptor = (next) => (req) => next(req);
const serverPassThrough: ServerInterceptor = (next) => (req) => next(req);
const configurations = [
  { name: "none", client: [], server: [] },
  { name: "client pass-through", client: [clientPassThrough], server: [] },
  { name: "server pass-through", client: [], server: [serverPassThrough] },
  { name: "both", client: [clientPassThrough], server: [serverPassThrough] },
] as const;

interface Figures {
  unaryUs: number;
  serverStreamUs: number;
  clientStreamUs: number;
}

async function measure(client: readonly ClientInterceptor[], server: readonly ServerInterceptor[]): Promise<Figures> {
  const small = Msg.fromPartial({ id: 1 });
  const srv = createServer({ interceptors: server }).add(ProbeService, {
    unary: (req) => req,
    download: async (req, tx) => {
      for (let i = 0; i < req.count; i++) await tx.send(small);
    },
    upload: async (rx) => {
      let count = 0;
      for await (const _ of rx) count++;
      return Msg.fromPartial({ count });
    },
    chat: async () => {},
  });
  const port = await srv.listen("127.0.0.1:0");
  const channel = createChannel(`http://127.0.0.1:${port}`, { interceptors: client });
  const probe = new ProbeClient(channel);
  try {
    // Warm-up: connection and JIT.
    for (let i = 0; i < 500; i++) await probe.unary(small);
    let t = performance.now();
    for (let i = 0; i < calls; i++) await probe.unary(small);
    const unaryUs = ((performance.now() - t) * 1000) / calls;

    t = performance.now();
    let received = 0;
    for await (const _ of probe.download(Msg.fromPartial({ count: messages })).receiver) received++;
    if (received !== messages) throw new Error(`server stream: ${received} of ${messages}`);
    const serverStreamUs = ((performance.now() - t) * 1000) / messages;

    t = performance.now();
    const upload = probe.upload();
    for (let i = 0; i < messages; i++) await upload.sender.send(small);
    await upload.sender.close();
    const { count } = await upload.response;
    if (count !== messages) throw new Error(`client stream: ${count} of ${messages}`);
    const clientStreamUs = ((performance.now() - t) * 1000) / messages;
    return { unaryUs, serverStreamUs, clientStreamUs };
  } finally {
    channel.close();
    srv.forceShutdown();
  }
}

const runs = new Map<string, Figures[]>(configurations.map((c) => [c.name, []]));
for (let rep = 1; rep <= reps; rep++) {
  for (const c of rep % 2 ? configurations : [...configurations].reverse()) {
    const figures = await measure(c.client, c.server);
    runs.get(c.name)!.push(figures);
    console.error(`[interceptors] rep ${rep} ${c.name}: ${JSON.stringify(figures)}`);
  }
}

const median = (name: string, key: keyof Figures) => spread(runs.get(name)!.map((f) => f[key])).median;
const cell = (name: string, key: keyof Figures) => {
  const value = median(name, key);
  const extra = value - median("none", key);
  return name === "none" ? value.toFixed(2) : `${value.toFixed(2)} (${extra >= 0 ? "+" : ""}${extra.toFixed(2)})`;
};
const lines = [
  `Written by \`node --import tsx bench/interceptors.ts\` (${new Date().toISOString()}): a safestub client and server over grpc-js on loopback in one process; ${calls.toLocaleString("en")} sequential unary calls, one server stream and one client stream of ${messages.toLocaleString("en")} small messages (every send awaited); medians of ${reps} alternating repetitions, in brackets the cost over no interceptors in the same run.`,
  "",
  "| interceptors | unary µs per call | server stream µs per message | client stream µs per message |",
  "|---|---:|---:|---:|",
  ...configurations.map((c) => `| ${c.name} | ${cell(c.name, "unaryUs")} | ${cell(c.name, "serverStreamUs")} | ${cell(c.name, "clientStreamUs")} |`),
];
console.log(`\n${lines.join("\n")}`);
writeSection("Interceptors", lines);
