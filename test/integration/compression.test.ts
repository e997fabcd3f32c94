// Request compression over loopback. Against a raw node:http2 server: the bytes on the wire really
// are gzip (grpc-encoding, the compressed flag, a payload that gunzips to the message), the call's
// choice overrides the channel's default, a message sent with noCompression goes uncompressed, and
// grpc-accept-encoding is advertised. Against safestub's server: gzip requests are served, the
// handler can tell which messages came compressed (ctx.requestCompressed), the server advertises
// grpc-accept-encoding, and an encoding it cannot decompress is UNIMPLEMENTED before any handler runs.
import { deflateSync, gunzipSync, gzipSync } from "node:zlib";
import type * as http2 from "node:http2";
import { afterEach, describe, expect, it } from "vitest";
import { Code, createChannel, createServer, type Channel, type ChannelOptions, type Server } from "safestub";
import { createInMemoryChannel, createInMemoryServer } from "safestub/testing";
import type { GrpcClientTransport } from "../../runtime/transport/grpc-js/channel.js";
import { ProbeClient, ProbeService, decodeMsg, encodeMsg, type ProbeHandlers } from "@backend/probe.js";
import { deframe, frame, rawCall, respondWith, startRawServer, type RawServer } from "../helpers/raw-http2.js";
import { msg } from "../helpers/probe.js";

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** What the raw server saw of each call: its headers and request messages. */
interface SeenCall {
  headers: http2.IncomingHttpHeaders;
  messages: { compressed: boolean; bytes: Buffer }[];
}

/** A raw server that records each call and answers it with one empty Msg and OK. */
async function recordingRawServer(): Promise<{ server: RawServer; seen: SeenCall[] }> {
  const seen: SeenCall[] = [];
  const server = await startRawServer((stream, headers, body) => {
    seen.push({ headers, messages: deframe(body) });
    respondWith(stream, [frame(new Uint8Array())], { "grpc-status": "0" });
  });
  closers.push(() => server.close());
  return { server, seen };
}

function channelTo(port: number, options: ChannelOptions = {}): Channel {
  const channel = createChannel(`http://127.0.0.1:${port}`, options);
  closers.push(() => channel.close());
  return channel;
}

/** The message a request frame carries, gunzipped when its flag says so. */
const messageOf = (m: { compressed: boolean; bytes: Buffer }) => decodeMsg(m.compressed ? gunzipSync(m.bytes) : m.bytes);

const big = msg({ id: 7, text: "compressible ".repeat(200) });

