// The reflection descriptors through both ways users run the plugin: `protoc --plugin=protoc-gen-safestub`
// and `buf generate`, on a file that imports google/api/annotations.proto (from google-proto-files)
// and a well-known type. For each: the embedded FileDescriptorProtos are the compiler's own (its
// descriptor set, less source info), the well-known types are left out, and the generated service,
// served with safestub/reflection over loopback, is described completely enough for an independent
// client to resolve its method's google.api.http option, as grpcurl would.
import { clone, equals, fromBinary, getExtension, type DescExtension } from "@bufbuild/protobuf";
import { base64Decode } from "@bufbuild/protobuf/wire";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema, type FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type EmbeddedFile, type Server, type ServiceDefinition } from "safestub";
import { addReflection } from "safestub/reflection";
import { RawReflectionClient, registryFor } from "../helpers/reflection-client.js";
import { bufBin, bufGenerate, freshDir, root, run, safestubBin, tsProtoBin, tsProtoOptions } from "./helpers.js";

const shopProto = `syntax = "proto3";
package shop.v1;
import "google/api/annotations.proto";
import "google/protobuf/timestamp.proto";
service Shop {
  rpc GetItem(GetItemRequest) returns (Item) {
    option (google.api.http) = { get: "/v1/items/{name}" };
  }
}
message GetItemRequest { string name = 1; }
message Item { string name = 1; google.protobuf.Timestamp created = 2; }
`;

let base: string;
let src: string;

beforeAll(() => {
  base = freshDir("reflection-paths");
  src = join(base, "src");
  mkdirSync(join(src, "shop/v1"), { recursive: true });
  mkdirSync(join(src, "google/api"), { recursive: true });
  writeFileSync(join(src, "shop/v1/shop.proto"), shopProto);
  for (const f of ["annotations.proto", "http.proto"]) copyFileSync(join(root, "node_modules/google-proto-files/google/api", f), join(src, "google/api", f));
});

/** Generates with protoc and returns the output dir and protoc's own descriptor set of the same files. */
function viaProtoc(): { out: string; image: FileDescriptorProto[] } {
  const out = join(base, "protoc-out");
  mkdirSync(out, { recursive: true });
  const image = join(base, "protoc.binpb");
  const r = run("protoc", [
    "-I", src, "-I", "/usr/include",
    `--plugin=protoc-gen-ts_proto=${tsProtoBin}`, `--ts_proto_out=${out}`, `--ts_proto_opt=${tsProtoOptions.join(",")}`,
    `--plugin=protoc-gen-safestub=${safestubBin}`, `--safestub_out=${out}`, "--safestub_opt=import_extension=js",
    "--include_imports", `--descriptor_set_out=${image}`,
    "shop/v1/shop.proto",
  ]);
  expect(r.status, r.stderr).toBe(0);
  return { out, image: fromBinary(FileDescriptorSetSchema, readFileSync(image)).file };
}

/** Generates with buf generate and returns the output dir and buf's own image of the same files. */
function viaBuf(): { out: string; image: FileDescriptorProto[] } {
  const out = join(base, "buf-out");
  const generated = bufGenerate(out, ["shop/v1/shop.proto"], tsProtoOptions, ["import_extension=js"], "ts-proto", src);
  expect(generated.status, generated.stderr).toBe(0);
  const image = join(base, "buf.binpb");
  const built = run(bufBin, ["build", src, "--path", join(src, "shop/v1/shop.proto"), "-o", image]);
  expect(built.status, built.stderr).toBe(0);
  return { out, image: fromBinary(FileDescriptorSetSchema, readFileSync(image)).file };
}

const servers: Server[] = [];
const clients: RawReflectionClient[] = [];
afterAll(() => {
  for (const c of clients) c.close();
  for (const s of servers) s.forceShutdown();
});

describe.each([
  ["protoc", viaProtoc],
  ["buf generate", viaBuf],
] as const)("reflection descriptors via %s", (_path, generate) => {
  it("embed the compiler's descriptors of the file and its imports, less source info and the well-known types", async () => {
    const { out, image } = generate();
    const { ShopService } = (await import(pathToFileURL(join(out, "shop/v1/shop_grpc.ts")).href)) as { ShopService: ServiceDefinition & { file: EmbeddedFile } };
    expect(ShopService.file.name).toBe("shop/v1/shop.proto");
    expect(Object.keys(ShopService.file.protos)).toEqual(["shop/v1/shop.proto", "google/api/annotations.proto", "google/api/http.proto"]);
    for (const [name, base64] of Object.entries(ShopService.file.protos)) {
      const compiled = clone(FileDescriptorProtoSchema, image.find((f) => f.name === name)!);
      compiled.sourceCodeInfo = undefined;
      expect(equals(FileDescriptorProtoSchema, fromBinary(FileDescriptorProtoSchema, base64Decode(base64)), compiled), name).toBe(true);
    }

    const server = createServer();
    servers.push(server);
    server.addPartial(ShopService, {});
    addReflection(server);
    const client = new RawReflectionClient(await server.listen("127.0.0.1:0"));
    clients.push(client);
    const registry = await registryFor(client, "shop.v1.Shop");
    expect(registry.getMessage("shop.v1.Item")!.field.created!.message!.typeName).toBe("google.protobuf.Timestamp");
    const method = registry.getService("shop.v1.Shop")!.methods[0]!;
    const http = registry.getExtension("google.api.http") as DescExtension;
    const rule = getExtension(method.proto.options!, http) as { pattern: { case: string; value: string } };
    expect(rule.pattern).toEqual({ case: "get", value: "/v1/items/{name}" });
  });
});
