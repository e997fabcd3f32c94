// The in-memory transport (safestub/testing): a Server and Channels in one process, no sockets, with
// the grpc-js transport's rules, statuses, deadlines, cancellation, metadata and backpressure.
import { afterEach, describe, expect, it } from "vitest";
import {
  bidiStreamingMethod,
  CallInvoker,
  Code,
  ConcurrentRecvError,
  ConcurrentSendError,
  Metadata,
  RpcError,
  SendAfterCloseError,
  StreamEndedError,
  type Codec,
  type Server,
} from "safestub";
import { createInMemoryChannel, createInMemoryServer } from "safestub/testing";
import type { TransportCallListener } from "../../runtime/client/channel.js";
import { resolveCallOptions } from "../../runtime/core/call-options.js";
import { PIPE_CAPACITY } from "../../runtime/transport/in-memory/frame-pipe.js";
import { ProbeClient, ProbeService, decodeMsg, encodeMsg, type Msg, type ProbeHandlers } from "@backend/probe.js";
import { eventually, msg, sleep } from "../helpers/probe.js";
import { openOneOfEach, rejection } from "../helpers/one-of-each.js";
import { recordingHandlers } from "../helpers/recording-server.js";
import { inMemoryTransport, type ProbeSetup } from "../helpers/transports.js";

let open: ProbeSetup[] = [];
afterEach(() => {
  for (const setup of open) setup.close();
  open = [];
});

async function start(impl: Partial<ProbeHandlers>, options?: { onHandlerError?: (error: unknown, method: string) => void }): Promise<ProbeSetup> {
  const setup = await inMemoryTransport.start(impl, options);
  open.push(setup);
  return setup;
}


const rpcError = (code: Code, details?: string) => expect.objectContaining({ code, ...(details === undefined ? {} : { details }) });
const echo: ProbeHandlers["chat"] = async (rx, tx) => {
  for await (const m of rx) await tx.send(m);
};

/** The records of how each handler ended (its signal, its receive loop), sorted, once `count` of them came. */
async function handlerEnds(records: string[], count: number): Promise<string[]> {
  const ends = () => records.filter((r) => / (signal|error) /.test(r)).sort();
  await eventually(() => ends().length >= count);
  return ends();
}

/** The records of every call of each shape ending with `code`, as recordingHandlers writes them. */
const everyShapeEnded = (code: string, received: number) => [
  `chat error ${code} after ${received}`,
  `download signal ${code}`,
  `unary signal ${code}`,
  `upload error ${code} after ${received}`,
  `upload signal ${code}`,
];

