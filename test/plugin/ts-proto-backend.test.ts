// Unit tests of the ts-proto message backend (no protoc, no files): what it
// imports for a message, from where, and which output names it refuses.
import { create, createFileRegistry, type DescFile, type DescMessage } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import type { GeneratedFile } from "@bufbuild/protoplugin";
import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { tsProtoOptionNames } from "../../plugin/messages/ts-proto-options.js";
import { tsProtoBackend } from "../../plugin/messages/ts-proto.js";
import { parseTsProtoOptions } from "./helpers.js";

/** Two files: `shop/v1/shop.proto` with `Order` and its nested `Line_item`, and `shop/v1/shop_grpc.proto`. */
function files(): { shop: DescFile; shopGrpc: DescFile; lineItem: DescMessage } {
  const file = (name: string, messages: string[]) =>
    create(FileDescriptorProtoSchema, { name, syntax: "proto3", package: "shop.v1", messageType: messages.map((m) => ({ name: m, nestedType: m === "Order" ? [{ name: "Line_item" }] : [] })) });
  const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: [file("shop/v1/shop.proto", ["Order"]), file("shop/v1/shop_grpc.proto", ["Other"])] }));
  return { shop: registry.getFile("shop/v1/shop.proto")!, shopGrpc: registry.getFile("shop/v1/shop_grpc.proto")!, lineItem: registry.getMessage("shop.v1.Order.Line_item")! };
}

/** A GeneratedFile that only records what it is asked to import. */
const recordingFile = { import: (name: string, from: string, typeOnly = false) => ({ name, from, typeOnly }) } as unknown as GeneratedFile;

describe("ts-proto message backend", () => {
  const { shop, shopGrpc, lineItem } = files();

  it("imports the message's ts-proto name, type-only for the type and as a value for the codec, wrapped in the runtime's adapter", () => {
    const backend = tsProtoBackend.create(parseTsProtoOptions([]));
    expect(backend.messageType(recordingFile, lineItem)).toEqual({ name: "Order_LineItem", from: "./shop/v1/shop.js", typeOnly: true });
    expect(backend.messageCodec(recordingFile, lineItem, "safestub")).toEqual([
      { name: "tsProtoCodec", from: "safestub", typeOnly: false },
      "(",
      { name: "Order_LineItem", from: "./shop/v1/shop.js", typeOnly: false },
      ")",
    ]);
  });

  it("follows the naming and path options, as ts-proto does", () => {
    const backend = tsProtoBackend.create(parseTsProtoOptions(["useSnakeTypeName=false", "typePrefix=T", "fileSuffix=.pb"]));
    expect((backend.messageCodec(recordingFile, lineItem, "safestub") as unknown[])[2]).toMatchObject({ name: "TOrderLineItem", from: "./shop/v1/shop.pb.js" });
    const mapped = tsProtoBackend.create(parseTsProtoOptions(["Mshop/v1/shop.proto=@acme/shop"]));
    expect(mapped.messageType(recordingFile, lineItem)).toMatchObject({ from: "@acme/shop" });
  });

  it("refuses an output name ts-proto writes too, and only that", () => {
    const backend = tsProtoBackend.create(parseTsProtoOptions([]));
    expect(() => backend.checkOutputs(shop, ["shop/v1/shop_grpc.ts"], [shop, shopGrpc])).toThrow(
      "shop/v1/shop.proto: safestub would write shop/v1/shop_grpc.ts, which ts-proto writes for shop/v1/shop_grpc.proto; rename one of the two files or give both plugins a fileSuffix",
    );
    // ts-proto only writes .ts files; with a fileSuffix its file is shop_grpc.pb.ts.
    expect(() => backend.checkOutputs(shop, ["shop/v1/shop_grpc.js"], [shop, shopGrpc])).not.toThrow();
    const suffixed = tsProtoBackend.create(parseTsProtoOptions(["fileSuffix=.pb"]));
    expect(() => suffixed.checkOutputs(shop, ["shop/v1/shop_grpc.ts"], [shop, shopGrpc])).not.toThrow();
  });

  it("owns only ts-proto's options", () => {
    const options = tsProtoBackend.defaultOptions();
    expect(tsProtoBackend.parseOption(options, "runtime_import", "x")).toBe(false);
    expect(tsProtoBackend.parseOption(options, "bogus", "1")).toBe(false);
    expect(options).toEqual(tsProtoBackend.defaultOptions());
  });

  it("takes exactly the options the installed ts-proto takes", () => {
    // ts-proto's own list of options: the keys of its defaultOptions().
    const { defaultOptions } = createRequire(import.meta.url)("ts-proto/build/src/options.js") as { defaultOptions(): object };
    expect([...tsProtoOptionNames].sort()).toEqual(Object.keys(defaultOptions()).sort());
    const options = tsProtoBackend.defaultOptions();
    for (const name of tsProtoOptionNames.filter((n) => n !== "M")) expect(tsProtoBackend.parseOption(options, name, "true"), name).toBe(true);
  });
});
