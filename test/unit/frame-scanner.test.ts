import { describe, expect, it } from "vitest";
import { FLAGS_KEPT, FrameScanner } from "../../runtime/transport/grpc-js/frame-scanner.js";
import { frame, truncatedFrame } from "../helpers/raw-http2.js";

/** Feeds `bytes` to a new scanner in chunks of `size` bytes. */
function scan(bytes: Buffer, size: number): FrameScanner {
  const scanner = new FrameScanner();
  for (let at = 0; at < bytes.length; at += size) scanner.push(bytes.subarray(at, at + size));
  return scanner;
}

describe("FrameScanner", () => {
  const whole = Buffer.concat([frame(Buffer.from("abc")), frame(Buffer.alloc(0)), frame(Buffer.from("defgh"), { compressed: true })]);

  it.each([1, 2, 5, 7, whole.length])("counts whole messages and finds the compressed one, in chunks of %i bytes", (size) => {
    const scanner = scan(whole, size);
    expect(scanner.complete).toBe(3);
    expect(scanner.firstCompressed).toBe(2);
    expect(scanner.cutShort()).toBeUndefined();
  });

  it.each([1, 3, 100])("says where a stream stopped inside a message, in chunks of %i bytes", (size) => {
    const scanner = scan(Buffer.concat([frame(Buffer.from("abc")), truncatedFrame(Buffer.from("de"))]), size);
    expect(scanner.complete).toBe(1);
    expect(scanner.cutShort()).toEqual({ expected: 12, received: 2 });
  });

  it("takes a stream that stopped inside a prefix as cut short", () => {
    expect(scan(frame(Buffer.from("abc")).subarray(0, 3), 1).cutShort()).toEqual({ expected: 0, received: 0 });
  });

  it.each([1, 4, whole.length])("tells each message's compressed flag by index, in chunks of %i bytes; undefined before its prefix came", (size) => {
    const scanner = scan(whole, size);
    expect([0, 1, 2].map((i) => scanner.compressed(i))).toEqual([false, false, true]);
    expect(scanner.compressed(3)).toBeUndefined();
    expect(scanner.compressed(-1)).toBeUndefined();
    // A prefix of a fourth message: its flag is known before its body.
    scanner.push(frame(Buffer.from("xyz"), { compressed: true }).subarray(0, 5));
    expect(scanner.compressed(3)).toBe(true);
  });

  it("answers false for every message of a stream that never set the flag, and keeps the last FLAGS_KEPT flags of one that did", () => {
    const plain = scan(Buffer.concat(Array.from({ length: 10 }, () => frame(Buffer.from("a")))), 3);
    expect(Array.from({ length: 10 }, (_, i) => plain.compressed(i))).toEqual(Array(10).fill(false));
    const scanner = new FrameScanner();
    const total = FLAGS_KEPT + 10;
    for (let i = 0; i < total; i++) scanner.push(frame(Buffer.alloc(0), { compressed: i % 3 === 0 }));
    expect(scanner.compressed(9)).toBeUndefined(); // more than FLAGS_KEPT back
    for (const i of [10, 11, 12, total - 3, total - 2, total - 1]) expect(scanner.compressed(i), `message ${i}`).toBe(i % 3 === 0);
  });
});
