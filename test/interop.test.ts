// The gRPC interop cases across implementations, each program in its own
// child process the way an interop harness runs them: the safestub client
// and server (generated code over dist/, imported as "safestub"), and a
// reference client and server written directly on @grpc/grpc-js. The safestub
// programs are one source run on either message backend: ts-proto
// (interop/tsconfig.json) or protobuf-es (interop/tsconfig.protobuf-es.json
// maps `@backend/*` to gen/protobuf-es).
import * as grpc from "@grpc/grpc-js";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, createChannel } from "safestub";
import { HealthClient, ServingStatus } from "safestub/health";
import { PayloadType, type StreamingOutputCallRequest } from "../gen/grpc/testing/messages.js";
import { TestServiceClient } from "../gen/grpc/testing/test_grpc.js";
import { CASE_NAMES, COMPRESSED_STREAMING_TOTAL, COMPRESSION_CASE_NAMES, LARGE_REQUEST_SIZE, LARGE_RESPONSE_SIZE, PROBE_NOT_REFUSED } from "../interop/spec.js";
import { RawReflectionClient, registryFor } from "./helpers/reflection-client.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PROGRAMS = {
  safestubServer: "interop/server.ts",
  safestubClient: "interop/client.ts",
  grpcJsServer: "interop/grpc-js/server.ts",
  grpcJsClient: "interop/grpc-js/client.ts",
} as const;
/** Bounds on every wait: process start-up under tsx on a busy machine, and a whole `--test_case=all` run. */
const START_TIMEOUT_MS = 30_000;
const CLIENT_TIMEOUT_MS = 60_000;

/** What a client passes to reach a --use_tls=true server: the test CA and the name in the test certificate. */
const TLS_CLIENT_FLAGS = ["--use_tls=true", "--use_test_ca=true", "--server_host_override=foo.test.google.fr"];

/** The tsconfig tsx runs a safestub program with, per message backend (the reference programs ignore it). */
const TSCONFIGS = { "ts-proto": "interop/tsconfig.json", "protobuf-es": "interop/tsconfig.protobuf-es.json" } as const;
type Backend = keyof typeof TSCONFIGS;

const children = new Set<ChildProcess>();
const servers: { safestub?: RunningServer; grpcJs?: RunningServer; safestubTls?: RunningServer; grpcJsTls?: RunningServer; safestubProtobufEs?: RunningServer } = {};

beforeAll(async () => {
  checkRuntimeBuilt();
  [servers.safestub, servers.grpcJs, servers.safestubTls, servers.grpcJsTls, servers.safestubProtobufEs] = await Promise.all([
    startServer(PROGRAMS.safestubServer),
    startServer(PROGRAMS.grpcJsServer),
    startServer(PROGRAMS.safestubServer, ["--use_tls=true"]),
    startServer(PROGRAMS.grpcJsServer, ["--use_tls=true"]),
    startServer(PROGRAMS.safestubServer, [], "protobuf-es"),
  ]);
}, START_TIMEOUT_MS + 5_000);

afterAll(async () => {
  await Promise.all([...children].map((child) => stop(child)));
}, 15_000);

/** Who talks to whom; every pairing runs in plaintext and again with --use_tls=true. */
const pairs = [
  { client: "safestub", server: "safestub", clientProgram: PROGRAMS.safestubClient },
  { client: "safestub", server: "grpc-js", clientProgram: PROGRAMS.safestubClient },
  { client: "grpc-js", server: "safestub", clientProgram: PROGRAMS.grpcJsClient },
  // The control pair: the reference client and server agree, so a failure above is not theirs.
  { client: "grpc-js", server: "grpc-js", clientProgram: PROGRAMS.grpcJsClient },
] as const;
const pairings: (readonly [string, { clientProgram: string; clientBackend: Backend; serverOf: () => RunningServer | undefined; flags: string[] }])[] = [false, true].flatMap((tls) =>
  pairs.map(({ client, server, clientProgram }) => {
    const key = `${server === "safestub" ? "safestub" : "grpcJs"}${tls ? "Tls" : ""}` as const;
    const title = `${client} client x ${server} server${tls ? ", --use_tls=true" : ""}`;
    return [title, { clientProgram, clientBackend: "ts-proto" as Backend, serverOf: () => servers[key], flags: tls ? TLS_CLIENT_FLAGS : [] }] as const;
  }),
);
// The same cases with protobuf-es messages: the safestub client and server against each other, against the
// reference programs, and against the ts-proto build (both backends put the same bytes on the wire).
for (const [title, clientProgram, clientBackend, serverOf] of [
  ["safestub (protobuf-es) client x safestub (protobuf-es) server", PROGRAMS.safestubClient, "protobuf-es", () => servers.safestubProtobufEs],
  ["safestub (protobuf-es) client x grpc-js server", PROGRAMS.safestubClient, "protobuf-es", () => servers.grpcJs],
  ["grpc-js client x safestub (protobuf-es) server", PROGRAMS.grpcJsClient, "ts-proto", () => servers.safestubProtobufEs],
  ["safestub (protobuf-es) client x safestub (ts-proto) server", PROGRAMS.safestubClient, "protobuf-es", () => servers.safestub],
  ["safestub (ts-proto) client x safestub (protobuf-es) server", PROGRAMS.safestubClient, "ts-proto", () => servers.safestubProtobufEs],
] as const) {
  pairings.push([title, { clientProgram, clientBackend, serverOf, flags: [] }]);
}

