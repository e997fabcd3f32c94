// Lint fixture: correct code safestub/eslint must not report, beyond the type
// contract's correct uses (test/types/correct.ts, also linted clean).
// It is never run.
import type { Receiver as SafeReceiver, Sender as SafeSender } from "safestub";
import type { Point } from "../../gen/route_guide.js";

/** Not safestub's Sender and Receiver: classes of the same names and methods are not reported. */
export class Sender {
  send(_message: string): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
export class Receiver {
  recv(): Promise<string> {
    return Promise.resolve("");
  }
}

export function notSafestub(socket: { send(data: string): Promise<void> }, tx: Sender, rx: Receiver): void {
  void socket.send("x");
  void tx.send("y");
  void tx.close();
  void Promise.all([rx.recv(), rx.recv()]);
}

/** Awaited through a conditional or a nullish fallback: still awaited directly. */
export async function conditional(tx: SafeSender<Point> | undefined, p: Point, close: boolean): Promise<void> {
  await (close ? tx?.close() : tx?.send(p));
  await (tx?.send(p) ?? Promise.resolve());
}

/** A callback whose caller awaits what it returns. */
async function retry<T>(attempt: () => Promise<T>): Promise<T> {
  return attempt();
}

export async function awaitedCallbacks(tx: SafeSender<Point>, rx: SafeReceiver<Point>, p: Point): Promise<Point | undefined> {
  await retry(() => tx.send(p));
  await Promise.resolve().then(() => tx.close());
  return retry(async () => await rx.recv());
}

/** One pending operation per handle: a Sender and a Receiver side by side. */
export async function sideBySide(tx: SafeSender<Point>, rx: SafeReceiver<Point>, points: Point[]): Promise<number> {
  let received = 0;
  await Promise.all([
    (async () => {
      for (const p of points) await tx.send(p);
      await tx.close();
    })(),
    (async () => {
      for await (const p of rx) received += p.latitude;
    })(),
  ]);
  return received;
}
