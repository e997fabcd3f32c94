// safestub/health over a real grpc-js server on 127.0.0.1:0 and over the in-memory transport:
// Check, List (RESOURCE_EXHAUSTED past 100 services, as gRPC-Go), clearStatus, Watch (current
// status, then changes in order; SERVICE_UNKNOWN until registered and once cleared; a cancel ends
// the handler), NOT_SERVING to watchers before a server's shutdown drains, and (grpc-js only) the
// standard wire format, read by a plain grpc-js client with hand-encoded bytes.
import * as grpc from "@grpc/grpc-js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Code, createChannel, createServer, RpcError, type Channel, type Server } from "safestub";
import { addHealth, Health, HealthClient, MAX_LISTED_SERVICES, HealthService, ServingStatus, type HealthCheckResponse } from "safestub/health";
import type { Receiver } from "safestub";
import { createInMemoryChannel, createInMemoryServer } from "safestub/testing";
import { startChild } from "../helpers/child.js";
import { sleep } from "../helpers/probe.js";

const opened: { server: Server; channel: Channel }[] = [];

/** A server with `addHealth` (or the given setup) and a channel to it, on one transport. */
interface HealthTransport {
  readonly name: "grpc-js" | "in-memory";
  serve(setup: (server: Server) => Health): Promise<{ server: Server; health: Health; channel: Channel; port: number | undefined }>;
}

const grpcJs: HealthTransport = {
  name: "grpc-js",
  async serve(setup) {
    const server = createServer();
    const health = setup(server);
    const port = await server.listen("127.0.0.1:0");
    return { server, health, channel: createChannel(`http://127.0.0.1:${port}`), port };
  },
};

const inMemory: HealthTransport = {
  name: "in-memory",
  async serve(setup) {
    const server = createInMemoryServer();
    const health = setup(server);
    return { server, health, channel: createInMemoryChannel(server), port: undefined };
  },
};

/** The transport the describe blocks below run on (each block runs once per transport). */
let transport: HealthTransport = grpcJs;

/** A server with `addHealth` (or the given setup) on the current transport, and a client to it. */
async function start(setup: (server: Server) => Health = addHealth) {
  const { server, health, channel, port } = await transport.serve(setup);
  opened.push({ server, channel });
  return { server, health, port, channel, client: new HealthClient(channel) };
}

afterEach(() => {
  for (const { server, channel } of opened.splice(0)) {
    channel.close();
    server.forceShutdown();
  }
});

/** The next status on a Watch, failing the test after 5 s instead of hanging. */
async function next(receiver: Receiver<HealthCheckResponse>): Promise<ServingStatus | "end"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("no status within 5 s")), 5000)));
  try {
    const message = await Promise.race([receiver.recv(), timeout]);
    return message === undefined ? "end" : message.status;
  } finally {
    clearTimeout(timer);
  }
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "resolved",
    (err: unknown) => (err instanceof RpcError ? err.code : err),
  );

