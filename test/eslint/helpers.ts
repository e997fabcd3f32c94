// Lint fixture: misuses the rule leaves to typescript-eslint's promise rules.
// A helper that returns a send is fine by itself (the send is returned); its
// caller must await it, which @typescript-eslint/no-floating-promises checks,
// and an async callback where a void one is expected is
// @typescript-eslint/no-misused-promises' job. It is never run.
import type { Sender } from "safestub";
import type { Point } from "../../gen/route_guide.js";

function sendOne(tx: Sender<Point>, point: Point): Promise<void> {
  return tx.send(point);
}

export function callers(tx: Sender<Point>, a: Point, b: Point): void {
  sendOne(tx, a);
  [a, b].forEach(async (point) => {
    await sendOne(tx, point);
  });
}
