// A raw HTTP/2 client sends broken requests to a safestub server: each call must end INTERNAL with a
// message naming what was wrong, and the handler must see the same failure (or not run at all).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Code, RpcError, createServer, type Server } from "safestub";
import { ProbeService, encodeMsg, msg } from "@backend/probe.js";
import { eventually } from "../helpers/probe.js";
import { frame, rawCall, truncatedFrame } from "../helpers/raw-http2.js";

const good = () => frame(encodeMsg(msg({ id: 7, text: "whole" })));
// Field 3 (bytes) promises 127 bytes that are not there: a whole frame whose bytes do not decode.
const undecodable = () => frame(Buffer.from([0x1a, 0x7f]));
const compressed = () => frame(encodeMsg(msg({ id: 7 })), { compressed: true });
const cut = () => truncatedFrame(Buffer.from([0x08, 0x07]));

const path = (method: string) => `/safestub.testing.Probe/${method}`;
const INTERNAL = String(Code.INTERNAL);

let server: Server;
let port: number;
/** What the handlers saw, one line per event. */
let seen: string[];

const codeOf = (err: unknown) => (err instanceof RpcError ? Code[err.code] : `not an RpcError: ${String(err)}`);

beforeAll(async () => {
  server = createServer();
  server.add(ProbeService, {
    unary: (req) => {
      seen.push(`unary ran with id ${req.id}`);
      return msg({});
    },
    download: async (req) => {
      seen.push(`download ran with id ${req.id}`);
    },
    upload: async (rx, ctx) => {
      let n = 0;
      try {
        for await (const _ of rx) n++;
        seen.push(`upload clean end after ${n}`);
      } catch (err) {
        seen.push(`upload error ${codeOf(err)} after ${n}, signal ${codeOf(ctx.signal.reason)}`);
      }
      return msg({});
    },
    chat: async (rx) => {
      let n = 0;
      try {
        for await (const _ of rx) n++;
        seen.push(`chat clean end after ${n}`);
      } catch (err) {
        seen.push(`chat error ${codeOf(err)} after ${n}`);
      }
    },
  });
  port = await server.listen("127.0.0.1:0");
});
afterAll(() => server.forceShutdown());
beforeEach(() => {
  seen = [];
});

describe.each([
  ["unary", "Unary"],
  ["server-streaming", "Download"],
])("a %s method", (kind, method) => {
  it.each([
    ["no request message", [] as Buffer[], /no request message/],
    ["two request messages", [good(), good()], /more than one request message/],
    ["a request cut short at END_STREAM", [cut()], /cut short/],
    ["a request that does not decode", [undecodable()], /failed to decode the request/],
    ["a compressed-flag request without grpc-encoding", [compressed()], /compressed .*grpc-encoding/],
  ])("given %s ends INTERNAL, naming the method's kind, and its handler does not run", async (_what, body, message) => {
    const res = await rawCall(port, path(method), body);
    expect(res.status).toBe(INTERNAL);
    expect(res.message).toMatch(message);
    if (!/decode/.test(String(message))) expect(res.message).toContain(`${kind} method ${path(method)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual([]);
  });

  it("given one whole request runs its handler (the happy path still works)", async () => {
    const res = await rawCall(port, path(method), [good()]);
    expect(res.status).toBe("0");
    expect(seen).toEqual([`${method === "Unary" ? "unary" : "download"} ran with id 7`]);
  });
});

describe.each([
  ["client-streaming", "Upload", "upload"],
  ["bidi", "Chat", "chat"],
])("a %s method", (_kind, method, handler) => {
  it("whose last request message is cut short at END_STREAM: the handler's receive fails INTERNAL after the whole ones, the client gets INTERNAL", async () => {
    const res = await rawCall(port, path(method), [good(), good(), cut()]);
    expect(res.status).toBe(INTERNAL);
    expect(res.message).toMatch(/cut short/);
    expect(await eventually(() => seen.length > 0, 2000)).toBe(true);
    expect(seen[0]).toMatch(new RegExp(`^${handler} error INTERNAL after 2`));
  });

  // The call fails as soon as the broken message arrives, so a whole one that came in the same
  // DATA frame may not reach the handler either; the broken one never does.
  it("given a compressed-flag message without grpc-encoding: the handler's receive fails INTERNAL and never sees it, the client gets INTERNAL", async () => {
    const res = await rawCall(port, path(method), [good(), compressed(), good()]);
    expect(res.status).toBe(INTERNAL);
    expect(res.message).toMatch(/compressed .*grpc-encoding/);
    expect(await eventually(() => seen.length > 0, 2000)).toBe(true);
    expect(seen[0]).toMatch(new RegExp(`^${handler} error INTERNAL after [01]\\b`));
  });
});
