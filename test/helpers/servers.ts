import { createChannel, createServer, type Channel, type Server } from "safestub";

/** A started in-process server on 127.0.0.1 and a channel to it; `close()` tears both down. */
export interface Harness {
  server: Server;
  channel: Channel;
  port: number;
  close(): Promise<void>;
}

export async function startServer(setup: (server: Server) => void): Promise<Harness> {
  const server = createServer();
  setup(server);
  const port = await server.listen("127.0.0.1:0");
  const channel = createChannel(`http://127.0.0.1:${port}`);
  return {
    server,
    channel,
    port,
    async close() {
      channel.close();
      server.forceShutdown();
    },
  };
}
