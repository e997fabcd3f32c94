// h2load (Debian's nghttp2-client, a C HTTP/2 client) as an independent load generator for unary calls:
// it posts one framed gRPC request per stream, many streams per connection. It checks only the HTTP
// status (a gRPC error is 200 too), so the caller counts the calls the server really served.
import { execFileSync, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";

/** The path of h2load, installing nghttp2-client with apt-get when it is missing (root, Debian); undefined when that fails. */
export function ensureH2load(log: (line: string) => void): string | undefined {
  const found = () => spawnSync("sh", ["-c", "command -v h2load"], { encoding: "utf8" }).stdout.trim() || undefined;
  const path = found();
  if (path) return path;
  log("h2load not found: installing Debian's nghttp2-client (apt-get install -y nghttp2-client) for the unary figure from an independent load generator");
  try {
    execFileSync("apt-get", ["install", "-y", "nghttp2-client"], { stdio: "ignore" });
  } catch {
    try {
      execFileSync("apt-get", ["update"], { stdio: "ignore" });
      execFileSync("apt-get", ["install", "-y", "nghttp2-client"], { stdio: "ignore" });
    } catch (err) {
      log(`could not install nghttp2-client (${String(err).split("\n")[0]}): the h2load row is skipped; install it by hand (apt-get install -y nghttp2-client) to get it`);
      return undefined;
    }
  }
  return found();
}

/** One gRPC length-prefixed message (uncompressed). */
export function grpcFrame(message: Uint8Array): Buffer {
  const out = Buffer.alloc(5 + message.length);
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

export interface H2loadRun {
  /** What h2load counted as done with a 2xx status. */
  succeeded: number;
  seconds: number;
}

/** Runs `requests` unary calls of `body` (a framed request) to `url`, `streams` at a time on one connection. */
export function runH2load(h2load: string, url: string, bodyFile: string, body: Buffer, requests: number, streams: number): H2loadRun {
  writeFileSync(bodyFile, body);
  const args = ["-n", String(requests), "-c", "1", "-t", "1", "-m", String(streams), "--data", bodyFile, "-H", "content-type: application/grpc", "-H", "te: trailers", url];
  const out = execFileSync(h2load, args, { encoding: "utf8", timeout: 240_000 });
  const finished = /finished in ([\d.]+)(m?s)/.exec(out);
  const succeeded = /requests: .*?(\d+) succeeded/.exec(out);
  if (!finished || !succeeded) throw new Error(`unexpected h2load output:\n${out}`);
  const seconds = Number(finished[1]) / (finished[2] === "ms" ? 1000 : 1);
  return { succeeded: Number(succeeded[1]), seconds };
}
