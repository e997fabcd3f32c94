import { createChannel, createServer, type Channel, type Server } from "safestub";
import { Msg } from "../../gen/testing/probe.js";
import { ProbeClient, ProbeService, type ProbeHandlers } from "../../gen/testing/probe_grpc.js";

/** A Msg with defaults for the fields not given. */
export const msg = (fields: Partial<Msg> = {}): Msg => Msg.fromPartial(fields);

const notSet = async (): Promise<never> => {
  throw new Error("handler not set by this test");
};

/**
 * An in-process Probe server on 127.0.0.1:0 whose handlers each test sets,
 * with a channel and client to it.
 */
export class ProbeHarness {
  impl: Partial<ProbeHandlers> = {};
  readonly server: Server;
  readonly channel: Channel;
  readonly client: ProbeClient;
  readonly port: number;

  private constructor(server: Server, port: number) {
    this.server = server;
    this.port = port;
    this.channel = createChannel(`http://127.0.0.1:${port}`);
    this.client = new ProbeClient(this.channel);
  }

  static async start(): Promise<ProbeHarness> {
    const server = createServer();
    let harness: ProbeHarness | undefined;
    const impl = () => harness!.impl;
    server.add(ProbeService, {
      unary: (req, ctx) => (impl().unary ?? notSet)(req, ctx),
      download: (req, tx, ctx) => (impl().download ?? notSet)(req, tx, ctx),
      upload: (rx, ctx) => (impl().upload ?? notSet)(rx, ctx),
      chat: (rx, tx, ctx) => (impl().chat ?? notSet)(rx, tx, ctx),
    });
    const port = await server.listen("127.0.0.1:0");
    harness = new ProbeHarness(server, port);
    return harness;
  }

  close(): void {
    this.channel.close();
    this.server.forceShutdown();
  }
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