describe.each(pairings)("%s", (_title, { clientProgram, clientBackend, serverOf, flags }) => {
  let run: ClientRun;

  beforeAll(async () => {
    const server = serverOf();
    if (!server) throw new Error("the server did not start");
    run = await runClient(clientProgram, server.port, "all", flags, clientBackend);
  }, CLIENT_TIMEOUT_MS + 5_000);

  it("runs every case, one line each, and exits 0", () => {
    // The safestub programs run on the message backend they were started with.
    if (clientProgram === PROGRAMS.safestubClient) expect(run.output).toContain(`safestub interop client (${clientBackend} messages)`);
    expect(run.lines.map((line) => line.split(/[ :]/)[1]), run.output).toEqual([...CASE_NAMES]);
    expect(run.exitCode, run.output).toBe(0);
  });

  it.each(CASE_NAMES)("%s passes", (name) => {
    const line = run.lines.find((l) => l.split(/[ :]/)[1] === name);
    expect(line, run.output).toMatch(new RegExp(`^PASS ${name} `));
  });
});

/**
 * The CompressedRequest cases. A server that checks expect_compressed (safestub's, reading the
 * per-message flag from the wire) passes both with either client; grpc-js's server cannot see the
 * flag (it decompresses before the handler and tells it nothing), so against the reference server
 * both clients report the probe as not refused: that is the reference server's gap, and the
 * control pair shows it. Compressed requests themselves reach grpc-js's server fine (below).
 */
describe.each([
  { client: "safestub", program: PROGRAMS.safestubClient, server: "safestub", tls: false },
  { client: "safestub", program: PROGRAMS.safestubClient, server: "safestub", tls: true },
  { client: "grpc-js", program: PROGRAMS.grpcJsClient, server: "safestub", tls: false },
  { client: "safestub", program: PROGRAMS.safestubClient, server: "grpc-js", tls: false },
  { client: "grpc-js", program: PROGRAMS.grpcJsClient, server: "grpc-js", tls: false },
] as const)("compression cases: $client client x $server server (tls: $tls)", ({ program, server, tls }) => {
  it(server === "safestub" ? "both pass" : "both report that the server does not check expect_compressed", async () => {
    const running = servers[`${server === "safestub" ? "safestub" : "grpcJs"}${tls ? "Tls" : ""}`];
    const run = await runClient(program, running!.port, COMPRESSION_CASE_NAMES.join(","), tls ? TLS_CLIENT_FLAGS : []);
    if (server === "safestub") {
      expect(run.lines, run.output).toEqual(COMPRESSION_CASE_NAMES.map((name) => expect.stringMatching(new RegExp(`^PASS ${name} `))));
      expect(run.exitCode, run.output).toBe(0);
    } else {
      const notRefused = PROBE_NOT_REFUSED.replace(/[()]/g, "\\$&");
      expect(run.lines, run.output).toEqual(COMPRESSION_CASE_NAMES.map((name) => expect.stringMatching(new RegExp(`^FAIL ${name}: .*${notRefused}`))));
      expect(run.exitCode).toBe(1);
    }
  });
});

