// A cancelled or timed-out call never looks like a successful one, on either end. These are races:
// each case runs RUNS times, across a process boundary where the timing of the two ends matters.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, createChannel, createServer, RpcError, type Channel, type Server } from "safestub";
import type { Msg } from "../helpers/probe.js";
import { ProbeClient, ProbeService } from "@backend/probe.js";
import { startChild, type ChildServer } from "../helpers/child.js";
import { msg, sleep } from "../helpers/probe.js";
import { openOneOfEach, rejection } from "../helpers/one-of-each.js";
import { recordingHandlers } from "../helpers/recording-server.js";

const RUNS = 20;

/** The records of a recording server, fetched through its "report" unary call. */
class Records {
  readonly #client: ProbeClient;
  readonly seen: string[] = [];
  constructor(client: ProbeClient) {
    this.#client = client;
  }
  async fetch(): Promise<string[]> {
    const res = await this.#client.unary(msg({ text: "report" }), { timeoutMs: 5000 });
    this.seen.push(...(JSON.parse(res.text) as string[]));
    return this.seen;
  }
  /** Polls until `count` records match `pattern` (bounded by 5 s); returns the matching ones. */
  async waitFor(pattern: RegExp, count: number): Promise<string[]> {
    const end = Date.now() + 5000;
    for (;;) {
      const matching = (await this.fetch()).filter((r) => pattern.test(r));
      if (matching.length >= count || Date.now() > end) return matching;
      await sleep(10);
    }
  }
  clear(): void {
    this.seen.length = 0;
  }
}

const isCode = (code: Code) => (err: unknown) => err instanceof RpcError && err.code === code;


let child: ChildServer;
let channel: Channel;
let client: ProbeClient;
let records: Records;
beforeAll(async () => {
  child = await startChild("test/helpers/recording-server.ts");
  channel = createChannel(`http://127.0.0.1:${child.port}`);
  client = new ProbeClient(channel);
  records = new Records(client);
});
afterAll(async () => {
  channel.close();
  await child.kill();
});

type Ending = "cancel" | "abort" | "break";
/** Starts a streaming call whose caller ends it the way `ending` says, after one message went out and back. */
function endings(shape: "upload" | "chat"): Ending[] {
  return shape === "chat" ? ["cancel", "abort", "break"] : ["cancel", "abort"];
}

describe("a call the caller ended rejects every later send, sendAll and close in the same tick (11.1)", () => {
  for (const shape of ["upload", "chat"] as const) {
    for (const ending of endings(shape)) {
      it(`${shape}, ended by ${ending}: CANCELLED with the reason as cause, and nothing more reaches the server`, async () => {
        records.clear();
        for (let run = 0; run < RUNS; run++) {
          const ac = new AbortController();
          const call = shape === "upload" ? client.upload({ signal: ac.signal }) : client.chat({ signal: ac.signal });
          await call.sender.send(msg({ id: 1 }));
          await call.headers; // the handler runs
          const reason = new Error(`run ${run}`);
          if (ending === "cancel") call.cancel(reason);
          else if (ending === "abort") ac.abort(reason);
          else if ("receiver" in call) for await (const _ of call.receiver) break;
          // The same tick: no await between the end and these.
          const send = call.sender.send(msg({ id: 2 }));
          const results = [await rejection(send), await rejection(call.sender.sendAll([msg({ id: 3 })])), await rejection(call.sender.close())];
          for (const err of results) {
            expect(err, `run ${run}`).toBeInstanceOf(RpcError);
            expect((err as RpcError).code).toBe(Code.CANCELLED);
            if (ending !== "break") expect((err as RpcError).cause).toBe(reason);
          }
        }
        const ends = await records.waitFor(new RegExp(`^${shape} (complete|error)`), RUNS);
        expect(ends).toEqual(Array.from({ length: RUNS }, () => `${shape} error CANCELLED after 1`));
      });
    }
  }
});

