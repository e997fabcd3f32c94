import { afterEach, describe, expect, it } from "vitest";
import { Code, createChannel, RpcError, type Channel } from "safestub";
import { messages } from "@backend/messages.js";
import { ProbeClient } from "@backend/probe.js";
import { startChild, type ChildServer } from "../helpers/child.js";
import { msg, sleep } from "../helpers/probe.js";

let child: ChildServer | undefined;
let channel: Channel | undefined;
afterEach(async () => {
  channel?.close();
  await child?.kill();
  child = undefined;
  channel = undefined;
});

async function connect(): Promise<ProbeClient> {
  child = await startChild("test/helpers/probe-server.ts");
  channel = createChannel(`http://127.0.0.1:${child.port}`);
  return new ProbeClient(channel);
}

describe("client and server in two processes", () => {
  it("a server flooding 2,000 x 64 KiB to a client that never reads keeps both processes' memory bounded", async () => {
    const client = await connect();
    const before = await client.unary(msg());
    // The child server runs on this suite's message backend too.
    expect(before.text).toBe(messages);
    global.gc?.();
    const clientRssBefore = process.memoryUsage().rss;
    const call = client.download(msg({ count: 2000, size: 64 * 1024 }));
    // Wait until the server's sends stall (no progress for 300 ms), bounded by 15 s.
    let stats = await client.unary(msg());
    for (let i = 0, last = -1; i < 50 && stats.count !== last; i++) {
      last = stats.count;
      await sleep(300);
      stats = await client.unary(msg());
    }
    expect(stats.count).toBeGreaterThan(0);
    // 2,000 x 64 KiB is 125 MiB: only windows and small buffers may be in flight.
    expect(stats.count).toBeLessThan(200);
    expect(stats.size - before.size).toBeLessThan(64);
    expect(process.memoryUsage().rss - clientRssBefore).toBeLessThan(64 * 2 ** 20);
    call.cancel();
    await expect(call.receiver.recv()).rejects.toMatchObject({ code: Code.CANCELLED });
  });

  // A server SIGKILLed mid-stream, for every streaming shape: test/integration/fault-matrix.test.ts.

  it("a server shut down gracefully lets a running stream finish", async () => {
    const client = await connect();
    const chat = client.chat();
    await chat.sender.send(msg({ id: 7 }));
    expect((await chat.receiver.recv())?.id).toBe(7);
    child!.process.kill("SIGTERM");
    await sleep(100);
    await chat.sender.send(msg({ id: 8 }));
    expect((await chat.receiver.recv())?.id).toBe(8);
    await chat.sender.close();
    await expect(chat.receiver.recv()).resolves.toBeUndefined();
  });
});