describe("compressed requests from safestub reach grpc-js's reference server", () => {
  it("a gzip unary call and a gzip client stream (one message left uncompressed) are served", async () => {
    const channel = createChannel(`http://127.0.0.1:${servers.grpcJs!.port}`, { compression: "gzip" });
    try {
      const client = new TestServiceClient(channel);
      const request = { responseType: PayloadType.COMPRESSABLE, responseSize: LARGE_RESPONSE_SIZE, payload: { type: PayloadType.COMPRESSABLE, body: Buffer.alloc(LARGE_REQUEST_SIZE) }, fillUsername: false, fillOauthScope: false, responseCompressed: undefined, responseStatus: undefined, expectCompressed: undefined, fillServerId: false };
      expect((await client.unaryCall(request)).payload?.body.length).toBe(LARGE_RESPONSE_SIZE);
      const call = client.streamingInputCall();
      await call.sender.send({ payload: { type: PayloadType.COMPRESSABLE, body: Buffer.alloc(27182) }, expectCompressed: undefined });
      await call.sender.send({ payload: { type: PayloadType.COMPRESSABLE, body: Buffer.alloc(45904) }, expectCompressed: undefined }, { noCompression: true });
      await call.sender.close();
      expect((await call.response).aggregatedPayloadSize).toBe(COMPRESSED_STREAMING_TOTAL);
    } finally {
      channel.close();
    }
  });
});

