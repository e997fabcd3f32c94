import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { messages } from "@backend/messages.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
/** The tsconfig tsx runs a child with: its `@backend/*` path gives the child the message backend of the suite that starts it. */
const tsconfig = messages === "protobuf-es" ? "tsconfig.protobuf-es.json" : "tsconfig.json";

/** A TypeScript program run with tsx in its own process, which printed "port N". */
export interface ChildServer {
  process: ChildProcess;
  port: number;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `script` (relative to the repo root) and waits up to `timeoutMs` for its "port N" line; `nodeFlags` go to node itself. */
export function startChild(script: string, args: string[] = [], timeoutMs = 20_000, nodeFlags: string[] = []): Promise<ChildServer> {
  const child = spawn(process.execPath, [...nodeFlags, "--import", "tsx", script, ...args], { cwd: root, env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${script} printed no port within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    let stdout = "";
    child.stdout!.on("data", (d: Buffer) => {
      stdout += d.toString();
      const m = /port (\d+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve({
          process: child,
          port: Number(m[1]),
          kill: (signal = "SIGKILL") =>
            new Promise<void>((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once("exit", () => done());
              child.kill(signal);
            }),
        });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before listening\n${stderr}`));
    });
  });
}
