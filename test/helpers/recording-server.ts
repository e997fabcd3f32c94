// A Probe server whose handlers record how each call ended, as the handler saw it, for the
// cancellation tests. Run in-process with recordingHandlers(), or in its own process (this file as
// a script prints "port N"). A unary call with text "report" returns the records (JSON in `text`)
// and clears them; any other unary call waits for its signal. Record forms:
//   "<shape> start"          the handler started (upload also sends its headers then)
//   "<shape> complete <n>"   the request stream ended cleanly after n messages
//   "<shape> error <CODE> after <n>"   receiving rejected with an RpcError of that code after n messages
//   "<shape> send <CODE>"    a send after that rejected (bidi), or "send resolved"
//   "<shape> signal <CODE>"  ctx.signal aborted with that reason
import { Code, createServer, RpcError, type ServerContext } from "safestub";
import { msg } from "@backend/probe.js";
import { ProbeService, type ProbeHandlers } from "@backend/probe.js";

const codeOf = (err: unknown) => (err instanceof RpcError ? Code[err.code] : `not an RpcError: ${String(err)}`);

export function recordingHandlers(records: string[]): ProbeHandlers {
  const onSignal = (shape: string, ctx: ServerContext) =>
    new Promise<void>((resolve) => {
      const record = () => {
        records.push(`${shape} signal ${codeOf(ctx.signal.reason)}`);
        resolve();
      };
      if (ctx.signal.aborted) record();
      else ctx.signal.addEventListener("abort", record, { once: true });
    });
  return {
    unary: async (req, ctx) => {
      if (req.text === "report") return msg({ text: JSON.stringify(records.splice(0)) });
      records.push("unary start");
      await onSignal("unary", ctx);
      return msg({});
    },
    download: async (_req, _tx, ctx) => {
      records.push("download start");
      await onSignal("download", ctx);
    },
    upload: async (rx, ctx) => {
      records.push("upload start");
      ctx.sendHeaders(); // so a client can wait until the handler runs
      const signal = onSignal("upload", ctx);
      let n = 0;
      try {
        // Read with recv() when the first message says so, with for-await otherwise.
        const first = await rx.recv();
        if (first !== undefined) n++;
        if (first?.text === "recv") {
          while ((await rx.recv()) !== undefined) n++;
        } else {
          for await (const _ of rx) n++;
        }
        records.push(`upload complete ${n}`);
      } catch (err) {
        records.push(`upload error ${codeOf(err)} after ${n}`);
        await signal;
        throw err;
      }
      return msg({ count: n });
    },
    chat: async (rx, tx) => {
      records.push("chat start");
      let n = 0;
      try {
        for await (const m of rx) {
          n++;
          await tx.send(m);
        }
        records.push(`chat complete ${n}`);
      } catch (err) {
        records.push(`chat error ${codeOf(err)} after ${n}`);
        const sent = await tx.send(msg({ id: -1 })).then(
          () => "resolved",
          (e: unknown) => codeOf(e),
        );
        records.push(`chat send ${sent}`);
      }
    },
  };
}

if (process.argv[1]?.endsWith("recording-server.ts")) {
  const records: string[] = [];
  // --max-streams N: the server's grpc.max_concurrent_streams
  const i = process.argv.indexOf("--max-streams");
  const grpcOptions = i > 0 ? { "grpc.max_concurrent_streams": Number(process.argv[i + 1]) } : {};
  const server = createServer({ grpcOptions }).add(ProbeService, recordingHandlers(records));
  const port = await server.listen("127.0.0.1:0");
  process.stdout.write(`port ${port}\n`);
}