describe("interop programs", () => {
  it("the safestub servers announce the message backend they run on", () => {
    expect(servers.safestub!.banner).toMatch(/listening on 127\.0\.0\.1:\d+ \(ts-proto messages\)/);
    expect(servers.safestubProtobufEs!.banner).toMatch(/listening on 127\.0\.0\.1:\d+ \(protobuf-es messages\)/);
  });

  it("load safestub from dist/, as a user's program would", async () => {
    const child = launchNode(["--input-type=module", "-e", 'process.stdout.write(import.meta.resolve("safestub"))']);
    let resolved = "";
    child.stdout!.on("data", (chunk: Buffer) => (resolved += chunk.toString()));
    expect(await exitOf(child, START_TIMEOUT_MS)).toBe(0);
    expect(resolved).toMatch(/\/dist\/runtime\/index\.js$/);
  });

  it("the client exits 1 and prints FAIL when a case fails (no server on the port)", async () => {
    const run = await runClient(PROGRAMS.safestubClient, await unusedPort(), "empty_unary,unimplemented_method");
    expect(run.lines, run.output).toEqual([expect.stringMatching(/^FAIL empty_unary: .*UNAVAILABLE/), expect.stringMatching(/^FAIL unimplemented_method: /)]);
    expect(run.exitCode).toBe(1);
  });

  it("the client runs only the requested case", async () => {
    const run = await runClient(PROGRAMS.safestubClient, servers.safestub!.port, "ping_pong");
    expect(run.lines, run.output).toEqual([expect.stringMatching(/^PASS ping_pong /)]);
    expect(run.exitCode).toBe(0);
  });

  it.each([
    ["safestub", PROGRAMS.safestubClient],
    ["grpc-js", PROGRAMS.grpcJsClient],
  ])("the %s client does not reach a --use_tls=true server in plaintext, nor with an untrusted certificate", async (_name, program) => {
    const plaintext = await runClient(program, servers.safestubTls!.port, "empty_unary");
    expect(plaintext.lines, plaintext.output).toEqual([expect.stringMatching(/^FAIL empty_unary: .*UNAVAILABLE/)]);
    expect(plaintext.exitCode).toBe(1);
    const untrusted = await runClient(program, servers.safestubTls!.port, "empty_unary", ["--use_tls=true"]);
    expect(untrusted.lines, untrusted.output).toEqual([expect.stringMatching(/^FAIL empty_unary: .*UNAVAILABLE/)]);
    expect(untrusted.exitCode).toBe(1);
  });

  it("the client refuses TLS flags without --use_tls=true, and a flag value other than true/false, with exit status 2", async () => {
    const port = servers.safestub!.port;
    const orphan = await runClient(PROGRAMS.safestubClient, port, "empty_unary", ["--use_test_ca=true"]);
    expect(orphan.exitCode, orphan.output).toBe(2);
    expect(orphan.output).toMatch(/need --use_tls=true/);
    const bad = await runClient(PROGRAMS.safestubClient, port, "empty_unary", ["--use_tls=yes"]);
    expect(bad.exitCode, bad.output).toBe(2);
    expect(bad.output).toMatch(/--use_tls takes true or false/);
  });

  it("the client refuses an unknown case name with exit status 2", async () => {
    const run = await runClient(PROGRAMS.safestubClient, servers.safestub!.port, "no_such_case");
    expect(run.exitCode).toBe(2);
    expect(run.output).toMatch(/unknown test case "no_such_case"/);
  });

  it.each(["safestub", "grpcJs"] as const)("the %s server answers HalfDuplexCall in order once the client half-closed", async (which) => {
    const channel = createChannel(`http://127.0.0.1:${servers[which]!.port}`);
    try {
      const call = new TestServiceClient(channel).halfDuplexCall({ timeoutMs: 20_000 });
      for (const size of [3, 1, 2]) await call.sender.send(sizedRequest(size, 0));
      await call.sender.close();
      const sizes: number[] = [];
      for await (const response of call.receiver) sizes.push(response.payload?.body.length ?? -1);
      expect(sizes).toEqual([3, 1, 2]);
    } finally {
      channel.close();
    }
  });

  it("the safestub server answers health checks: the server and TestService SERVING, an unknown service NOT_FOUND", async () => {
    const channel = createChannel(`http://127.0.0.1:${servers.safestub!.port}`);
    try {
      const health = new HealthClient(channel);
      expect((await health.check({ service: "" })).status).toBe(ServingStatus.SERVING);
      expect((await health.check({ service: "grpc.testing.TestService" })).status).toBe(ServingStatus.SERVING);
      await expect(health.check({ service: "grpc.testing.Nope" })).rejects.toMatchObject({ code: Code.NOT_FOUND });
    } finally {
      channel.close();
    }
  });

  it("`npm run interop:server` serves health (every service SERVING) and reflection, probed as grpcurl and a Kubernetes probe would", async () => {
    // Started exactly as a harness would, through npm, in a process group of its own so that SIGTERM reaches tsx under npm.
    const child = spawn("npm", ["run", "--silent", "interop:server", "--", "--port=0"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], detached: true });
    children.add(child);
    child.once("exit", () => children.delete(child));
    const stopGroup = () => {
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // already gone
      }
    };
    let output = "";
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm run interop:server printed no port within ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
      child.stdout!.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const m = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    const reflection = { v1: new RawReflectionClient(port, "v1"), v1alpha: new RawReflectionClient(port, "v1alpha") };
    const channel = createChannel(`http://127.0.0.1:${port}`);
    try {
      const expected = ["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection", "grpc.testing.TestService"];
      for (const client of Object.values(reflection)) {
        expect((await client.askOne({ list_services: "*" })).list_services_response!.service.map((s) => s.name)).toEqual(expected);
      }
      const health = new HealthClient(channel);
      const statuses = (await health.list({})).statuses;
      expect(Object.keys(statuses).sort()).toEqual(["", ...expected]);
      for (const name of ["", ...expected]) expect((await health.check({ service: name })).status, name).toBe(ServingStatus.SERVING);

      // grpcurl describe, then a call built from nothing but the descriptors it got.
      const registry = await registryFor(reflection.v1, "grpc.testing.TestService");
      const unary = registry.getService("grpc.testing.TestService")!.methods.find((m) => m.name === "UnaryCall")!;
      expect([unary.input.typeName, unary.output.typeName]).toEqual(["grpc.testing.SimpleRequest", "grpc.testing.SimpleResponse"]);
      const Client = grpc.makeGenericClientConstructor(
        {
          unaryCall: {
            path: "/grpc.testing.TestService/UnaryCall",
            requestStream: false,
            responseStream: false,
            requestSerialize: (v: Record<string, unknown>) => Buffer.from(toBinary(unary.input, create(unary.input, v))),
            requestDeserialize: (b: Buffer) => fromBinary(unary.input, b),
            responseSerialize: (v: Record<string, unknown>) => Buffer.from(toBinary(unary.output, create(unary.output, v))),
            responseDeserialize: (b: Buffer) => fromBinary(unary.output, b),
          },
        },
        "TestService",
      );
      const dynamic = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
        unaryCall: (req: Record<string, unknown>, cb: (err: grpc.ServiceError | null, res: { payload?: { body: Uint8Array } }) => void) => void;
      };
      try {
        const response = await new Promise<{ payload?: { body: Uint8Array } }>((resolve, reject) =>
          dynamic.unaryCall({ responseSize: 7 }, (err, res) => (err ? reject(err) : resolve(res))),
        );
        expect(response.payload?.body.length).toBe(7);
      } finally {
        dynamic.close();
      }
    } finally {
      channel.close();
      for (const client of Object.values(reflection)) client.close();
      stopGroup();
      await exitOf(child, 10_000).catch(() => {});
    }
  });

  it("the safestub server shuts down gracefully on SIGTERM: the call in flight completes, then exit status 0", async () => {
    const server = await startServer(PROGRAMS.safestubServer);
    const channel = createChannel(`http://127.0.0.1:${server.port}`);
    try {
      const call = new TestServiceClient(channel).fullDuplexCall({ timeoutMs: 20_000 });
      await call.sender.send(sizedRequest(1, 0));
      expect((await call.receiver.recv())?.payload?.body.length).toBe(1); // the server runs the call
      const exited = exitOf(server.child, START_TIMEOUT_MS);
      server.child.kill("SIGTERM");
      // Asked after the signal, answered 300 ms later: shutdown waits for the call.
      await call.sender.send(sizedRequest(7, 300_000));
      await call.sender.close();
      expect((await call.receiver.recv())?.payload?.body.length).toBe(7);
      await expect(call.receiver.recv()).resolves.toBeUndefined();
      await expect(exited).resolves.toBe(0);
    } finally {
      channel.close();
    }
  });
});