describe("a handler tells a cancelled request stream from a complete one (11.2)", () => {
  for (const shape of ["upload", "chat"] as const) {
    for (const ending of [...endings(shape), "deadline", "half-close"] as const) {
      const expected = ending === "half-close" ? `${shape} complete 2` : `${shape} error ${ending === "deadline" ? "DEADLINE_EXCEEDED" : "CANCELLED"} after 2`;
      it(`${shape}, ${ending}: the handler's receive loop ends with "${expected}"`, async () => {
        records.clear();
        for (let run = 0; run < RUNS; run++) {
          const ac = new AbortController();
          const options = ending === "deadline" ? { timeoutMs: 150 } : { signal: ac.signal };
          const call = shape === "upload" ? client.upload(options) : client.chat(options);
          // recv() on odd runs, for-await on even ones (the first message says which).
          await call.sender.sendAll([msg({ id: 1, text: run % 2 ? "recv" : "" }), msg({ id: 2 })]);
          // The handler runs and has read the first message.
          if ("receiver" in call) await call.receiver.recv();
          else await call.headers;
          if (ending === "cancel") call.cancel();
          else if (ending === "abort") ac.abort();
          else if (ending === "break" && "receiver" in call) for await (const _ of call.receiver) break;
          else if (ending === "half-close") await call.sender.close();
          const outcome = "response" in call ? call.response : drain(call.receiver);
          const err = await outcome.then(
            () => undefined,
            (e: unknown) => e,
          );
          if (ending === "half-close") expect(err, `run ${run}`).toBeUndefined();
          else expect(err, `run ${run}`).toBeInstanceOf(RpcError);
        }
        const ends = await records.waitFor(new RegExp(`^${shape} (complete|error)`), RUNS);
        expect(ends).toEqual(Array.from({ length: RUNS }, () => expected));
        if (shape === "chat" && ending !== "half-close") {
          // Sends from the handler after the client left reject too.
          const sends = await records.waitFor(/^chat send/, RUNS);
          expect(sends).toEqual(Array.from({ length: RUNS }, () => `chat send ${ending === "deadline" ? "DEADLINE_EXCEEDED" : "CANCELLED"}`));
        }
      });
    }
  }
});

async function drain(receiver: AsyncIterable<Msg>): Promise<void> {
  for await (const _ of receiver);
}

describe("the server's reason for a passed deadline is DEADLINE_EXCEEDED (11.3)", () => {
  it("for every call shape, every run", async () => {
    records.clear();
    for (let run = 0; run < RUNS; run++) {
      // Long enough that a loaded machine's scheduling delays stay within the server's slack.
      const options = { timeoutMs: 300 };
      const calls: Promise<unknown>[] = [
        client.unary(msg(), options),
        drain(client.download(msg(), options).receiver),
        client.upload(options).response,
        drain(client.chat(options).receiver),
      ];
      for (const outcome of await Promise.allSettled(calls)) {
        expect(outcome.status).toBe("rejected");
        expect(isCode(Code.DEADLINE_EXCEEDED)((outcome as PromiseRejectedResult).reason)).toBe(true);
      }
    }
    for (const shape of ["unary", "download", "upload"]) {
      const signals = await records.waitFor(new RegExp(`^${shape} signal`), RUNS);
      expect(signals).toEqual(Array.from({ length: RUNS }, () => `${shape} signal DEADLINE_EXCEEDED`));
    }
    const chats = await records.waitFor(/^chat error/, RUNS);
    expect(chats).toEqual(Array.from({ length: RUNS }, () => "chat error DEADLINE_EXCEEDED after 0"));
  });
});

describe("channel.close() ends every open call (11.4)", () => {
  it("each shape rejects with CANCELLED \"channel closed\" and the server sees the cancel", async () => {
    records.clear();
    for (let run = 0; run < RUNS; run++) {
      const own = createChannel(`http://127.0.0.1:${child.port}`);
      const calls = await openOneOfEach(new ProbeClient(own));
      own.close();
      const outcomes = [...(await calls.outcomes()), await rejection(calls.chat.sender.send(msg()))];
      for (const err of outcomes) {
        expect(err, `run ${run}`).toBeInstanceOf(RpcError);
        expect((err as RpcError).code).toBe(Code.CANCELLED);
        expect((err as RpcError).details).toBe("channel closed");
      }
    }
    expect(await records.waitFor(/^unary signal CANCELLED/, RUNS)).toHaveLength(RUNS);
    expect(await records.waitFor(/^download signal CANCELLED/, RUNS)).toHaveLength(RUNS);
    expect(await records.waitFor(/^upload error CANCELLED/, RUNS)).toHaveLength(RUNS);
    expect(await records.waitFor(/^chat error CANCELLED/, RUNS)).toHaveLength(RUNS);
  });
});

