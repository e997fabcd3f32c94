// safestub/reflection against an oracle: @grpc/reflection (grpc-node's official reflection server)
// serving the same protos on a grpc-js server, both asked the same questions over loopback by the
// same independent client (test/helpers/reflection-client.ts), v1 and v1alpha.
//
// Where both are meaningful: the service list, and for a symbol whether it is found and which
// declarations the returned files hold. Not compared: file names (proto-loader merges the files of
// one package into "<package>.proto", so the oracle cannot serve catalog.proto by name) and the
// extension queries (proto-loader drops extensions; the oracle answers NOT_FOUND to all of them).
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import type { FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "safestub";
import { addHealth } from "safestub/health";
import { addReflection } from "safestub/reflection";
import { CatalogService } from "../../gen/testing/reflection/catalog_grpc.js";
import { filesOf, RawReflectionClient, type ReflectionResponse, type ReflectionVersion } from "../helpers/reflection-client.js";

const protos = fileURLToPath(new URL("../../protos/", import.meta.url));
const pkg = "safestub.testing.reflection";

let ours: Server;
let oracle: grpc.Server;
const clients = new Map<string, RawReflectionClient>();

beforeAll(async () => {
  ours = createServer();
  ours.add(CatalogService, { getItem: () => ({ labels: [] }), listItems: async () => {} });
  addHealth(ours);
  addReflection(ours);
  const ourPort = await ours.listen("127.0.0.1:0");

  const definition = protoLoader.loadSync(
    ["testing/reflection/catalog.proto", "grpc/health/v1/health.proto", "grpc/reflection/v1/reflection.proto", "grpc/reflection/v1alpha/reflection.proto"],
    { includeDirs: [protos] },
  );
  oracle = new grpc.Server();
  new ReflectionService(definition).addToServer(oracle);
  const oraclePort = await new Promise<number>((resolve, reject) =>
    oracle.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
  );
  for (const version of ["v1", "v1alpha"] as const) {
    clients.set(`ours ${version}`, new RawReflectionClient(ourPort, version));
    clients.set(`oracle ${version}`, new RawReflectionClient(oraclePort, version));
  }
});

afterAll(() => {
  for (const client of clients.values()) client.close();
  ours?.forceShutdown();
  oracle?.forceShutdown();
});

/** The full names of the messages (nested too), enums and services declared in `files`. */
function declarations(files: FileDescriptorProto[]): string[] {
  const names: string[] = [];
  for (const file of files) {
    const scope = file.package === "" ? "" : `${file.package}.`;
    const message = (m: FileDescriptorProto["messageType"][number], prefix: string) => {
      names.push(prefix + m.name);
      for (const e of m.enumType) names.push(`${prefix}${m.name}.${e.name}`);
      for (const nested of m.nestedType.filter((n) => !n.options?.mapEntry)) message(nested, `${prefix}${m.name}.`);
    };
    for (const m of file.messageType) message(m, scope);
    for (const e of file.enumType) names.push(scope + e.name);
    for (const s of file.service) names.push(scope + s.name);
  }
  return names.sort();
}

/** What is comparable in an answer to file_containing_symbol. */
function summary(answer: ReflectionResponse) {
  return answer.message_response === "error_response" ? { error: answer.error_response!.error_code } : { declarations: declarations(filesOf(answer)) };
}

describe.each(["v1", "v1alpha"] as ReflectionVersion[])("safestub/reflection and @grpc/reflection, %s", (version) => {
  const ask = (who: "ours" | "oracle", request: Parameters<RawReflectionClient["askOne"]>[0]) => clients.get(`${who} ${version}`)!.askOne(request);

  it("list the same services", async () => {
    const names = async (who: "ours" | "oracle") => (await ask(who, { list_services: "*" })).list_services_response!.service.map((s) => s.name).sort();
    const [a, b] = await Promise.all([names("ours"), names("oracle")]);
    expect(a).toEqual(["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection", `${pkg}.Catalog`]);
    expect(b).toEqual(a);
  });

  it("find the same symbols, in files that declare the same things, and miss the same ones with NOT_FOUND", async () => {
    // Symbols of catalog.proto (whose imports hold all of the package) and of the one-file packages: the same declarations come back.
    const same = [
      `${pkg}.Catalog`,
      `${pkg}.Catalog.GetItem`,
      `${pkg}.GetItemRequest`,
      `${pkg}.Review`,
      "grpc.health.v1.Health",
      "grpc.health.v1.HealthCheckResponse.ServingStatus",
      "grpc.reflection.v1.ServerReflection.ServerReflectionInfo",
      `${pkg}.Nope`,
      "google.protobuf.Nope",
      "",
    ];
    for (const symbol of same) {
      const [a, b] = await Promise.all([ask("ours", { file_containing_symbol: symbol }), ask("oracle", { file_containing_symbol: symbol })]);
      expect(summary(a), symbol).toEqual(summary(b));
    }
    // Symbols of types.proto: the oracle answers with the whole package merged into one file, so ours is the part of it types.proto declares.
    for (const symbol of [`${pkg}.Item`, `${pkg}.Item.Label`, `${pkg}.Item.Kind`, `${pkg}.Shelf`]) {
      const [a, b] = await Promise.all([ask("ours", { file_containing_symbol: symbol }), ask("oracle", { file_containing_symbol: symbol })]);
      const ourDeclarations = summary(a).declarations!;
      expect(ourDeclarations, symbol).toContain(symbol);
      expect(summary(b).declarations, symbol).toEqual(expect.arrayContaining(ourDeclarations));
    }
    // Not vacuous: both sides found the service's file with its imports, and missed the unknown symbol.
    expect(summary(await ask("ours", { file_containing_symbol: `${pkg}.Catalog` })).declarations).toEqual(
      expect.arrayContaining([`${pkg}.Catalog`, `${pkg}.Item`, `${pkg}.Item.Label`, "google.protobuf.Empty", "google.protobuf.Timestamp"]),
    );
    expect(summary(await ask("oracle", { file_containing_symbol: `${pkg}.Nope` }))).toEqual({ error: grpc.status.NOT_FOUND });
  });

  it("answer NOT_FOUND to an unknown file name", async () => {
    const [a, b] = await Promise.all([ask("ours", { file_by_filename: "no/such.proto" }), ask("oracle", { file_by_filename: "no/such.proto" })]);
    expect(a.error_response?.error_code).toBe(grpc.status.NOT_FOUND);
    expect(b.error_response?.error_code).toBe(a.error_response?.error_code);
  });
});
