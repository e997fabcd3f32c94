// One of several Probe backends behind one channel, in its own process, for the many-backends
// tests. Prints "port N" once listening. Every call says which backend served it:
//   unary: answers { id: request id, count: this backend's port } (the request payload is not echoed)
//   chat:  sends response header x-backend: <port> at once, then echoes every message
import { createServer } from "safestub";
import { Msg } from "../../gen/testing/probe.js";
import { ProbeService } from "../../gen/testing/probe_grpc.js";

let port = 0;
const refuse = () => Promise.reject(new Error("not served by the backend server"));
const server = createServer().add(ProbeService, {
  unary: (req) => Msg.fromPartial({ id: req.id, count: port }),
  download: refuse,
  upload: refuse,
  chat: async (rx, tx, ctx) => {
    ctx.setHeader("x-backend", String(port));
    ctx.sendHeaders();
    for await (const m of rx) await tx.send(m);
  },
});
port = await server.listen("127.0.0.1:0");
process.stdout.write(`port ${port}\n`);
