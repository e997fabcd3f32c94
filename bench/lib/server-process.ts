// A bench server (bench/servers/*.ts, bundled) in its own process, driven over stdin/stdout
// (bench/servers/harness.ts): its port, its pid for /proc, the number of unary calls it served.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

export interface ServerProcess {
  readonly port: number;
  readonly pid: number;
  /** Unary calls the server answered so far. */
  unaryCalls(): Promise<number>;
  /** The server's JS heap in use after a full GC, bytes (NaN unless it runs with --expose-gc). */
  heapUsed(): Promise<number>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 20_000;

/** Starts the bundled server `file` (`nodeFlags` go to node, e.g. --cpu-prof) and waits until it listens. */
export async function startServerProcess(file: string, nodeFlags: readonly string[] = []): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeFlags, file], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  const replies: ((line: string) => void)[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not listen within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    child.once("exit", (code) => reject(new Error(`${file} exited with ${code}`)));
    lines.once("line", (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
      lines.on("line", (next) => replies.shift()?.(next));
    });
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    port,
    pid: child.pid!,
    unaryCalls: () =>
      new Promise((resolve) => {
        replies.push((line) => resolve((JSON.parse(line) as { unaryCalls: number }).unaryCalls));
        child.stdin.write("stats\n");
      }),
    heapUsed: () =>
      new Promise((resolve) => {
        replies.push((line) => resolve((JSON.parse(line) as { heapUsed: number | null }).heapUsed ?? NaN));
        child.stdin.write("heap\n");
      }),
    stop: async () => {
      child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
