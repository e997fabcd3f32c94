// A safestub client against a raw HTTP/2 server that answers with broken responses: each must end the
// call with a status that tells the truth (INTERNAL), never OK with data missing, never a code outside Code.
import type * as http2 from "node:http2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, RpcError, createChannel, type Channel } from "safestub";
import { ProbeClient, encodeMsg, msg } from "@backend/probe.js";
import { frame, respondWith, startRawServer, truncatedFrame, type RawServer } from "../helpers/raw-http2.js";

const good = () => frame(encodeMsg(msg({ id: 1, text: "whole" })));

/** How the raw server answers, chosen per call by the request header x-bad. */
const scenarios: Record<string, (stream: http2.ServerHttp2Stream) => void> = {
  // A whole message, then a prefix promising 10 more bytes than follow, then END_STREAM with status OK.
  truncated: (s) => respondWith(s, [good(), truncatedFrame(Buffer.from([0x08, 0x02]))], { "grpc-status": "0" }),
  "status-abc": (s) => respondWith(s, [good()], { "grpc-status": "abc", "grpc-message": "x" }),
  "status-99": (s) => respondWith(s, [good()], { "grpc-status": "99", "grpc-message": "x" }),
  "status-absent": (s) => respondWith(s, [good()], { "x-other": "1" }),
  // The compressed flag on a message, and no grpc-encoding header.
  compressed: (s) => respondWith(s, [frame(encodeMsg(msg({ id: 1 })), { compressed: true })], { "grpc-status": "0" }),
};

let server: RawServer;
let channel: Channel;
let client: ProbeClient;
beforeAll(async () => {
  server = await startRawServer((stream, headers) => scenarios[String(headers["x-bad"])]!(stream));
  channel = createChannel(`http://127.0.0.1:${server.port}`);
  client = new ProbeClient(channel);
});
afterAll(async () => {
  channel.close();
  await server.close();
});

/** Runs one call of `shape` against scenario `bad` and returns how it ended: the RpcError, or "ok". */
async function outcome(shape: string, bad: string): Promise<RpcError | "ok"> {
  const options = { metadata: { "x-bad": bad }, timeoutMs: 5000 };
  const run = async () => {
    switch (shape) {
      case "unary":
        await client.unary(msg({}), options);
        return;
      case "server-streaming":
        for await (const _ of client.download(msg({}), options).receiver);
        return;
      case "client-streaming": {
        const call = client.upload(options);
        await call.sender.send(msg({}));
        await call.sender.close();
        await call.response;
        return;
      }
      case "bidi": {
        const call = client.chat(options);
        await call.sender.send(msg({}));
        await call.sender.close();
        for await (const _ of call.receiver);
        return;
      }
    }
  };
  try {
    await run();
    return "ok";
  } catch (err) {
    expect(err).toBeInstanceOf(RpcError);
    return err as RpcError;
  }
}

// Unary and client-streaming calls take exactly one response, so the truncated and compressed
// scenarios (a message after the good one, or a bad only one) apply to every shape.
const shapes = ["unary", "server-streaming", "client-streaming", "bidi"];

describe.each(shapes)("a %s call", (shape) => {
  it("whose last response message is truncated at END_STREAM fails INTERNAL, not OK", async () => {
    const end = await outcome(shape, "truncated");
    expect(end).not.toBe("ok");
    expect((end as RpcError).code).toBe(Code.INTERNAL);
  });

  it.each(["abc", "99"])("with grpc-status %j fails INTERNAL, and its code is a Code", async (value) => {
    const end = (await outcome(shape, `status-${value}`)) as RpcError;
    expect(end.code).toBe(Code.INTERNAL);
    expect(end.details).toContain(`grpc-status`);
  });

  it("with no grpc-status in its trailers fails with a Code, not OK", async () => {
    const end = await outcome(shape, "status-absent");
    expect(end).not.toBe("ok");
    expect(Object.values(Code)).toContain((end as RpcError).code);
  });

  it("with a compressed-flag message and no grpc-encoding fails INTERNAL", async () => {
    const end = (await outcome(shape, "compressed")) as RpcError;
    expect(end).toBeInstanceOf(RpcError);
    expect(end.code).toBe(Code.INTERNAL);
    expect(end.details).toMatch(/compress/);
  });
});

// grpc-js turns grpc-status into a code with Number(), so "" arrives as 0 (OK) with the header already
// removed from the trailers; safestub reads the trailers off the HTTP/2 stream (trailer-status.ts).
it.each(shapes)("a %s call with an empty grpc-status fails INTERNAL (grpc-js takes it as OK)", async (shape) => {
  scenarios["status-empty"] = (s) => respondWith(s, [good()], { "grpc-status": "" });
  const end = (await outcome(shape, "status-empty")) as RpcError;
  expect(end).toBeInstanceOf(RpcError);
  expect(end.code).toBe(Code.INTERNAL);
  expect(end.details).toBe('malformed grpc-status ("")');
});
