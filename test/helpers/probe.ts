import { createChannel, createServer, type Channel, type ClientInterceptor, type Server, type ServerOptions } from "safestub";
import { createInMemoryChannel, createInMemoryServer } from "safestub/testing";
// The Probe service of the message backend the suite runs on (vitest.config.ts maps `@backend/*`).
import { ProbeClient, ProbeService, type ProbeHandlers } from "@backend/probe.js";

export { msg, type Msg, type MsgInit } from "@backend/probe.js";

const notSet = async (): Promise<never> => {
  throw new Error("handler not set by this test");
};

/**
 * The transport the handle-level suites run on: the unit tier runs them in
 * memory, the integration tier over grpc-js on loopback (vitest.config.ts).
 */
export const transportName: "grpc-js" | "in-memory" = process.env["SAFESTUB_TEST_TRANSPORT"] === "in-memory" ? "in-memory" : "grpc-js";
/** For tests of what only a socket transport has (ports, a second channel by address). */
export const overSockets = transportName === "grpc-js";

/**
 * An in-process Probe server whose handlers each test sets, with a channel
 * and client to it: on 127.0.0.1:0 over grpc-js, or in memory.
 */
export class ProbeHarness {
  impl: Partial<ProbeHandlers> = {};
  readonly server: Server;
  readonly channel: Channel;
  readonly client: ProbeClient;
  readonly port: number;

  private constructor(server: Server, port: number, channel: Channel) {
    this.server = server;
    this.port = port;
    this.channel = channel;
    this.client = new ProbeClient(this.channel);
  }

  static async start(): Promise<ProbeHarness> {
    const server = overSockets ? createServer() : createInMemoryServer();
    let harness: ProbeHarness | undefined;
    const impl = () => harness!.impl;
    server.add(ProbeService, {
      unary: (req, ctx) => (impl().unary ?? notSet)(req, ctx),
      download: (req, tx, ctx) => (impl().download ?? notSet)(req, tx, ctx),
      upload: (rx, ctx) => (impl().upload ?? notSet)(rx, ctx),
      chat: (rx, tx, ctx) => (impl().chat ?? notSet)(rx, tx, ctx),
    });
    const port = overSockets ? await server.listen("127.0.0.1:0") : 0;
    harness = new ProbeHarness(server, port, overSockets ? createChannel(`http://127.0.0.1:${port}`) : createInMemoryChannel(server));
    return harness;
  }

  /** A second Channel to this harness's server, on the same transport (with these client interceptors, if any). */
  newChannel(interceptors?: readonly ClientInterceptor[]): Channel {
    return overSockets ? createChannel(`http://127.0.0.1:${this.port}`, { interceptors }) : createInMemoryChannel(this.server, { interceptors });
  }

  close(): void {
    this.channel.close();
    this.server.forceShutdown();
  }
}

/** A Server on the suite's transport (add services, then channelTo()). */
export function newServer(options?: ServerOptions): Server {
  return overSockets ? createServer(options) : createInMemoryServer(options);
}

/** Starts `server` (on 127.0.0.1:0 over grpc-js) and returns a Channel to it. */
export async function channelTo(server: Server): Promise<Channel> {
  return overSockets ? createChannel(`http://127.0.0.1:${await server.listen("127.0.0.1:0")}`) : createInMemoryChannel(server);
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 10 ms until it holds or `timeoutMs` passes; returns whether it held. */
export async function eventually(condition: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (condition()) return true;
    await sleep(10);
  }
  return condition();
}
