// @bufbuild/protobuf's wire primitives, for rich error details. As ES modules this is the copy that
// ts-proto's and protobuf-es's generated code import too. The published CommonJS bundle replaces this
// module with a require() on first use (scripts/bundle-runtime.mjs): loaded at start, it would be a
// second, CommonJS copy of @bufbuild/protobuf next to the users' ES module one, about 0.3 MB of heap
// per process for a path most calls never take (bench/RESULTS.md, Server).
import * as wire from "@bufbuild/protobuf/wire";

export type Wire = typeof wire;

export function protobufWire(): Wire {
  return wire;
}
