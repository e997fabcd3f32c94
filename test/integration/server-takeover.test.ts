// safestub's Server serves each call on grpc-js's intercepting call, taken over from an outermost
// grpc-js server interceptor (runtime/transport/grpc-js/server.ts): grpc-js interceptors given in
// grpcOptions sit inside it, so they still see every call (the calls behind them send one message
// at a time: batched-responses.test.ts).
import * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { Code, RpcError, createServer, type ServerOptions } from "safestub";
import { ProbeClient, ProbeService, type ProbeHandlers } from "@backend/probe.js";
import { channelTo, msg } from "../helpers/probe.js";
import { passesOnLater } from "../helpers/grpc-interceptors.js";

/** A safestub Server with `handlers` for some of Probe's methods, started, with a channel and a client to it. */
async function serving(options: ServerOptions, handlers: Partial<ProbeHandlers>) {
  const server = createServer(options).addPartial(ProbeService, handlers);
  const channel = await channelTo(server);
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
    const { server, channel, client } = await serving({ grpcOptions: { interceptors: [watching] } }, { unary: (req) => req });
    try {
      for (let id = 0; id < 5; id++) expect((await client.unary(msg({ id }), { metadata: { "x-tag": `t${id}` } })).id).toBe(id);
      expect(seen).toEqual([0, 1, 2, 3, 4].map((id) => `/safestub.testing.Probe/Unary t${id}`));
    } finally {
      channel.close();
      server.forceShutdown();
    }
  });

  // grpc-js's ServerInterceptingCall sends a status it was given while its responder still holds a
  // message as soon as the metadata is through, ahead of the message; safestub holds the status.
  it("behind a grpc-js interceptor that passes metadata and messages on later, a unary response, a stream's last unawaited send and the status after it all arrive, in order (20 runs each)", async () => {
    const { server, channel, client } = await serving(
      { grpcOptions: { interceptors: [passesOnLater] } },
      {
        unary: (req) => req,
        download: async (req, tx) => {
          for (let id = 0; id < req.count - 1; id++) await tx.send(msg({ id }));
          void tx.send(msg({ id: req.count - 1 }));
          if (req.text === "throw") throw new RpcError(Code.ABORTED, "stopped after the last send");
        },
      },
    );
    try {
      for (let run = 0; run < 20; run++) {
        expect((await client.unary(msg({ id: run }), { timeoutMs: 5000 })).id).toBe(run);
        for (const text of ["return", "throw"]) {
          const count = 1 + (run % 4);
          const ids: number[] = [];
          let failure: unknown;
          try {
            for await (const m of client.download(msg({ count, text }), { timeoutMs: 5000 }).receiver) ids.push(m.id);
          } catch (err) {
            failure = err;
          }
          expect(ids).toEqual(Array.from({ length: count }, (_, id) => id));
          if (text === "return") expect(failure).toBeUndefined();
          else expect((failure as RpcError).code).toBe(Code.ABORTED);
        }
      }
    } finally {
      channel.close();
      server.forceShutdown();
    }
  });
});
