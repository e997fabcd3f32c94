// The examples under examples/ run against real servers on loopback, both as
// imported functions (asserting what they return) and as the program users
// start with `npm run example -- <name>`. One source for both message backends:
// `@backend/examples.js` is ts-proto's generated code, or protobuf-es's in the
// protobuf-es vitest project (SAFESTUB_TEST_MESSAGES=protobuf-es).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { afterEach, describe, expect, it } from "vitest";
import { Code, createChannel, createServer, RpcError, type Channel, type Server, type ServerContext } from "safestub";
import safestubLint from "../eslint/index.js";
import * as helloworld from "../examples/helloworld.js";
import * as multiplex from "../examples/multiplex.js";
import * as routeGuide from "../examples/route_guide.js";
import { EchoService, fieldsOf, GreeterService, messages, RouteGuideClient, RouteGuideService, withoutTypeNames, type FeatureInit } from "@backend/examples.js";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts `server` on a free loopback port and opens a channel to it; both are closed after the test. */
async function serve(server: Server): Promise<Channel> {
  const port = await server.listen("127.0.0.1:0");
  cleanups.push(() => server.forceShutdown());
  const channel = createChannel(`http://127.0.0.1:${port}`);
  cleanups.push(() => channel.close());
  return channel;
}

/** Runs an example's own runServer and returns the address its client should use. */
async function startExample(example: { runServer(port?: number): Promise<{ server: Server; port: number }> }): Promise<string> {
  const { server, port } = await example.runServer(0);
  cleanups.push(() => server.forceShutdown());
  return `http://127.0.0.1:${port}`;
}

describe("the message backend", () => {
  it("is the one the vitest project names, and its messages are what a receiver yields", async () => {
    expect(messages).toBe(process.env.SAFESTUB_TEST_MESSAGES ?? "ts-proto");
    const client = new RouteGuideClient(await serve(createServer().add(RouteGuideService, routeGuide.routeGuideHandlers())));
    // fieldsOf refuses a protobuf-es "message" without its $typeName.
    expect(fieldsOf(await routeGuide.getFeature(client, { latitude: 0, longitude: 0 }))).toMatchObject({ name: "" });
  });
});

describe("helloworld", () => {
  it("says hello over loopback and logs the reply", async () => {
    const lines: string[] = [];
    const reply = await helloworld.runClient(await startExample(helloworld), (line) => lines.push(line));
    expect(reply).toBe("Hello world");
    expect(lines.join("\n")).toContain('"Hello world"');
  });
});