describe("the client's requests on the wire (raw HTTP/2 server)", () => {
  it("a channel with compression gzip sends grpc-encoding gzip, the compressed flag, and gzip bytes that decode to the message", async () => {
    const { server, seen } = await recordingRawServer();
    await new ProbeClient(channelTo(server.port, { compression: "gzip" })).unary(big);
    expect(seen).toHaveLength(1);
    const [call] = seen;
    expect(call!.headers["grpc-encoding"]).toBe("gzip");
    expect(String(call!.headers["grpc-accept-encoding"]).split(",")).toContain("gzip");
    expect(call!.messages).toHaveLength(1);
    const sent = call!.messages[0]!;
    expect(sent.compressed).toBe(true);
    // gzip's magic bytes, a real deflate stream, and fewer bytes than the message itself.
    expect([...sent.bytes.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    expect(sent.bytes.length).toBeLessThan(encodeMsg(big).length / 4);
    expect(decodeMsg(gunzipSync(sent.bytes))).toEqual(big);
  });

  it("a channel without compression sends neither grpc-encoding nor the flag, and advertises grpc-accept-encoding", async () => {
    const { server, seen } = await recordingRawServer();
    await new ProbeClient(channelTo(server.port)).unary(big);
    expect(seen[0]!.headers["grpc-encoding"]).toBeUndefined();
    expect(String(seen[0]!.headers["grpc-accept-encoding"]).split(",").sort()).toEqual(["deflate", "gzip", "identity"]);
    expect(seen[0]!.messages.map((m) => m.compressed)).toEqual([false]);
    expect(messageOf(seen[0]!.messages[0]!)).toEqual(big);
  });

  it("a call's compression overrides the channel's default, either way, on the same channel", async () => {
    const { server, seen } = await recordingRawServer();
    const gzipChannel = new ProbeClient(channelTo(server.port, { compression: "gzip" }));
    const plainChannel = new ProbeClient(channelTo(server.port));
    await gzipChannel.unary(big, { compression: "identity" });
    await plainChannel.unary(big, { compression: "gzip" });
    await gzipChannel.unary(big); // the default again after an override
    await plainChannel.unary(big, { compression: undefined }); // explicit undefined: the channel's default
    expect(seen.map((c) => [c.headers["grpc-encoding"] ?? "none", c.messages[0]!.compressed])).toEqual([
      ["none", false],
      ["gzip", true],
      ["gzip", true],
      ["none", false],
    ]);
    for (const call of seen) expect(messageOf(call.messages[0]!)).toEqual(big);
  });

  it("opens one connection per compression in use, reused by later calls, and closes them all with the channel", async () => {
    const { server, seen } = await recordingRawServer();
    const channel = channelTo(server.port);
    const client = new ProbeClient(channel);
    const opened = () => (channel.transport as GrpcClientTransport).connectionsOpened;
    await client.unary(big);
    expect(opened()).toBe(1);
    for (let i = 0; i < 3; i++) {
      await client.unary(big, { compression: "gzip" });
      await client.unary(big, { compression: "identity" });
    }
    expect(opened()).toBe(2);
    expect(server.openSessions()).toBe(2);
    expect(seen.map((c) => c.headers["grpc-encoding"] ?? "none")).toEqual(["none", "gzip", "none", "gzip", "none", "gzip", "none"]);
    channel.close();
    for (let i = 0; i < 100 && server.openSessions() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.openSessions()).toBe(0);
    await expect(client.unary(big, { compression: "gzip" })).rejects.toMatchObject({ code: Code.CANCELLED });
  });

  it("in a gzip stream, a message sent with { noCompression: true } goes with the flag clear, the others compressed", async () => {
    const { server, seen } = await recordingRawServer();
    const call = new ProbeClient(channelTo(server.port)).upload({ compression: "gzip" });
    await call.sender.send(msg({ id: 1, text: "a".repeat(500) }));
    await call.sender.send(msg({ id: 2, text: "b".repeat(500) }), { noCompression: true });
    await call.sender.send(msg({ id: 3, text: "c".repeat(500) }), { noCompression: false });
    await call.sender.close();
    await call.response;
    expect(seen[0]!.headers["grpc-encoding"]).toBe("gzip");
    expect(seen[0]!.messages.map((m) => m.compressed)).toEqual([true, false, true]);
    expect(seen[0]!.messages.map((m) => messageOf(m).id)).toEqual([1, 2, 3]);
  });

  it("falls back to identity on a connection whose server's grpc-accept-encoding leaves gzip out (grpc-js's negotiation)", async () => {
    const seen: SeenCall[] = [];
    const server = await startRawServer((stream, headers, body) => {
      seen.push({ headers, messages: deframe(body) });
      stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-accept-encoding": "identity" }, { waitForTrailers: true });
      stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      stream.end(frame(new Uint8Array()));
    });
    closers.push(() => server.close());
    const client = new ProbeClient(channelTo(server.port, { compression: "gzip" }));
    await client.unary(big);
    await client.unary(big);
    // The first call could not know; once the server said what it takes, requests go uncompressed.
    expect(seen.map((c) => [c.headers["grpc-encoding"] ?? "none", c.messages[0]!.compressed])).toEqual([
      ["gzip", true],
      ["none", false],
    ]);
    for (const call of seen) expect(messageOf(call.messages[0]!)).toEqual(big);
  });

  it("refuses a compression it does not know, at the call and at the channel, with a TypeError", async () => {
    const { server, seen } = await recordingRawServer();
    const client = new ProbeClient(channelTo(server.port));
    await expect(client.unary(big, { compression: "br" as "gzip" })).rejects.toThrow(TypeError);
    expect(() => client.upload({ compression: "br" as "gzip" })).toThrow(/compression must be "gzip" or "identity", got "br"/);
    expect(seen).toEqual([]);
    expect(() => createChannel(`http://127.0.0.1:${server.port}`, { compression: "zstd" as "gzip" })).toThrow(/compression must be "gzip" or "identity"/);
  });

  it("refuses noCompression through client interceptors (it could not be carried) with a TypeError", async () => {
    const { server } = await recordingRawServer();
    const client = new ProbeClient(channelTo(server.port, { interceptors: [(next) => next] }));
    const call = client.upload({ compression: "gzip" });
    await expect(call.sender.send(msg(), { noCompression: true })).rejects.toThrow(/not carried through client interceptors/);
    call.cancel();
    await call.response.catch(() => {});
  });
});

/** A safestub server whose handlers report what they saw of compression. */
async function reportingServer(): Promise<{ server: Server; port: number; seen: string[] }> {
  const seen: string[] = [];
  const handlers: ProbeHandlers = {
    unary: (req, ctx) => {
      seen.push(`unary ${ctx.requestEncoding} ${String(ctx.requestCompressed(0))}`);
      return req;
    },
    download: async () => {},
    upload: async (rx, ctx) => {
      const flags: string[] = [];
      let n = 0;
      for await (const _ of rx) flags.push(String(ctx.requestCompressed(n++)));
      seen.push(`upload ${ctx.requestEncoding} ${flags.join(",")} next=${String(ctx.requestCompressed(n))}`);
      return msg({ count: n });
    },
    chat: async () => {},
  };
  const server = createServer().add(ProbeService, handlers);
  const port = await server.listen("127.0.0.1:0");
  closers.push(() => server.forceShutdown());
  return { server, port, seen };
}

describe("safestub's server takes compressed requests", () => {
  it("serves gzip requests from a safestub client and tells the handler which messages came compressed", async () => {
    const { port, seen } = await reportingServer();
    const client = new ProbeClient(channelTo(port));
    expect(await client.unary(big, { compression: "gzip" })).toEqual(big);
    expect(await client.unary(big)).toEqual(big);
    const up = client.upload({ compression: "gzip" });
    await up.sender.send(msg({ id: 1 }));
    await up.sender.send(msg({ id: 2 }), { noCompression: true });
    await up.sender.send(msg({ id: 3 }));
    await up.sender.close();
    expect((await up.response).count).toBe(3);
    // If grpc-js's internals change shape (internals.ts), requestCompressed answers undefined: this fails.
    expect(seen).toEqual(["unary gzip true", "unary identity false", "upload gzip true,false,true next=undefined"]);
  });

  it("takes gzip and deflate from a raw client (the flag and the encoding as a grpc-go or grpc-java client sends them)", async () => {
    const { port, seen } = await reportingServer();
    const bytes = encodeMsg(big);
    for (const [encoding, compress] of [["gzip", gzipSync], ["deflate", deflateSync]] as const) {
      const result = await rawCall(port, "/safestub.testing.Probe/Unary", [frame(compress(bytes), { compressed: true })], { headers: { "grpc-encoding": encoding } });
      expect(result.status, encoding).toBe("0");
      expect(decodeMsg(deframe(result.body)[0]!.bytes)).toEqual(big);
    }
    expect(seen).toEqual(["unary gzip true", "unary deflate true"]);
  });

  it("advertises grpc-accept-encoding in its response headers", async () => {
    const { port } = await reportingServer();
    const result = await rawCall(port, "/safestub.testing.Probe/Unary", [frame(encodeMsg(big))]);
    expect(result.status).toBe("0");
    expect(String(result.headers["grpc-accept-encoding"]).split(",").sort()).toEqual(["deflate", "gzip", "identity"]);
  });

  it("answers an encoding it cannot decompress with UNIMPLEMENTED and grpc-accept-encoding, before any handler runs, compressed message or not", async () => {
    const { port, seen } = await reportingServer();
    for (const compressed of [true, false]) {
      for (const path of ["/safestub.testing.Probe/Unary", "/safestub.testing.Probe/Upload"]) {
        const result = await rawCall(port, path, [frame(encodeMsg(big), { compressed })], { headers: { "grpc-encoding": "br" } });
        expect(result.status, `${path} compressed=${compressed}`).toBe(String(Code.UNIMPLEMENTED));
        expect(result.message).toMatch(/grpc-encoding "br" is not supported/);
        const advertised = result.trailers["grpc-accept-encoding"] ?? result.headers["grpc-accept-encoding"];
        expect(String(advertised).split(",").sort()).toEqual(["deflate", "gzip", "identity"]);
      }
    }
    expect(seen).toEqual([]);
  });
});

describe("in memory, compression is a wire concern", () => {
  it("takes the options and passes messages uncompressed: the handler sees identity and no compressed message", async () => {
    const seen: string[] = [];
    const server = createInMemoryServer().addPartial(ProbeService, {
      unary: (req, ctx) => {
        seen.push(`${ctx.requestEncoding} ${String(ctx.requestCompressed(0))}`);
        return req;
      },
    });
    const channel = createInMemoryChannel(server);
    closers.push(() => server.forceShutdown(), () => channel.close());
    const client = new ProbeClient(channel);
    expect(await client.unary(big, { compression: "gzip" })).toEqual(big);
    expect(seen).toEqual(["identity false"]);
    await expect(client.unary(big, { compression: "lz4" as "gzip" })).rejects.toThrow(TypeError);
  });
});

