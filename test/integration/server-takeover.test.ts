// safestub's Server serves each call on grpc-js's intercepting call, taken over from an outermost
// grpc-js server interceptor (runtime/transport/grpc-js/server.ts): grpc-js interceptors given in
// grpcOptions sit inside it, so they still see every call (the calls behind them send one message
// at a time: batched-responses.test.ts).
import * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { createChannel, createServer, type ServerOptions } from "safestub";
import { ProbeClient, ProbeService } from "@backend/probe.js";
import { msg } from "../helpers/probe.js";

/** A server whose download never ends (it waits for the client's reads), with a channel and a client to it. */
async function serving(options: ServerOptions) {
  const server = createServer(options);
  server.addPartial(ProbeService, {
    unary: (req) => req,
    download: async (_req, tx) => {
      for (let id = 0; id < 1_000_000; id++) await tx.send(msg({ id, payload: Buffer.alloc(1024) }));
    },
  });
  const channel = createChannel(`http://127.0.0.1:${await server.listen("127.0.0.1:0")}`);
  return { server, channel, client: new ProbeClient(channel) };
}

describe("a call taken over from grpc-js", () => {
  it("grpc-js interceptors from grpcOptions see every call, with its method and request metadata, before safestub serves it", async () => {
    const seen: string[] = [];
    const watching: grpc.ServerInterceptor = (method, call) =>
      new grpc.ServerInterceptingCall(call, {
        start: (next) =>
          next({
            onReceiveMetadata: (metadata, nextMetadata) => {
              seen.push(`${method.path} ${String(metadata.get("x-tag")[0])}`);
              nextMetadata(metadata);
            },
          }),
      });
    const { server, channel, client } = await serving({ grpcOptions: { interceptors: [watching] } });
    try {
      for (let id = 0; id < 5; id++) expect((await client.unary(msg({ id }), { metadata: { "x-tag": `t${id}` } })).id).toBe(id);
      expect(seen).toEqual([0, 1, 2, 3, 4].map((id) => `/safestub.testing.Probe/Unary t${id}`));
    } finally {
      channel.close();
      server.forceShutdown();
    }
  });
});