describe("route_guide", () => {
  it("runs all four call shapes and the refused-send demo", async () => {
    const lines: string[] = [];
    const result = await routeGuide.runClient(await startExample(routeGuide), (line) => lines.push(line));
    const names = routeGuide.FEATURES.map((f) => f.name);

    expect(result.found.name).toBe("Patriots Path, Mendham, NJ 07945, USA");
    expect(withoutTypeNames(result.missing)).toEqual({ name: "", location: { latitude: 0, longitude: 0 } });
    expect(result.listed.map((f) => f.name)).toEqual(names);
    expect(result.first.map((f) => f.name)).toEqual(names.slice(0, 2));
    expect(result.summary.pointCount).toBe(names.length);
    expect(result.summary.featureCount).toBe(names.length);
    expect(result.summary.distance).toBeGreaterThan(300_000); // six places across NJ, PA and NY
    // Notes 4..6 revisit the places of notes 1..3, so the server sends those back, in order.
    expect(withoutTypeNames(result.chat)).toEqual([
      { location: { latitude: 0, longitude: 1 }, message: "First" },
      { location: { latitude: 0, longitude: 2 }, message: "Second" },
      { location: { latitude: 0, longitude: 3 }, message: "Third" },
    ]);
    expect(result.refusal).toEqual({ refused: true, summary: expect.objectContaining({ pointCount: 1 }) });
    expect(lines.some((l) => l.startsWith("RouteChat:"))).toBe(true);
  });

  it("ListFeatures respects the rectangle", async () => {
    const client = new RouteGuideClient(await serve(createServer().add(RouteGuideService, routeGuide.routeGuideHandlers())));
    // Only the two New Jersey places lie below latitude 41.
    const features = await routeGuide.listFeatures(client, { lo: { latitude: 400000000, longitude: -750000000 }, hi: { latitude: 410000000, longitude: -740000000 } });
    expect(features.map((f) => f.name)).toEqual(["Patriots Path, Mendham, NJ 07945, USA", "101 New Jersey 10, Whippany, NJ 07981, USA"]);
    expect(await routeGuide.listFeatures(client, { lo: { latitude: 0, longitude: 0 }, hi: { latitude: 1, longitude: 1 } })).toEqual([]);
  });

  it("breaking out of the receive loop cancels the server's stream", async () => {
    // About 5 MB of features: far more than the HTTP/2 windows, so the server is still sending (blocked by flow control) when the client breaks.
    const many: FeatureInit[] = Array.from({ length: 5_000 }, (_, i) => ({ name: `place ${i} ${"x".repeat(1_000)}`, location: { latitude: 1, longitude: 1 } }));
    const handlers = routeGuide.routeGuideHandlers(many);
    let serverEnd: Promise<unknown> | undefined;
    let serverSignal: AbortSignal | undefined;
    const server = createServer().add(RouteGuideService, {
      ...handlers,
      listFeatures: (rect, sender, ctx) => {
        serverSignal = ctx.signal;
        const run = handlers.listFeatures(rect, sender, ctx);
        serverEnd = run.then(
          () => "completed",
          (err: unknown) => err,
        );
        return run;
      },
    });
    const client = new RouteGuideClient(await serve(server));

    const first = await routeGuide.firstFeatures(client, { lo: { latitude: 0, longitude: 0 }, hi: { latitude: 2, longitude: 2 } }, 3);

    expect(first.map((f) => f.name)).toEqual(many.slice(0, 3).map((f) => f.name));
    expect(serverEnd).toBeDefined();
    const outcome = await serverEnd;
    expect(outcome).toBeInstanceOf(RpcError);
    expect((outcome as RpcError).code).toBe(Code.CANCELLED);
    expect(serverSignal?.aborted).toBe(true);
  });

  it("RouteChat keeps both loops going over a long conversation", async () => {
    const client = new RouteGuideClient(await serve(createServer().add(RouteGuideService, routeGuide.routeGuideHandlers())));
    // 300 notes at 10 places: note i gets back every earlier note at its place (i div 10 of them).
    const notes = Array.from({ length: 300 }, (_, i) => ({ location: { latitude: 5, longitude: i % 10 }, message: `note ${i}` }));
    const received = await routeGuide.routeChat(client, notes);
    const expected = notes.flatMap((note, i) => notes.slice(0, i).filter((earlier) => earlier.location.longitude === note.location.longitude));
    expect(withoutTypeNames(received)).toEqual(expected);
  });

  it("RouteChat surfaces a server failure as one RpcError, with both loops ended", async () => {
    const server = createServer().add(RouteGuideService, {
      ...routeGuide.routeGuideHandlers(),
      async routeChat(notes, sender) {
        let seen = 0;
        for await (const note of notes) {
          await sender.send(note);
          if (++seen === 3) throw new RpcError(Code.ABORTED, "chat closed");
        }
      },
    });
    const client = new RouteGuideClient(await serve(server));
    const notes = Array.from({ length: 1_000 }, (_, i) => ({ location: { latitude: 7, longitude: i }, message: `note ${i}` }));
    // Rejects (rather than hanging, or leaving an unhandled rejection from the other loop, which vitest reports).
    await expect(routeGuide.routeChat(client, notes)).rejects.toMatchObject({ code: Code.ABORTED, details: "chat closed" });
  });

  it("RecordRoute surfaces a server failure from the send loop or the response, without an unhandled rejection", async () => {
    const server = createServer().add(RouteGuideService, {
      ...routeGuide.routeGuideHandlers(),
      async recordRoute(points) {
        for await (const _ of points) throw new RpcError(Code.OUT_OF_RANGE, "off the map");
        return { pointCount: 0, featureCount: 0, distance: 0, elapsedTime: 0 };
      },
    });
    const client = new RouteGuideClient(await serve(server));
    const points = Array.from({ length: 5_000 }, (_, i) => ({ latitude: i, longitude: i }));
    await expect(routeGuide.recordRoute(client, points)).rejects.toMatchObject({ code: Code.OUT_OF_RANGE, details: "off the map" });
  });

  it("RecordRoute summarises the route", async () => {
    const client = new RouteGuideClient(await serve(createServer().add(RouteGuideService, routeGuide.routeGuideHandlers())));
    const summary = await routeGuide.recordRoute(client, [
      { latitude: 0, longitude: 0 },
      { latitude: 0, longitude: 10_000_000 }, // one degree of longitude at the equator: about 111 km
    ]);
    expect(summary).toMatchObject({ pointCount: 2, featureCount: 0 });
    expect(summary.distance).toBeGreaterThan(110_000);
    expect(summary.distance).toBeLessThan(112_000);
  });
});