describe("the four call shapes", () => {
  it("unary, server streaming, client streaming and bidi run as on grpc-js", async () => {
    const { client } = await start({
      unary: (req) => msg({ text: `hello ${req.text}` }),
      download: async (req, tx) => {
        for (let i = 0; i < req.count; i++) await tx.send(msg({ id: i }));
      },
      upload: async (rx) => {
        let sum = 0;
        for await (const m of rx) sum += m.id;
        return msg({ count: sum });
      },
      chat: echo,
    });
    expect((await client.unary(msg({ text: "world" }))).text).toBe("hello world");

    const ids: number[] = [];
    for await (const m of client.download(msg({ count: 100 })).receiver) ids.push(m.id);
    expect(ids).toEqual(Array.from({ length: 100 }, (_, i) => i));

    const upload = client.upload();
    await upload.sender.sendAll(Array.from({ length: 100 }, (_, i) => msg({ id: i })));
    await upload.sender.close();
    expect((await upload.response).count).toBe(4950);

    const chat = client.chat();
    const received: number[] = [];
    const reading = (async () => {
      for await (const m of chat.receiver) received.push(m.id);
    })();
    for (let i = 0; i < 50; i++) await chat.sender.send(msg({ id: i }));
    await chat.sender.close();
    await reading;
    expect(received).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it("a method the server does not have: UNIMPLEMENTED, for every shape", async () => {
    const server = createInMemoryServer();
    const channel = createInMemoryChannel(server);
    const client = new ProbeClient(channel);
    const outcomes = [
      await rejection(client.unary(msg())),
      await rejection(client.download(msg()).receiver.recv()),
      await rejection(client.upload().response),
      await rejection(client.chat().receiver.recv()),
    ];
    for (const err of outcomes) expect(err).toEqual(rpcError(Code.UNIMPLEMENTED, "The server does not implement the method " + (err as RpcError).details.split(" ").pop()));
    expect((outcomes[0] as RpcError).details).toBe("The server does not implement the method /safestub.testing.Probe/Unary");
    channel.close();
    server.forceShutdown();
  });

  it("a handler's RpcError reaches the client; any other throw is UNKNOWN, with the cause to onHandlerError", async () => {
    const logged: unknown[] = [];
    const { client } = await start(
      {
        unary: (req) => {
          if (req.id === 1) throw new RpcError(Code.NOT_FOUND, "no such thing");
          throw new Error("internal detail");
        },
      },
      { onHandlerError: (err) => logged.push(err) },
    );
    expect(await rejection(client.unary(msg({ id: 1 })))).toEqual(rpcError(Code.NOT_FOUND, "no such thing"));
    expect(await rejection(client.unary(msg({ id: 2 })))).toEqual(rpcError(Code.UNKNOWN, "Unknown error"));
    expect(logged).toEqual([expect.objectContaining({ message: "internal detail" })]);
  });

  it("the handler sees peer \"in-memory\"; listen() is refused with a TypeError (there are no sockets)", async () => {
    const { client, server } = await start({ unary: (_req, ctx) => msg({ text: ctx.peer }) });
    expect((await client.unary(msg())).text).toBe("in-memory");
    await expect(server.listen("127.0.0.1:0")).rejects.toThrow(TypeError);
    expect(() => createInMemoryChannel({} as Server)).toThrow(TypeError);
  });
});

/** A bidi method over raw bytes (the identity codec), so a test holds the very buffers the runtime sends. */
const raw: Codec<Uint8Array> = { encode: (b) => b, decode: (b) => b };
const BytesService = {
  typeName: "test.Bytes",
  methods: { chat: bidiStreamingMethod<Uint8Array, Uint8Array>("/test.Bytes/Chat", raw, raw) },
} as const;

describe("messages are copied", () => {
  it("neither side sees the other mutate a buffer after sending it", async () => {
    const seenByServer: string[] = [];
    const server = createInMemoryServer().add(BytesService, {
      chat: async (rx, tx) => {
        const request = (await rx.recv())!;
        seenByServer.push(Buffer.from(request).toString());
        request.fill(0x58); // "X": the client's buffer must not change
        const reply = Buffer.from("reply");
        await tx.send(reply);
        reply.fill(0x59); // "Y": before the client reads it
        await tx.close();
      },
    });
    const channel = createInMemoryChannel(server);
    const call = new CallInvoker(channel).bidiStreaming(BytesService.methods.chat);
    const request = Buffer.from("request");
    await call.sender.send(request);
    request.fill(0x5a); // "Z": after the transport took it, before the handler reads it
    await sleep(20);
    const reply = await call.receiver.recv();
    expect(seenByServer).toEqual(["request"]);
    expect(request.toString()).toBe("ZZZZZZZ");
    expect(Buffer.from(reply!).toString()).toBe("reply");
    channel.close();
    server.forceShutdown();
  });
});

describe("the single-owner rules", () => {
  it("client: two sends in one tick, a send after close, two recvs in one tick, a send after the RPC ended OK", async () => {
    const { client } = await start({ chat: echo, upload: async (rx) => {
      for await (const _ of rx);
      return msg();
    } });
    const chat = client.chat();
    const first = chat.sender.send(msg({ id: 1 }));
    await expect(chat.sender.send(msg({ id: 2 }))).rejects.toBeInstanceOf(ConcurrentSendError);
    await first;
    const recv = chat.receiver.recv();
    await expect(chat.receiver.recv()).rejects.toBeInstanceOf(ConcurrentRecvError);
    expect((await recv)?.id).toBe(1);
    await chat.sender.close();
    await expect(chat.sender.send(msg())).rejects.toBeInstanceOf(SendAfterCloseError);
    expect(await chat.receiver.recv()).toBeUndefined();

    // A server that answers without reading the whole upload: the RPC ended OK under the Sender.
    const upload = client.upload();
    await upload.sender.close();
    await upload.response;
    const other = client.chat();
    await other.sender.close();
    expect(await other.receiver.recv()).toBeUndefined();
    await expect(other.sender.sendAll([msg()])).rejects.toBeInstanceOf(SendAfterCloseError);
  });

  it("a send after the RPC ended OK: StreamEndedError", async () => {
    const { client } = await start({ chat: async () => {} });
    const chat = client.chat();
    expect(await chat.receiver.recv()).toBeUndefined();
    await expect(chat.sender.send(msg())).rejects.toBeInstanceOf(StreamEndedError);
  });

  it("server: the same refusals in a handler, and the refused operations change nothing", async () => {
    const refusals: string[] = [];
    const name = (p: Promise<unknown>) => p.then(() => "resolved", (err: unknown) => (err as Error).constructor.name);
    const { client } = await start({
      chat: async (rx, tx) => {
        const first = rx.recv();
        refusals.push(await name(rx.recv()));
        const m = (await first)!;
        const send = tx.send(m);
        refusals.push(await name(tx.send(msg({ id: 99 }))));
        await send;
        await tx.close();
        refusals.push(await name(tx.send(msg({ id: 98 }))));
      },
    });
    const chat = client.chat();
    await chat.sender.send(msg({ id: 5 }));
    const got: number[] = [];
    for await (const m of chat.receiver) got.push(m.id);
    expect(got).toEqual([5]);
    expect(refusals).toEqual(["ConcurrentRecvError", "ConcurrentSendError", "SendAfterCloseError"]);
  });
});

describe("metadata", () => {
  it("request headers reach ctx.metadata as a copy, with nothing added; -bin values are bytes", async () => {
    let seen: Metadata | undefined;
    const { client } = await start({
      unary: (_req, ctx) => {
        seen = ctx.metadata;
        return msg();
      },
    });
    const metadata = new Metadata({ "x-user": "ada", "x-trace-bin": new Uint8Array([1, 2, 3]) });
    await client.unary(msg(), { metadata });
    expect([...seen!.keys()].sort()).toEqual(["x-trace-bin", "x-user"]);
    expect(seen!.get("x-user")).toBe("ada");
    expect(Buffer.from(seen!.get("x-trace-bin") as Uint8Array)).toEqual(Buffer.from([1, 2, 3]));
    seen!.set("x-user", "changed");
    expect(metadata.get("x-user")).toBe("ada");
  });

  it("response headers: set before the first message go with it; sendHeaders() sends them early; setHeader after is refused", async () => {
    const refused: unknown[] = [];
    const { client } = await start({
      download: async (req, tx, ctx) => {
        ctx.setHeader("x-shape", "download");
        if (req.text === "early") {
          ctx.sendHeaders();
          await sleep(50);
        }
        await tx.send(msg({ id: 1 }));
        try {
          ctx.setHeader("x-late", "no");
        } catch (err) {
          refused.push(err);
        }
        ctx.setTrailer("x-done", "yes");
      },
    });
    const early = client.download(msg({ text: "early" }));
    const headers = await Promise.race([early.headers, sleep(40).then(() => "not yet")]);
    expect(headers).toBeInstanceOf(Metadata);
    expect((headers as Metadata).get("x-shape")).toBe("download");
    expect((await early.receiver.recv())?.id).toBe(1);
    expect(await early.receiver.recv()).toBeUndefined();
    expect((await early.trailers).get("x-done")).toBe("yes");

    const withMessage = client.download(msg());
    expect((await withMessage.headers).get("x-shape")).toBe("download");
    for await (const _ of withMessage.receiver);
    expect(refused).toHaveLength(2);
  });

  it("a failure before any message is trailers-only: empty headers, trailers with the error's metadata", async () => {
    const { client } = await start({
      download: async (_req, _tx, ctx) => {
        ctx.setTrailer("x-trailer", "set");
        throw new RpcError(Code.FAILED_PRECONDITION, "not now", new Metadata({ "x-reason-bin": new Uint8Array([9]) }));
      },
      unary: () => {
        throw new RpcError(Code.ABORTED, "again", new Metadata({ "x-retry": "1" }));
      },
    });
    const call = client.download(msg());
    const err = await rejection(call.receiver.recv());
    expect(err).toEqual(rpcError(Code.FAILED_PRECONDITION, "not now"));
    expect((await call.headers).size).toBe(0);
    const trailers = await call.trailers;
    expect(trailers.get("x-trailer")).toBe("set");
    expect(Buffer.from(trailers.get("x-reason-bin") as Uint8Array)).toEqual(Buffer.from([9]));
    expect((err as RpcError).metadata.get("x-trailer")).toBe("set");

    const seenHeaders: Metadata[] = [];
    const unary = (await rejection(client.unary(msg(), { onHeaders: (md) => seenHeaders.push(md) }))) as RpcError;
    expect(unary.metadata.get("x-retry")).toBe("1");
    expect(seenHeaders.map((h) => h.size)).toEqual([0]);
  });
});

describe("deadlines", () => {
  it("every shape ends with DEADLINE_EXCEEDED on the client, and the handler's signal aborts with it", async () => {
    const records: string[] = [];
    const { client } = await start(recordingHandlers(records));
    const deadline = new Date(Date.now() + 100);
    const calls = [
      client.unary(msg(), { deadline }),
      drain(client.download(msg(), { deadline }).receiver),
      client.upload({ deadline }).response,
      drain(client.chat({ deadline }).receiver),
    ];
    for (const outcome of await Promise.allSettled(calls)) {
      expect(outcome.status).toBe("rejected");
      expect((outcome as PromiseRejectedResult).reason).toEqual(rpcError(Code.DEADLINE_EXCEEDED));
    }
    expect(Date.now()).toBeGreaterThanOrEqual(deadline.getTime());
    expect(await handlerEnds(records, 5)).toEqual(everyShapeEnded("DEADLINE_EXCEEDED", 0));
  });

  it("the handler sees the client's deadline in ctx.deadline", async () => {
    const { client } = await start({ unary: (_req, ctx) => msg({ text: ctx.deadline?.toISOString() ?? "none" }) });
    const deadline = new Date(Date.now() + 60_000);
    expect((await client.unary(msg(), { deadline })).text).toBe(deadline.toISOString());
    expect((await client.unary(msg())).text).toBe("none");
  });
});

async function drain(receiver: AsyncIterable<Msg>): Promise<void> {
  for await (const _ of receiver);
}

describe("cancellation", () => {
  for (const ending of ["cancel", "abort", "break"] as const) {
    it(`bidi ended by ${ending}: CANCELLED on the client at once; the handler's Receiver rejects CANCELLED and its Sender too`, async () => {
      const records: string[] = [];
      const { client } = await start(recordingHandlers(records));
      const ac = new AbortController();
      const call = client.chat({ signal: ac.signal });
      await call.sender.sendAll([msg({ id: 1 }), msg({ id: 2 })]);
      expect((await call.receiver.recv())?.id).toBe(1);
      if (ending === "cancel") call.cancel();
      else if (ending === "abort") ac.abort();
      else for await (const _ of call.receiver) break;
      // The same tick: the client side already ended.
      expect(await rejection(call.sender.send(msg()))).toEqual(rpcError(Code.CANCELLED));
      expect(await eventually(() => records.some((r) => r.startsWith("chat send")))).toBe(true);
      expect(records).toEqual(["chat start", "chat error CANCELLED after 2", "chat send CANCELLED"]);
    });
  }

  it("client streaming cancelled: the upload does not look complete to its handler, whose signal says CANCELLED", async () => {
    const records: string[] = [];
    const { client } = await start(recordingHandlers(records));
    const call = client.upload();
    await call.sender.sendAll([msg({ text: "recv" }), msg()]);
    await call.headers;
    call.cancel(new Error("bye"));
    const err = (await rejection(call.response)) as RpcError;
    expect(err).toEqual(rpcError(Code.CANCELLED));
    expect(err.cause).toEqual(new Error("bye"));
    expect(await eventually(() => records.length === 3)).toBe(true);
    expect(records.sort()).toEqual(["upload error CANCELLED after 2", "upload signal CANCELLED", "upload start"]);
  });

  it("unary and server streaming: an aborted call aborts its handler's signal", async () => {
    const records: string[] = [];
    const { client } = await start(recordingHandlers(records));
    const ac = new AbortController();
    const unary = client.unary(msg(), { signal: ac.signal });
    const download = client.download(msg(), { signal: ac.signal });
    await eventually(() => records.length === 2);
    ac.abort();
    expect(await rejection(unary)).toEqual(rpcError(Code.CANCELLED));
    expect(await rejection(download.receiver.recv())).toEqual(rpcError(Code.CANCELLED));
    expect(await eventually(() => records.length === 4)).toBe(true);
    expect(records.slice(2).sort()).toEqual(["download signal CANCELLED", "unary signal CANCELLED"]);
  });

  it("a call cancelled in the tick it started never runs its handler", async () => {
    let ran = false;
    const { client } = await start({
      chat: async () => {
        ran = true;
      },
    });
    const call = client.chat();
    call.cancel();
    expect(await rejection(call.receiver.recv())).toEqual(rpcError(Code.CANCELLED));
    await sleep(10);
    expect(ran).toBe(false);
  });
});

describe("backpressure and bounded memory", () => {
  it("a handler flooding 10,000 x 64 KiB to a client that never reads: its sends stay pending, memory stays bounded", async () => {
    let sent = 0;
    let ended: unknown;
    const payload = Buffer.alloc(64 * 1024, 1);
    const { client } = await start({
      download: async (_req, tx) => {
        try {
          for (let i = 0; i < 10_000; i++) {
            await tx.send(msg({ payload }));
            sent++;
          }
        } catch (err) {
          ended = err;
        }
      },
    });
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const call = client.download(msg());
    await sleep(300);
    const settled = sent;
    await sleep(200);
    // The pipe, the ClientStream's read-ahead and one in flight: nothing more.
    expect(sent).toBe(settled);
    expect(sent).toBeLessThanOrEqual(2 * PIPE_CAPACITY + 1);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 2 ** 20);
    call.cancel();
    expect(await eventually(() => ended !== undefined)).toBe(true);
    expect(ended).toEqual(rpcError(Code.CANCELLED, "the client cancelled the call"));
  });

  it("a client uploading to a handler that never reads: its sends stay pending until the handler reads", async () => {
    let read: () => void = () => {};
    const reading = new Promise<void>((resolve) => (read = resolve));
    const { client } = await start({
      upload: async (rx) => {
        await reading;
        let n = 0;
        for await (const _ of rx) n++;
        return msg({ count: n });
      },
    });
    const call = client.upload();
    let admitted = 0;
    const sending = (async () => {
      for (let i = 0; i < 200; i++) {
        await call.sender.send(msg({ id: i }));
        admitted++;
      }
      await call.sender.close();
    })();
    await sleep(100);
    const stalled = admitted;
    expect(stalled).toBeLessThan(200);
    // The pipe and the ClientStream's write window, and nothing more.
    expect(stalled).toBeLessThanOrEqual(2 * PIPE_CAPACITY + 1);
    await sleep(50);
    expect(admitted).toBe(stalled);
    read();
    await sending;
    expect((await call.response).count).toBe(200);
  });
});

describe("server shutdown and channel.close()", () => {
  /** One call of each shape, each with its handler running and waiting (its start recorded). */
  async function openRecorded(c: ProbeClient, records: string[]) {
    const calls = await openOneOfEach(c);
    await eventually(() => records.filter((r) => r.endsWith("start")).length === 4);
    return calls;
  }

  for (const how of ["shutdown", "forceShutdown"] as const) {
    it(`${how}(): calls still running end with UNAVAILABLE "server shutting down" on both ends (shutdown: a streaming handler that returns on its signal ends OK); later calls get UNAVAILABLE`, async () => {
      const records: string[] = [];
      const server = createInMemoryServer().add(ProbeService, recordingHandlers(records));
      const channel = createInMemoryChannel(server);
      const client = new ProbeClient(channel);
      const calls = await openRecorded(client, records);
      const stopped = how === "shutdown" ? server.shutdown({ graceMs: 50 }) : server.forceShutdown();
      const outcomes = await calls.outcomes();
      await stopped;
      // shutdown() tells streaming handlers at once: the download handler returns on its signal, OK.
      const [unary, download, ...rest] = outcomes;
      expect(download).toEqual(how === "shutdown" ? "resolved" : rpcError(Code.UNAVAILABLE, "server shutting down"));
      for (const err of [unary, ...rest]) expect(err).toEqual(rpcError(Code.UNAVAILABLE, "server shutting down"));
      expect(await handlerEnds(records, 5)).toEqual(everyShapeEnded("UNAVAILABLE", 1));
      expect(await rejection(client.unary(msg()))).toEqual(rpcError(Code.UNAVAILABLE));
      expect(await rejection(client.chat().receiver.recv())).toEqual(rpcError(Code.UNAVAILABLE));
      channel.close();
    });
  }

  it("shutdown() waits for calls that finish within the grace period, and they end OK", async () => {
    const { client, server } = await start({
      unary: async () => {
        await sleep(50);
        return msg({ text: "done" });
      },
    });
    const call = client.unary(msg());
    await sleep(5);
    await server.shutdown({ graceMs: 2000 });
    expect((await call).text).toBe("done");
  });

  it("channel.close() ends every open call with CANCELLED \"channel closed\", the server sees each cancel, and new calls fail", async () => {
    const records: string[] = [];
    const { client, channel } = await start(recordingHandlers(records));
    const calls = await openRecorded(client, records);
    channel.close();
    const outcomes = [...(await calls.outcomes()), await rejection(calls.chat.sender.send(msg()))];
    for (const err of outcomes) expect(err).toEqual(rpcError(Code.CANCELLED, "channel closed"));
    expect(await handlerEnds(records, 5)).toEqual(everyShapeEnded("CANCELLED", 1));
    expect(await rejection(client.unary(msg()))).toEqual(rpcError(Code.CANCELLED));
    await expect(channel.waitForReady(Date.now() + 100)).rejects.toThrow();
  });

  it("waitForReady resolves while the server serves, and rejects at the deadline once it was shut down", async () => {
    const { channel, server } = await start({});
    await channel.waitForReady(Date.now() + 1000);
    server.forceShutdown();
    await expect(channel.waitForReady(Date.now() + 20)).rejects.toThrow();
  });
});

describe("events are delivered asynchronously, never inside the caller's write, startRead or cancel", () => {
  it("on a raw transport call", async () => {
    const server = createInMemoryServer().add(ProbeService, {
      unary: (req) => req,
      download: async () => {},
      upload: async () => msg(),
      chat: echo,
    });
    const channel = createInMemoryChannel(server);
    const events: string[] = [];
    const listener: TransportCallListener = {
      onHeaders: () => events.push("headers"),
      onMessage: (frame) => events.push(`message ${decodeMsg(frame).id}`),
      onStatus: (code) => events.push(`status ${Code[code]}`),
    };
    const call = channel.transport.startCall(ProbeService.methods.chat.path, resolveCallOptions(undefined, undefined), listener);
    let written = false;
    call.write(Buffer.from(encodeMsg(msg({ id: 3 }))), () => (written = true));
    expect(written).toBe(false);
    await sleep(0);
    expect(written).toBe(true);
    // The handler echoed meanwhile: its headers came, its message waits for a read.
    expect(events).toEqual(["headers"]);
    call.startRead();
    expect(events).toEqual(["headers"]);
    expect(await eventually(() => events.length === 2)).toBe(true);
    expect(events).toEqual(["headers", "message 3"]);
    call.cancel(Code.CANCELLED, "bye");
    expect(events).toHaveLength(2);
    await sleep(0);
    expect(events).toEqual(["headers", "message 3", "status CANCELLED"]);

    const unknown = channel.transport.startCall("/no.Such/Method", resolveCallOptions(undefined, undefined), listener);
    unknown.startRead();
    expect(events).toHaveLength(3);
    await sleep(0);
    expect(events[3]).toBe("status UNIMPLEMENTED");
    channel.close();
    expect(() => channel.transport.startCall(ProbeService.methods.chat.path, resolveCallOptions(undefined, undefined), listener)).toThrow();
    server.forceShutdown();
  });
});

describe("no sockets", () => {
  it("a server, a channel and calls of every shape open no TCP handle", async () => {
    const tcp = () => process.getActiveResourcesInfo().filter((r) => r.startsWith("TCP")).length;
    const before = tcp();
    const { client } = await start({ unary: (req) => req, chat: echo });
    await client.unary(msg());
    const chat = client.chat();
    await chat.sender.send(msg());
    await chat.receiver.recv();
    expect(tcp()).toBe(before);
    await chat.sender.close();
  });
});
