// The two transports a Probe test can run on, with the same shape, so a handle-level test can run
// over both: `for (const transport of transports) describe(transport.name, ...)`.
import { createChannel, createServer, type Channel, type Server } from "safestub";
import { createInMemoryChannel, createInMemoryServer } from "safestub/testing";
import { ProbeClient, ProbeService, type ProbeHandlers } from "@backend/probe.js";

/** A running Probe server with a channel and client to it. */
export interface ProbeSetup {
  readonly client: ProbeClient;
  readonly channel: Channel;
  readonly server: Server;
  /** Closes the channel and force-shuts the server down. */
  close(): void;
}

export interface ProbeTransport {
  readonly name: "grpc-js" | "in-memory";
  /** Starts a Probe server with `impl` (handlers not given fail the call) and a channel to it. */
  start(impl: Partial<ProbeHandlers>, options?: { onHandlerError?: (error: unknown, method: string) => void }): Promise<ProbeSetup>;
}

const notSet = async (): Promise<never> => {
  throw new Error("handler not set by this test");
};

/** Every method of `impl`, with the missing ones failing; `impl` is read per call, so tests may swap handlers. */
function probeHandlers(impl: Partial<ProbeHandlers>): ProbeHandlers {
  return {
    unary: (req, ctx) => (impl.unary ?? notSet)(req, ctx),
    download: (req, tx, ctx) => (impl.download ?? notSet)(req, tx, ctx),
    upload: (rx, ctx) => (impl.upload ?? notSet)(rx, ctx),
    chat: (rx, tx, ctx) => (impl.chat ?? notSet)(rx, tx, ctx),
  };
}

function setup(server: Server, channel: Channel): ProbeSetup {
  return {
    client: new ProbeClient(channel),
    channel,
    server,
    close: () => {
      channel.close();
      server.forceShutdown();
    },
  };
}

export const grpcJsTransport: ProbeTransport = {
  name: "grpc-js",
  async start(impl, options = {}) {
    const server = createServer(options).add(ProbeService, probeHandlers(impl));
    const port = await server.listen("127.0.0.1:0");
    return setup(server, createChannel(`http://127.0.0.1:${port}`));
  },
};

export const inMemoryTransport: ProbeTransport = {
  name: "in-memory",
  async start(impl, options = {}) {
    const server = createInMemoryServer(options).add(ProbeService, probeHandlers(impl));
    return setup(server, createInMemoryChannel(server));
  },
};

export const transports: readonly ProbeTransport[] = [grpcJsTransport, inMemoryTransport];