describe("multiplex", () => {
  it("runs both clients on one channel against one server", async () => {
    const lines: string[] = [];
    const result = await multiplex.runClient(await startExample(multiplex), (line) => lines.push(line));
    const names = ["Ada", "Grace", "Barbara", "Frances", "Radia"];
    expect(result.greetings).toEqual(names.map((n) => `Hello ${n}`));
    expect(result.echoes).toEqual(names);
    expect(result.echoed).toEqual(["one", "two", "three"]);
    expect(result.greeting).toBe("Hello multiplexed");
    expect(lines.length).toBeGreaterThan(names.length);
  });

  it("really has the Greeter and Echo calls in flight at the same time", async () => {
    // No handler answers before every call of both services has arrived: sequential calls would time out here.
    const names = ["a", "b", "c", "d"];
    const expected = names.length * 2;
    let arrived = 0;
    const peers = new Set<string>();
    let open!: () => void;
    const allArrived = new Promise<void>((resolve) => (open = resolve));
    const gate = async (ctx: ServerContext) => {
      peers.add(ctx.peer);
      if (++arrived === expected) open();
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new RpcError(Code.DEADLINE_EXCEEDED, `only ${arrived} of ${expected} calls arrived`)), 5_000).unref());
      await Promise.race([allArrived, timeout]);
    };
    const server = createServer()
      .add(GreeterService, { sayHello: async (req, ctx) => (await gate(ctx), helloworld.greeter.sayHello(req, ctx)) })
      .add(EchoService, { ...multiplex.echo, unaryEcho: async (req, ctx) => (await gate(ctx), multiplex.echo.unaryEcho(req, ctx)) });
    const channel = await serve(server);

    const result = await multiplex.callBothInParallel(channel, names);

    expect(arrived).toBe(expected);
    expect([...peers]).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+$/)]); // one channel, one HTTP/2 connection: every call from the same client port
    expect(result).toEqual({ greetings: names.map((n) => `Hello ${n}`), echoes: names });
  });
});

describe("npm run example (examples/run.ts as a program)", () => {
  // As `npm run example` does: tsx with examples/tsconfig.json (no `paths`), so the program imports "safestub"
  // through the package's self-reference, i.e. dist/ (`npm run build`, part of `npm test`).
  const node = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const env = { ...process.env, TSX_TSCONFIG_PATH: messages === "protobuf-es" ? "examples/tsconfig.protobuf-es.json" : "examples/tsconfig.json" };
      execFile(process.execPath, ["--import", "tsx", ...args], { cwd: repoRoot, env, timeout: 30_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === "number" ? err.code : null) : 0, stdout, stderr }),
      );
    });
  const run = (args: string[]) => node(["examples/run.ts", ...args]);

  it("loads safestub from the built dist/, as a user's program would", async () => {
    expect(existsSync(new URL("../dist/runtime/index.js", import.meta.url)), "run `npm run build` first").toBe(true);
    const { code, stdout } = await node(["--input-type=module", "-e", 'process.stdout.write(import.meta.resolve("safestub"))']);
    expect(code).toBe(0);
    expect(stdout).toBe(new URL("../dist/runtime/index.js", import.meta.url).href);
  });

  it.each([
    ["helloworld", ['Greeter.SayHello({ name: "world" }) -> "Hello world"']],
    ["route_guide", ["GetFeature:", "ListFeatures: 6 features", "RecordRoute: 6 points", "RouteChat: sent 6 notes at 3 places, got back the 3", "refused with ConcurrentSendError"]],
    ["multiplex", ["Hello Radia | echo Radia", 'BidiEcho echoed one, two, three while SayHello answered "Hello multiplexed"']],
  ])("%s starts its server, runs its client and exits 0", async (name, expectedLines) => {
    const { code, stdout, stderr } = await run([name]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^\\[${name}\\] server listening on 127\\.0\\.0\\.1:\\d+\\n`));
    for (const line of expectedLines) expect(stdout).toContain(line);
    expect(stdout).toMatch(new RegExp(`\\[${name}\\] done\\n$`));
  });

  it("prints usage and exits 2 for an unknown or missing name", async () => {
    const unknown = await run(["nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toContain("usage: npm run example -- <helloworld|route_guide|multiplex>");
    expect(unknown.stderr).toContain('unknown example: "nope"');

    const missing = await run([]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("usage:");
  });
});

// The lint rule does not depend on the message backend: checked once, on the ts-proto build.
describe.runIf(messages === "ts-proto")("the examples and safestub/eslint", () => {
  it("are clean under the recommended config; the deliberate double send is marked, and the marks are needed", async () => {
    const eslint = new ESLint({
      cwd: repoRoot,
      overrideConfigFile: true,
      overrideConfig: [
        safestubLint.configs.recommended,
        {
          files: ["examples/**/*.ts"],
          // examples/tsconfig.json: safestub's types from dist/, as in a user's project.
          languageOptions: { parser: tseslint.parser, parserOptions: { project: "./examples/tsconfig.json", tsconfigRootDir: repoRoot } },
          linterOptions: { reportUnusedDisableDirectives: "error" },
        },
      ] as ESLint.Options["overrideConfig"],
    });
    const results = await eslint.lintFiles(["examples/*.ts"]);
    expect(results.length).toBeGreaterThanOrEqual(4);
    const reports = results.flatMap((r) => r.messages.map((m) => `${r.filePath.slice(repoRoot.length)}:${m.line} ${m.ruleId ?? ""} ${m.message}`));
    expect(reports).toEqual([]);
  }, 120_000);
});
