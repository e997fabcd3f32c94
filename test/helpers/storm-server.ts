// A Probe server in its own process for the fault matrix and the cancellation storm. Prints "port N".
//   unary "stats":  collects garbage (run with --expose-gc) and reports ServerStats (storm-stats.ts) as JSON in `text`
//   unary "wait":   waits until the call is cancelled
//   unary "sleep":  answers after req.count ms (a unary call a drain lets finish)
//   other unary:    echoes the request
//   download:       sends req.count messages (numbered by id) of req.size bytes, then ends; ends
//                   early (OK) when its signal aborts, as at a drain's notice
//   upload:         counts the messages and answers the count
//   chat:           echoes every message; when its signal aborts it throws the reason (a drain's
//                   notice: UNAVAILABLE "server shutting down")
// It also serves grpc.health.v1.Health (NOT_SERVING once it shuts down).
// SIGTERM shuts it down with a 1 s grace (--grace-ms=N for another), SIGUSR2 at once (forceShutdown);
// then it exits 0.
import { createServer, type ServerContext } from "safestub";
import { addHealth } from "safestub/health";
// `@backend/*` follows the tsconfig tsx runs with (see startChild): ts-proto or protobuf-es messages.
import { messages } from "@backend/messages.js";
import { ProbeService, msg, type Msg } from "@backend/probe.js";
import type { ServerStats } from "./storm-stats.js";

let running = 0;
let started = 0;
const counted =
  <A extends unknown[], R>(handler: (...args: A) => Promise<R>) =>
  async (...args: A): Promise<R> => {
    running++;
    started++;
    try {
      return await handler(...args);
    } finally {
      running--;
    }
  };

const cancelled = (ctx: ServerContext) =>
  new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    else ctx.signal.addEventListener("abort", () => resolve(), { once: true });
  });

const activeHandles = () => (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;

const server = createServer();
server.add(ProbeService, {
  unary: counted(async (req: Msg, ctx: ServerContext) => {
    if (req.text === "stats") {
      global.gc?.();
      const stats: ServerStats = { messages, running: running - 1, started, activeHandles: activeHandles(), rssMiB: process.memoryUsage().rss / 2 ** 20, heapUsedMiB: process.memoryUsage().heapUsed / 2 ** 20 };
      return msg({ text: JSON.stringify(stats) });
    }
    if (req.text === "wait") await cancelled(ctx);
    if (req.text === "sleep") await new Promise((resolve) => setTimeout(resolve, req.count));
    return req;
  }),
  download: counted(async (req, tx, ctx) => {
    const payload = Buffer.alloc(req.size);
    for (let id = 0; id < req.count && !ctx.signal.aborted; id++) await tx.send(msg({ id, payload }));
  }),
  upload: counted(async (rx) => {
    let count = 0;
    for await (const _ of rx) count++;
    return msg({ count });
  }),
  chat: counted(async (rx, tx, ctx) => {
    const stop = cancelled(ctx).then(() => undefined);
    for (;;) {
      const m = await Promise.race([rx.recv(), stop]);
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if (m === undefined) return;
      await tx.send(m);
    }
  }),
});
addHealth(server);
const port = await server.listen("127.0.0.1:0");
process.stdout.write(`port ${port}\n`);
const graceMs = Number(/^--grace-ms=(\d+)$/.exec(process.argv.find((arg) => arg.startsWith("--grace-ms=")) ?? "")?.[1] ?? 1000);
process.on("SIGTERM", () => void server.shutdown({ graceMs }).then(() => process.exit(0)));
process.on("SIGUSR2", () => {
  server.forceShutdown();
  // One turn for the statuses forceShutdown sent to reach the socket.
  setImmediate(() => process.exit(0));
});
