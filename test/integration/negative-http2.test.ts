// gRPC's negative HTTP/2 interop cases: the negative_http2_client program, in its own process,
// against the hand-written misbehaving server (interop/http2/) playing each case. The reset
// cases must fail in bounded time without a deadline; the others must succeed, and the server's
// own assertions (PINGs acknowledged, a new connection after GOAWAY, one stream at a time) hold.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { NEGATIVE_CASE_NAMES, RESET_CASES } from "../../interop/http2/negative-cases.js";
import { startNegativeServer } from "../../interop/http2/negative-server.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLIENT = "interop/negative-http2-client.ts";
/** Process start-up under tsx on a busy machine plus the slowest case (data_frame_padding, ~17 MB of padding). */
const CLIENT_TIMEOUT_MS = 45_000;

interface ClientRun {
  exitCode: number | null;
  lines: string[];
  output: string;
}

/** Runs the client as a user's program would (safestub from dist/), killed if it outlives CLIENT_TIMEOUT_MS. */
function runClient(port: number, testCase: string): Promise<ClientRun> {
  const env = { ...process.env, TSX_TSCONFIG_PATH: "interop/tsconfig.json" };
  const child = spawn(process.execPath, ["--import", "tsx", CLIENT, "--server_host=127.0.0.1", `--server_port=${port}`, `--test_case=${testCase}`], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const killer = setTimeout(() => child.kill("SIGKILL"), CLIENT_TIMEOUT_MS);
  return new Promise((resolve) =>
    child.once("close", (exitCode) => {
      clearTimeout(killer);
      resolve({ exitCode, lines: stdout.split("\n").filter(Boolean), output: `stdout:\n${stdout}\nstderr:\n${stderr}` });
    }),
  );
}

describe("negative_http2_client against the misbehaving server", () => {
  it.each(NEGATIVE_CASE_NAMES)(
    "%s",
    async (name) => {
      const server = await startNegativeServer(name);
      try {
        const run = await runClient(server.port, name);
        expect(run.lines, run.output).toEqual([expect.stringMatching(new RegExp(`^PASS ${name} \\(\\d+ ms\\)$`))]);
        expect(run.exitCode, run.output).toBe(0);
        if (RESET_CASES.includes(name)) expect(Number(/\((\d+) ms\)/.exec(run.lines[0]!)![1]), "a reset call must fail promptly").toBeLessThan(2_000);
        // The server's assertions are about the whole connection lifetime: check them once the client is gone.
        await server.connectionsClosed();
        expect(server.failures()).toEqual([]);
      } finally {
        await server.close();
      }
    },
    CLIENT_TIMEOUT_MS + 10_000,
  );

  it("refuses a case name it does not know, with exit status 2", async () => {
    const run = await runClient(1, "large_unary");
    expect(run.exitCode, run.output).toBe(2);
    expect(run.output).toMatch(/unknown test case "large_unary"/);
  });
});