describe("sendAll over an async source settles when the call ends while the source is parked (11.5)", () => {
  for (const shape of ["upload", "chat"] as const) {
    it(`${shape}: sendAll rejects at once and the source's return() is called`, async () => {
      for (let run = 0; run < RUNS; run++) {
        let returned = false;
        let pulled = 0;
        const source: AsyncIterable<Msg> = {
          [Symbol.asyncIterator]: () => ({
            next: () => (pulled++ === 0 ? Promise.resolve({ done: false, value: msg({ id: 1 }) }) : new Promise<never>(() => {})),
            return: async () => {
              returned = true;
              return { done: true, value: undefined };
            },
          }),
        };
        const call = shape === "upload" ? client.upload() : client.chat();
        const sending = call.sender.sendAll(source);
        await sleep(5);
        call.cancel();
        const err = await rejection(sending);
        expect(isCode(Code.CANCELLED)(err), `run ${run}: ${String(err)}`).toBe(true);
        expect(returned).toBe(true);
      }
    });
  }
});

describe("graceful shutdown ends what is left with UNAVAILABLE (11.6)", () => {
  it("streaming handlers see \"server shutting down\" at once (one that returns ends OK), the rest end UNAVAILABLE after the grace", async () => {
    for (let run = 0; run < RUNS; run++) {
      const seen: string[] = [];
      const server: Server = createServer().add(ProbeService, recordingHandlers(seen));
      const port = await server.listen("127.0.0.1:0");
      const own = createChannel(`http://127.0.0.1:${port}`);
      const calls = await openOneOfEach(new ProbeClient(own));
      const stopped = server.shutdown({ graceMs: 50 });
      // The streaming handlers are told at the start of the grace, the unary one is not.
      expect(seen.filter((r) => / signal /.test(r)).sort(), `run ${run}`).toEqual(["download signal UNAVAILABLE", "upload signal UNAVAILABLE"]);
      const [unary, download, upload, chat] = await calls.outcomes();
      await stopped;
      own.close();
      // The download handler returns on its signal: its stream ends OK (recv() resolves, no error).
      expect(download, `run ${run}`).toBe("resolved");
      for (const err of [unary, upload, chat]) {
        expect(err, `run ${run}`).toBeInstanceOf(RpcError);
        expect((err as RpcError).code).toBe(Code.UNAVAILABLE);
        expect((err as RpcError).details).toBe("server shutting down");
      }
      expect(seen.filter((r) => / (signal|error) /.test(r)).sort()).toEqual(["chat error UNAVAILABLE after 1", "download signal UNAVAILABLE", "unary signal UNAVAILABLE", "upload error UNAVAILABLE after 1", "upload signal UNAVAILABLE"]);
    }
  });
});