for (const each of [grpcJs, inMemory]) {
  describe(each.name, () => {
    beforeEach(() => {
      transport = each;
    });

    describe("Check", () => {
      it("answers SERVING for the whole server at start, the status set for a service, NOT_FOUND for an unknown one", async () => {
        const { health, client } = await start();
        expect(await client.check({ service: "" })).toEqual({ status: ServingStatus.SERVING });
        expect(await codeOf(client.check({ service: "pkg.Foo" }))).toBe(Code.NOT_FOUND);

        health.setStatus("pkg.Foo", ServingStatus.SERVING);
        expect(await client.check({ service: "pkg.Foo" })).toEqual({ status: ServingStatus.SERVING });
        health.setStatus("pkg.Foo", ServingStatus.NOT_SERVING);
        expect(await client.check({ service: "pkg.Foo" })).toEqual({ status: ServingStatus.NOT_SERVING });
        health.setStatus("", ServingStatus.NOT_SERVING);
        expect(await client.check({ service: "" })).toEqual({ status: ServingStatus.NOT_SERVING });
        expect(await codeOf(client.check({ service: "pkg.Bar" }))).toBe(Code.NOT_FOUND);
      });

      it("shutdown() turns everything NOT_SERVING and ignores setStatus until resume()", async () => {
        const { health, client } = await start();
        health.setStatus("a", ServingStatus.SERVING);
        health.shutdown();
        health.setStatus("a", ServingStatus.SERVING);
        expect(await client.check({ service: "a" })).toEqual({ status: ServingStatus.NOT_SERVING });
        expect(await client.check({ service: "" })).toEqual({ status: ServingStatus.NOT_SERVING });
        health.resume();
        expect(await client.check({ service: "a" })).toEqual({ status: ServingStatus.SERVING });
        health.setStatus("a", ServingStatus.NOT_SERVING);
        expect(health.status("a")).toBe(ServingStatus.NOT_SERVING);
      });

      it("refuses to set SERVICE_UNKNOWN (a status only Watch sends)", () => {
        expect(() => new Health().setStatus("a", ServingStatus.SERVICE_UNKNOWN as ServingStatus.SERVING)).toThrow(TypeError);
      });
    });

    describe("List", () => {
      it("answers every registered service with its status", async () => {
        const { health, client } = await start();
        health.setStatus("a", ServingStatus.NOT_SERVING);
        health.setStatus("b", ServingStatus.SERVING);
        expect(await client.list({})).toEqual({
          statuses: { "": { status: ServingStatus.SERVING }, a: { status: ServingStatus.NOT_SERVING }, b: { status: ServingStatus.SERVING } },
        });
      });

      it("answers up to MAX_LISTED_SERVICES (100) services, RESOURCE_EXHAUSTED past them, as gRPC-Go", async () => {
        const { health, client } = await start();
        expect(MAX_LISTED_SERVICES).toBe(100);
        for (let i = 1; i < MAX_LISTED_SERVICES; i++) health.setStatus(`s${i}`, ServingStatus.SERVING); // with "": 100
        expect(Object.keys((await client.list({})).statuses)).toHaveLength(100);
        health.setStatus("one-too-many", ServingStatus.SERVING);
        const err = await client.list({}).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(RpcError);
        expect((err as RpcError).code).toBe(Code.RESOURCE_EXHAUSTED);
        expect((err as RpcError).details).toBe("server health list exceeds maximum capacity: 100");
        health.clearStatus("one-too-many");
        expect(Object.keys((await client.list({})).statuses)).toHaveLength(100);
      });
    });

    describe("clearStatus", () => {
      it("unregisters a service: Check NOT_FOUND, List leaves it out, its watchers get SERVICE_UNKNOWN and keep watching", async () => {
        const { health, client } = await start();
        health.setStatus("a", ServingStatus.SERVING);
        const call = client.watch({ service: "a" });
        expect(await next(call.receiver)).toBe(ServingStatus.SERVING);
        health.clearStatus("a");
        expect(health.status("a")).toBeUndefined();
        expect(await codeOf(client.check({ service: "a" }))).toBe(Code.NOT_FOUND);
        expect(await client.list({})).toEqual({ statuses: { "": { status: ServingStatus.SERVING } } });
        expect(await next(call.receiver)).toBe(ServingStatus.SERVICE_UNKNOWN);
        health.clearStatus("a"); // not registered: nothing sent
        health.setStatus("a", ServingStatus.NOT_SERVING);
        expect(await next(call.receiver)).toBe(ServingStatus.NOT_SERVING);
        call.cancel();
      });

      it("is ignored after shutdown() until resume(), like setStatus", async () => {
        const { health, client } = await start();
        health.setStatus("a", ServingStatus.SERVING);
        health.shutdown();
        health.clearStatus("a");
        expect(await client.check({ service: "a" })).toEqual({ status: ServingStatus.NOT_SERVING });
        health.resume();
        health.clearStatus("a");
        expect(await codeOf(client.check({ service: "a" }))).toBe(Code.NOT_FOUND);
      });
    });

    describe("Watch", () => {
      it("sends the current status, then every change in order (never the same one twice in a row)", async () => {
        const { health, client } = await start();
        health.setStatus("a", ServingStatus.SERVING);
        const call = client.watch({ service: "a" });
        expect(await next(call.receiver)).toBe(ServingStatus.SERVING);
        health.setStatus("a", ServingStatus.NOT_SERVING);
        expect(await next(call.receiver)).toBe(ServingStatus.NOT_SERVING);
        health.setStatus("a", ServingStatus.NOT_SERVING); // no change: nothing sent
        health.setStatus("b", ServingStatus.NOT_SERVING); // another service: nothing sent
        await sleep(100); // time for a wrongly sent repeat to go out before the next change
        health.setStatus("a", ServingStatus.UNKNOWN);
        expect(await next(call.receiver)).toBe(ServingStatus.UNKNOWN);
        health.setStatus("a", ServingStatus.SERVING);
        expect(await next(call.receiver)).toBe(ServingStatus.SERVING);
        call.cancel();
      });

      it("sends SERVICE_UNKNOWN for a service not registered yet, keeps watching, and sends SERVING once it is", async () => {
        const { health, client } = await start();
        const call = client.watch({ service: "later" });
        expect(await next(call.receiver)).toBe(ServingStatus.SERVICE_UNKNOWN);
        health.setStatus("later", ServingStatus.SERVING);
        expect(await next(call.receiver)).toBe(ServingStatus.SERVING);
        call.cancel();
      });

      it("gives many watchers of one service each change", async () => {
        const { health, client } = await start();
        const calls = Array.from({ length: 5 }, () => client.watch({ service: "" }));
        for (const call of calls) expect(await next(call.receiver)).toBe(ServingStatus.SERVING);
        health.setStatus("", ServingStatus.NOT_SERVING);
        for (const call of calls) expect(await next(call.receiver)).toBe(ServingStatus.NOT_SERVING);
        for (const call of calls) call.cancel();
      });

      it("ends its handler when the client cancels", async () => {
        const health = new Health();
        let ended: (outcome: string) => void;
        const handlerEnded = new Promise<string>((resolve) => (ended = resolve));
        const { client } = await start((server) => {
          server.add(HealthService, {
            check: (request) => health.check(request),
            list: () => health.list(),
            watch: (request, sender, ctx) =>
              health.watch(request, sender, ctx).then(
                () => ended("returned"),
                (err: unknown) => ended(`threw ${String(err)}`),
              ),
          });
          return health;
        });
        const call = client.watch({ service: "" });
        expect(await next(call.receiver)).toBe(ServingStatus.SERVING);
        const early = await Promise.race([handlerEnded, new Promise((resolve) => setTimeout(() => resolve("still running"), 200))]);
        expect(early).toBe("still running");
        call.cancel();
        expect(await codeOf(call.receiver.recv())).toBe(Code.CANCELLED);
        const outcome = await Promise.race([handlerEnded, new Promise((resolve) => setTimeout(() => resolve("still running after 5 s"), 5000))]);
        expect(outcome).toMatch(/^(returned|threw)/);
        // It no longer watches: a change after the cancel reaches no one and breaks nothing.
        health.setStatus("", ServingStatus.NOT_SERVING);
        expect(health.check({ service: "" })).toEqual({ status: ServingStatus.NOT_SERVING });
      });
    });

    describe("server.shutdown()", () => {
      it("sends NOT_SERVING to every watcher before their streams end, and a Watch does not hold the drain", async () => {
        const { server, health, client } = await start();
        health.setStatus("a", ServingStatus.SERVING);
        const whole = client.watch({ service: "" });
        const a = client.watch({ service: "a" });
        expect(await next(whole.receiver)).toBe(ServingStatus.SERVING);
        expect(await next(a.receiver)).toBe(ServingStatus.SERVING);

        const started = Date.now();
        const shutdown = server.shutdown({ graceMs: 10_000 });
        expect(await next(whole.receiver)).toBe(ServingStatus.NOT_SERVING);
        expect(await next(a.receiver)).toBe(ServingStatus.NOT_SERVING);
        expect(await next(whole.receiver)).toBe("end"); // status OK, not UNAVAILABLE after the grace
        expect(await next(a.receiver)).toBe("end");
        await shutdown;
        expect(Date.now() - started).toBeLessThan(5000);
        expect(health.status("")).toBe(ServingStatus.NOT_SERVING);
        // The server no longer takes setStatus: it stays NOT_SERVING.
        health.setStatus("", ServingStatus.SERVING);
        expect(health.status("")).toBe(ServingStatus.NOT_SERVING);
      });

      it("forceShutdown() also turns every status NOT_SERVING", async () => {
        const { server, health } = await start();
        server.forceShutdown();
        expect(health.status("")).toBe(ServingStatus.NOT_SERVING);
      });
    });
  });
}

