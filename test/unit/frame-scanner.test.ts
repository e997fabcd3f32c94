import { describe, expect, it } from "vitest";
import { FrameScanner } from "../../runtime/transport/grpc-js/frame-scanner.js";
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
});