describe("handler and request bugs are reported where someone looks (11.7, 11.8)", () => {
  let server: Server;
  let own: Channel;
  let c: ProbeClient;
  const logged: unknown[] = [];
  beforeAll(async () => {
    server = createServer({ onHandlerError: (err) => logged.push(err) }).add(ProbeService, {
      unary: () => undefined as never,
      download: async () => {},
      upload: async () => ({ id: "not a number" }) as never,
      chat: async () => {},
    });
    own = createChannel(`http://127.0.0.1:${await server.listen("127.0.0.1:0")}`);
    c = new ProbeClient(own);
  });
  afterAll(() => {
    own.close();
    server.forceShutdown();
  });

  it("a unary or client-streaming handler whose response does not encode: INTERNAL to the client, the cause to onHandlerError", async () => {
    logged.length = 0;
    const unary = await rejection(c.unary(msg()));
    expect(isCode(Code.INTERNAL)(unary)).toBe(true);
    const upload = c.upload();
    await upload.sender.close();
    expect(isCode(Code.INTERNAL)(await rejection(upload.response))).toBe(true);
    expect(logged).toHaveLength(2);
    for (const cause of logged) expect(cause).toBeInstanceOf(Error);
  });

  it("a request that does not encode rejects through the call's promises for unary and server streaming, and never reaches the wire", async () => {
    const bad = null as never;
    const unary = await rejection(c.unary(bad));
    expect(isCode(Code.INTERNAL)(unary)).toBe(true);
    expect((unary as RpcError).details).toMatch(/failed to encode the request/);
    let call: ReturnType<ProbeClient["download"]> | undefined;
    expect(() => (call = c.download(bad))).not.toThrow();
    const err = await rejection(call!.receiver.recv());
    expect(isCode(Code.INTERNAL)(err)).toBe(true);
    expect((err as RpcError).details).toMatch(/failed to encode the request/);
    expect([...(await call!.headers).keys()]).toEqual([]);
  });
});

describe("a call cancelled in the tick it was created ends on the wire too (11.9)", () => {
  type Way = "cancel()" | "await using" | "abort";
  const ways: Way[] = ["cancel()", "await using", "abort"];
  for (const shape of ["download", "upload", "chat"] as const) {
    it(`${shape}: every handler that started sees the cancel, whichever way the call was cancelled`, async () => {
      records.clear();
      await client.unary(msg({ text: "report" })); // connected, so the call starts at once
      for (let run = 0; run < RUNS; run++) {
        for (const way of ways) {
          const ac = new AbortController();
          const start = () => (shape === "download" ? client.download(msg(), { signal: ac.signal }) : shape === "upload" ? client.upload({ signal: ac.signal }) : client.chat({ signal: ac.signal }));
          if (way === "await using") {
            await using _call = start();
          } else {
            const call = start();
            if (way === "cancel()") call.cancel();
            else ac.abort();
          }
        }
      }
      await sleep(100);
      const all = await records.fetch();
      const started = all.filter((r) => r === `${shape} start`).length;
      const ended = await records.waitFor(new RegExp(`^${shape} ${shape === "download" ? "signal" : "error"}`), started);
      expect(ended.length).toBe(started);
      for (const r of ended) expect(r).toMatch(/CANCELLED/);
    });
  }

  it("unary: a call whose signal was aborted in the tick it started ends for its handler too", async () => {
    records.clear();
    await client.unary(msg({ text: "report" }));
    for (let run = 0; run < RUNS; run++) {
      const ac = new AbortController();
      const call = client.unary(msg(), { signal: ac.signal });
      ac.abort();
      expect(isCode(Code.CANCELLED)(await rejection(call))).toBe(true);
    }
    await sleep(100);
    const started = (await records.fetch()).filter((r) => r === "unary start").length;
    const ended = await records.waitFor(/^unary signal/, started);
    expect(ended).toEqual(Array.from({ length: started }, () => "unary signal CANCELLED"));
  });

  it("with max_concurrent_streams 5 on the server, 3 x 20 such calls leave the channel usable", async () => {
    const limited = await startChild("test/helpers/recording-server.ts", ["--max-streams", "5"]);
    const own = createChannel(`http://127.0.0.1:${limited.port}`);
    try {
      const c = new ProbeClient(own);
      await c.unary(msg({ text: "report" }), { timeoutMs: 5000 });
      for (let i = 0; i < 20; i++) {
        c.download(msg()).cancel();
        c.upload().cancel();
        c.chat().cancel();
      }
      await sleep(100);
      // Streams that were opened and never reset would hold all 5 slots: this call would hang.
      const res = await c.unary(msg({ text: "report" }), { timeoutMs: 3000 });
      expect(res.text).toMatch(/^\[/);
    } finally {
      own.close();
      await limited.kill();
    }
  });
});
