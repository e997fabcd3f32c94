import { describe, expect, it } from "vitest";
import type { ServerCall } from "../../runtime/server/call.js";
import { LiveCalls } from "../../runtime/server/live-calls.js";

/** Stand-ins for calls: LiveCalls reads and writes only `liveSlot`. */
const calls = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `c${i}`, liveSlot: -1 }) as unknown as ServerCall & { name: string });
const names = (list: ServerCall[]) => list.map((c) => (c as unknown as { name: string }).name).sort();

describe("LiveCalls", () => {
  it("keeps every call added until it is deleted, whichever order they go in", () => {
    const live = new LiveCalls();
    const [a, b, c, d] = calls(4);
    live.add(a!, false);
    live.add(b!, true);
    live.add(c!, false);
    live.add(d!, true);
    expect(names(live.all())).toEqual(["c0", "c1", "c2", "c3"]);
    expect(names(live.streaming())).toEqual(["c1", "c3"]);
    live.delete(b!); // the last call moves into b's place, with its streaming flag
    expect(names(live.all())).toEqual(["c0", "c2", "c3"]);
    expect(names(live.streaming())).toEqual(["c3"]);
    expect(b!.liveSlot).toBe(-1);
    live.delete(d!);
    live.delete(a!);
    expect(names(live.all())).toEqual(["c2"]);
    expect(c!.liveSlot).toBe(0);
    live.delete(c!);
    expect(live.all()).toEqual([]);
  });

  it("ignores a call deleted twice, or never added", () => {
    const live = new LiveCalls();
    const [a, b, stranger] = calls(3);
    live.add(a!, true);
    live.add(b!, false);
    live.delete(a!);
    live.delete(a!);
    live.delete(stranger!);
    expect(names(live.all())).toEqual(["c1"]);
    expect(b!.liveSlot).toBe(0);
  });

  it("stays consistent over many random adds and deletes", () => {
    const live = new LiveCalls();
    const pool = calls(200);
    const inside = new Set<ServerCall>();
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let step = 0; step < 5000; step++) {
      const call = pool[Math.floor(random() * pool.length)]!;
      if (inside.has(call)) {
        live.delete(call);
        inside.delete(call);
      } else {
        live.add(call, random() < 0.5);
        inside.add(call);
      }
    }
    expect(names(live.all())).toEqual(names([...inside]));
    live.all().forEach((call, slot) => expect(call.liveSlot).toBe(slot));
  });
});
