// shutdown() racing new calls, in a loop on both transports: calls of every kind start just before,
// at and just after the drain begins. Each ends OK or UNAVAILABLE (never hangs, never another code),
// streaming handlers that watch their signal end their streams, unary handlers run to the end, the
// shutdown resolves well before its grace, and afterwards nothing is served.
import { describe, expect, it } from "vitest";
import { Code, RpcError } from "safestub";
import { createChannel } from "safestub";
import { ProbeClient, type ProbeHandlers } from "@backend/probe.js";
import { msg, sleep } from "../helpers/probe.js";
import { transports } from "../helpers/transports.js";

const RUNS = 24;
const PER_KIND = 8;
const GRACE_MS = 2000;

/** Handlers as a well-behaved service writes them: streams end on the drain's notice, unary calls finish. */
const drainAware: Partial<ProbeHandlers> = {
  unary: async (req) => {
    await sleep(5);
    return req;
  },
  download: async (req, tx, ctx) => {
    for (let id = 0; id < 1_000_000 && !ctx.signal.aborted; id++) {
      await tx.send(msg({ id }));
      await sleep(1);
    }
  },
  upload: async (rx) => {
    let count = 0;
    for await (const _ of rx) count++;
    return msg({ count });
  },
  chat: async (rx, tx, ctx) => {
    const stop = new Promise<undefined>((resolve) => ctx.signal.addEventListener("abort", () => resolve(undefined), { once: true }));
    for (;;) {
      const m = await Promise.race([rx.recv(), stop]);
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if (m === undefined) return;
      await tx.send(m);
    }
  },
};

/** How a call ended, or "hung" after 5 s. */
async function ending(p: Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<string>((resolve) => (timer = setTimeout(() => resolve("hung"), 5000)));
  const ended = p.then(
    () => "OK",
    (err: unknown) => (err instanceof RpcError ? Code[err.code]! : `not an RpcError: ${String(err)}`),
  );
  try {
    return await Promise.race([ended, hung]);
  } finally {
    clearTimeout(timer);
  }
}

/** One call of each kind, driven to its end. */
function oneOfEach(client: ProbeClient): Promise<string>[] {
  const download = (async () => {
    const call = client.download(msg());
    for (let i = 0; i < 1_000_000; i++) if ((await call.receiver.recv()) === undefined) return;
  })();
  const upload = (async () => {
    const call = client.upload();
    await call.sender.send(msg({ id: 1 }));
    await call.sender.close();
    await call.response;
  })();
  const chat = (async () => {
    const call = client.chat();
    await call.sender.send(msg({ id: 1 }));
    for (let i = 0; i < 1_000_000; i++) if ((await call.receiver.recv()) === undefined) return;
  })();
  // A failed send leaves the call's own status to the receiving side: count that one.
  return [ending(client.unary(msg({ id: 1 }))), ending(download), ending(upload), ending(chat)];
}

for (const transport of transports) {
  describe(`shutdown() racing new calls (${transport.name}, ${RUNS} runs)`, () => {
    it("every call ends OK or UNAVAILABLE, none hangs, the drain ends before its grace, and nothing is served afterwards", async () => {
      const seen = new Map<string, number>();
      for (let run = 0; run < RUNS; run++) {
        const setup = await transport.start(drainAware);
        const endings: Promise<string>[] = [];
        // The drain begins after a different number of calls each run (0 … PER_KIND), mid-burst.
        const at = run % (PER_KIND + 1);
        let stopped: Promise<void> | undefined;
        let started = 0;
        for (let i = 0; i < PER_KIND; i++) {
          if (i === at) {
            started = performance.now();
            stopped = setup.server.shutdown({ graceMs: GRACE_MS });
          }
          endings.push(...oneOfEach(setup.client));
          if (run % 2 === 1) await sleep(0); // odd runs: calls and the drain interleave across turns
        }
        if (!stopped) {
          started = performance.now();
          stopped = setup.server.shutdown({ graceMs: GRACE_MS });
        }
        const outcomes = await Promise.all(endings);
        await stopped;
        const drainMs = performance.now() - started;
        for (const outcome of outcomes) seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
        expect(outcomes.filter((o) => o !== "OK" && o !== "UNAVAILABLE"), `run ${run}`).toEqual([]);
        // Every call ended on its own: nothing waited for the grace to run out.
        expect(drainMs, `run ${run}`).toBeLessThan(GRACE_MS);
        // Nothing is served afterwards.
        const after = transport.name === "grpc-js" ? createChannel(setup.channel.address) : setup.channel;
        expect(await ending(new ProbeClient(after).unary(msg(), { timeoutMs: 2000 })), `run ${run}`).toMatch(/^(UNAVAILABLE|DEADLINE_EXCEEDED)$/);
        if (after !== setup.channel) after.close();
        setup.close();
      }
      // Both outcomes occurred: the race was really run.
      expect(seen.get("OK")).toBeGreaterThan(0);
      expect(seen.get("UNAVAILABLE")).toBeGreaterThan(0);
    }, 120_000);
  });
}
