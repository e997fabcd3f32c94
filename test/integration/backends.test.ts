import { describe, expect, it } from "vitest";
import { defaultKillLoad, runKillLoad, type StreamOutcome } from "../helpers/kill-load.js";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("one channel over three backend processes (ipv4: target, round_robin, retryPolicy)", () => {
  it("a backend SIGKILLed mid-load: 0 failed unary calls over 16 KiB, its streams end UNAVAILABLE, the others lose and repeat nothing", { timeout: 120_000 }, async () => {
    const result = await runKillLoad(defaultKillLoad);
    const others = result.ports.filter((p) => p !== result.killedPort);

    // 3,000 unary calls of 32 KiB, 8 in flight: the retry policy moves every call the kill hit.
    expect(result.unaryFailures).toEqual({});
    expect(result.unaryOk).toBe(defaultKillLoad.calls);
    expect(result.unaryMismatched).toBe(0);
    for (const port of result.ports) expect(result.unaryByBackend[port]).toBeGreaterThan(0);
    // After the kill only the two survivors answer: far fewer calls reached the killed one.
    expect(result.unaryByBackend[result.killedPort]).toBeLessThan(defaultKillLoad.calls / 3);

    // 50 streams, spread over all three backends by round_robin.
    const on = (port: number) => result.streams.filter((s) => s.backend === port);
    expect(result.streams).toHaveLength(defaultKillLoad.streams);
    for (const port of result.ports) expect(on(port).length).toBeGreaterThanOrEqual(10);

    const inOrderPrefix = (s: StreamOutcome) => expect(s.received).toEqual(range(s.received.length));
    for (const s of on(result.killedPort)) {
      expect(s.end).toBe("UNAVAILABLE");
      inOrderPrefix(s);
      expect(s.received.length).toBeLessThanOrEqual(s.sent + 1);
    }
    for (const s of others.flatMap(on)) {
      expect(s.end).toBe("OK");
      expect(s.received).toEqual(range(s.sent)); // every message echoed exactly once, in order
      expect(s.sent).toBeGreaterThan(s.sentAtKill); // and they carried on after the kill
    }
  });
});