/** Asks for one response of `size` zero bytes after `intervalUs`. */
function sizedRequest(size: number, intervalUs: number): StreamingOutputCallRequest {
  return { responseType: PayloadType.COMPRESSABLE, responseParameters: [{ size, intervalUs, compressed: undefined }], payload: undefined, responseStatus: undefined };
}

// --- child processes -------------------------------------------------------

interface RunningServer {
  child: ChildProcess;
  port: number;
  /** What the program printed up to its `listening on` line. */
  banner: string;
}

interface ClientRun {
  exitCode: number | null;
  /** The per-case lines of stdout (PASS/FAIL ...). */
  lines: string[];
  /** stdout and stderr together, shown when an assertion fails. */
  output: string;
}

/**
 * Runs a TS program with tsx in its own process. interop/tsconfig.json has no
 * `paths` mapping (the root one maps "safestub" to runtime/ sources, and tsx
 * honours it), so the program imports "safestub" from dist/ like a user would.
 */
function launch(program: string, args: string[], backend: Backend = "ts-proto"): ChildProcess {
  return launchNode([program, ...args], backend);
}

function launchNode(args: string[], backend: Backend = "ts-proto"): ChildProcess {
  const env = { ...process.env, TSX_TSCONFIG_PATH: TSCONFIGS[backend] };
  const child = spawn(process.execPath, ["--import", "tsx", ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/** Starts a server on port 0 and reads the bound port from its `listening on 127.0.0.1:PORT` line. */
function startServer(program: string, flags: string[] = [], backend: Backend = "ts-proto"): Promise<RunningServer> {
  const child = launch(program, ["--port=0", ...flags], backend);
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${program} did not announce its port within ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), banner: output });
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${program} exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
}

async function runClient(program: string, port: number, testCase: string, flags: string[] = [], backend: Backend = "ts-proto"): Promise<ClientRun> {
  const child = launch(program, ["--server_host=127.0.0.1", `--server_port=${port}`, `--test_case=${testCase}`, ...flags], backend);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exitCode = await exitOf(child, CLIENT_TIMEOUT_MS);
  const lines = stdout.split("\n").filter((line) => /^(PASS|FAIL) /.test(line));
  return { exitCode, lines, output: `exit ${exitCode}\n--- stdout\n${stdout}--- stderr\n${stderr}` };
}

/** The exit code of `child`; SIGKILLs it (and rejects) if it is still running after `timeoutMs`. */
function exitOf(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`process ${child.pid} still running after ${timeoutMs} ms; killed`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** SIGTERM, then SIGKILL if the process does not exit within a few seconds. */
async function stop(child: ChildProcess): Promise<void> {
  child.kill("SIGTERM");
  await exitOf(child, 5_000).catch(() => {});
}

/** A loopback port nothing listens on (bound once, then released). */
function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * The child processes import "safestub" from dist/ (the package's
 * self-reference), which `npm test` builds before any test runs. Building
 * here would rewrite dist/ under tests running in parallel, so a missing or
 * stale build fails with what to run instead of testing old code.
 */
function checkRuntimeBuilt(): void {
  for (const dir of ["gen", "gen/protobuf-es"]) {
    if (!existsSync(`${ROOT}/${dir}/grpc/testing/test_grpc.ts`)) throw new Error(`${dir}/grpc/testing is missing: run \`npm run generate\` first`);
  }
  const built = `${ROOT}/dist/runtime/index.js`;
  if (!existsSync(built)) throw new Error("dist/runtime is missing: run `npm run build` first");
  const sources = readdirSync(`${ROOT}/runtime`, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
  const stale = sources.filter((f) => statSync(`${ROOT}/runtime/${f}`).mtimeMs > statSync(built).mtimeMs);
  if (stale.length > 0) throw new Error(`dist/runtime is older than runtime/${stale[0]}: run \`npm run build\` first`);
}