describe("server.shutdown() in its own process", () => {
  it("in its own process: SIGTERM's drain sends NOT_SERVING to a watcher, ends its stream, and the process exits well before the grace", async () => {
    const child = await startChild("test/helpers/health-server.ts");
    const channel = createChannel(`http://127.0.0.1:${child.port}`);
    try {
      const call = new HealthClient(channel).watch({ service: "app" });
      expect(await next(call.receiver)).toBe(ServingStatus.SERVING);
      const exited = new Promise<number | null>((resolve) => child.process.once("exit", (code) => resolve(code)));
      const started = Date.now();
      child.process.kill("SIGTERM");
      expect(await next(call.receiver)).toBe(ServingStatus.NOT_SERVING);
      expect(await next(call.receiver)).toBe("end");
      expect(await exited).toBe(0);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      channel.close();
      await child.kill();
    }
  });

});

describe("the wire format is the standard one", () => {
  /** Check over a plain grpc-js client with bytes encoded by hand. */
  function rawCheck(port: number, request: Buffer): Promise<{ code: grpc.status; bytes?: Buffer }> {
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new Promise((resolve) => {
      client.makeUnaryRequest(
        "/grpc.health.v1.Health/Check",
        (b: Buffer) => b,
        (b: Buffer) => b,
        request,
        (err, bytes) => {
          client.close();
          resolve(err ? { code: err.code } : { code: grpc.status.OK, ...(bytes ? { bytes } : {}) });
        },
      );
    });
  }
  /** HealthCheckRequest { service = 1 } by hand: tag 0x0a, length, UTF-8 bytes. */
  const request = (service: string) => (service === "" ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x0a, Buffer.byteLength(service)]), Buffer.from(service)]));

  it("answers a grpc-js client's hand-encoded Check with HealthCheckResponse { status = 1 } bytes", async () => {
    transport = grpcJs;
    const { health, port } = await start();
    health.setStatus("pkg.Foo", ServingStatus.NOT_SERVING);
    expect(await rawCheck(port!, request(""))).toEqual({ code: grpc.status.OK, bytes: Buffer.from([0x08, 0x01]) });
    expect(await rawCheck(port!, request("pkg.Foo"))).toEqual({ code: grpc.status.OK, bytes: Buffer.from([0x08, 0x02]) });
    expect(await rawCheck(port!, request("pkg.Bar"))).toEqual({ code: grpc.status.NOT_FOUND });
  });
});
