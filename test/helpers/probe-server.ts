// A Probe server in its own process, for tests that need a second process:
// memory bounds and a server killed mid-stream. Prints "port N" once listening.
//   unary:    reports { count: messages sent by download, size: RSS in MiB, text: the message backend }
//   download: sends req.count messages of req.size bytes
//   upload:   never reads (its client must be held back by flow control)
//   chat:     echoes every message
import { createServer } from "safestub";
// `@backend/*` follows the tsconfig tsx runs with (see startChild): ts-proto or protobuf-es messages.
import { messages } from "@backend/messages.js";
import { ProbeService, msg } from "@backend/probe.js";

let sent = 0;
const server = createServer();
server.add(ProbeService, {
  unary: () => msg({ count: sent, size: Math.round(process.memoryUsage().rss / 2 ** 20), text: messages }),
  download: async (req, tx, ctx) => {
    const payload = Buffer.alloc(req.size);
    for (let id = 0; id < req.count && !ctx.signal.aborted; id++) {
      await tx.send(msg({ id, payload }));
      sent++;
    }
  },
  upload: async (_rx, ctx) => {
    await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
    return msg();
  },
  chat: async (rx, tx) => {
    for await (const m of rx) await tx.send(m);
  },
});
const port = await server.listen("127.0.0.1:0");
process.stdout.write(`port ${port}\n`);
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => void server.shutdown({ graceMs: 1000 }).then(() => process.exit(0)));
}
