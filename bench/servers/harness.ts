// Runs one bench server in this process, for a parent that measures it from outside (its CPU time and
// RSS from /proc): prints {"port": N} once it listens, answers each "stats" line on stdin with
// {"unaryCalls": N} (calls served, for load generators that only check HTTP status) and each "heap"
// line with {"heapUsed": bytes} after a full GC (NaN unless node runs with --expose-gc), and exits
// when stdin closes (the parent went away).
import { createInterface } from "node:readline";

export interface BenchServer {
  readonly port: number;
  close(): void;
}

/** How many unary calls the server answered: every server's unary handler counts itself here. */
export const served = { unaryCalls: 0 };

export async function serve(start: () => Promise<BenchServer>): Promise<void> {
  const server = await start();
  process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
  const lines = createInterface({ input: process.stdin });
  lines.on("line", (line) => {
    if (line.trim() === "stats") process.stdout.write(`${JSON.stringify(served)}\n`);
    if (line.trim() === "heap") process.stdout.write(`${JSON.stringify({ heapUsed: heapAfterGc() })}\n`);
  });
  lines.on("close", () => {
    server.close();
    process.exit(0);
  });
}

/** The JS heap in use after two full collections (the second clears what the first's finalizers freed). */
function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return NaN;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
