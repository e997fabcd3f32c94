// The cancellation storm: many calls cancelled on the wire (each a RST_STREAM the server counts)
// while bystander calls run on the same channel. node:http2 servers answer about 1,000 resets on
// one connection with GOAWAY(INTERNAL_ERROR), which fails every other call on it. Used by
// test/integration/cancel-storm.test.ts and bench/cancel-storm.ts.
import { Code, RpcError } from "safestub";
import type { ProbeClient } from "@backend/probe.js";
import { msg, sleep } from "./probe.js";

export interface StormOptions {
  /** Calls started and then cancelled (half by an abort, half by a deadline). */
  cancelled: number;
  /** Cancelled calls in flight at once. */
  concurrency: number;
  /** Bystander loops: each runs plain echo calls until the storm is over. */
  bystanders: number;
  /** Bystander streams: each a bidi stream echoing one message at a time until the storm is over (a new one after a failure). */
  streams: number;
}

export interface StormResult {
  /** How the cancelled calls ended, by code name (CANCELLED and DEADLINE_EXCEEDED expected). */
  cancelledEnds: Record<string, number>;
  /** Bystander unary calls answered, and bystander stream messages echoed, correctly. */
  bystanderOk: number;
  /** Bystander calls that failed, by code name: collateral damage, must be empty. */
  bystanderFailures: Record<string, number>;
  /** One detail text per bystander failure code, to show what the user saw. */
  failureDetails: Record<string, string>;
  elapsedMs: number;
}

const codeName = (err: unknown) => (err instanceof RpcError ? Code[err.code] : `not an RpcError: ${String(err)}`);
const bump = (counts: Record<string, number>, key: string) => (counts[key] = (counts[key] ?? 0) + 1);

export async function cancelStorm(client: ProbeClient, options: StormOptions): Promise<StormResult> {
  const result: StormResult = { cancelledEnds: {}, bystanderOk: 0, bystanderFailures: {}, failureDetails: {}, elapsedMs: 0 };
  const started = Date.now();
  let next = 0;
  let stormOver = false;

  const canceller = async () => {
    while (next < options.cancelled) {
      const n = next++;
      // The call must be open on the wire when it is cancelled, so that a RST_STREAM goes out:
      // the server's handler waits, and the client gives up after a few milliseconds.
      const settle = (call: Promise<unknown>) =>
        call.then(
          () => bump(result.cancelledEnds, "OK"),
          (err: unknown) => bump(result.cancelledEnds, codeName(err)),
        );
      if (n % 2 === 0) {
        const abort = new AbortController();
        const outcome = settle(client.unary(msg({ text: "wait" }), { signal: abort.signal }));
        await sleep(2);
        abort.abort();
        await outcome;
      } else {
        await settle(client.unary(msg({ text: "wait" }), { timeoutMs: 3 }));
      }
    }
  };

  const bystander = async (loop: number) => {
    for (let i = 0; !stormOver; i++) {
      const id = loop * 1_000_000 + i;
      try {
        const reply = await client.unary(msg({ id, text: "echo" }));
        if (reply.id !== id) bump(result.bystanderFailures, "wrong reply");
        else result.bystanderOk++;
      } catch (err) {
        failed(err);
      }
    }
  };

  const failed = (err: unknown) => {
    const name = codeName(err);
    bump(result.bystanderFailures, name);
    if (err instanceof RpcError) result.failureDetails[name] ??= err.details;
  };

  const streamer = async (loop: number) => {
    let i = 0;
    while (!stormOver) {
      const call = client.chat();
      try {
        for (; !stormOver; i++) {
          const id = -(loop * 1_000_000 + i);
          await call.sender.send(msg({ id }));
          const echo = await call.receiver.recv();
          if (echo?.id !== id) bump(result.bystanderFailures, "wrong reply");
          else result.bystanderOk++;
        }
        await call.sender.close();
        if ((await call.receiver.recv()) !== undefined) bump(result.bystanderFailures, "extra reply");
      } catch (err) {
        failed(err);
        call.cancel();
      }
    }
  };

  const bystanders = [...Array.from({ length: options.bystanders }, (_, loop) => bystander(loop)), ...Array.from({ length: options.streams }, (_, loop) => streamer(loop))];
  await Promise.all(Array.from({ length: options.concurrency }, canceller));
  stormOver = true;
  await Promise.all(bystanders);
  result.elapsedMs = Date.now() - started;
  return result;
}
