// safestub/reflection over a real grpc-js server on 127.0.0.1:0, probed by a reflection client that
// shares no code with safestub (grpc-js + proto-loader, test/helpers/reflection-client.ts), on v1
// and v1alpha: list_services, the four file and extension queries with their NOT_FOUND error
// responses, what grpcurl does with the answers (a registry built from them, then a dynamic call),
// and the backend-neutral seam (a protobuf-es DescFile in place of the embedded descriptors).
import * as grpc from "@grpc/grpc-js";
import { create, fromBinary, toBinary, type DescMessage } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { afterEach, describe, expect, it } from "vitest";
import { createServer, unaryMethod, type Server } from "safestub";
import { addHealth } from "safestub/health";
import { addReflection, ServerReflectionService, ServerReflectionServiceV1Alpha } from "safestub/reflection";
import { CatalogService, type CatalogHandlers } from "../../gen/testing/reflection/catalog_grpc.js";
import { CatalogService as CatalogServiceOnProtobufEs } from "../../gen/protobuf-es/testing/reflection/catalog_grpc.js";
import { file_testing_reflection_catalog } from "../../gen/protobuf-es/testing/reflection/catalog_pb.js";
import { filesOf, RawReflectionClient, registryFor, registryOf, type ReflectionVersion } from "../helpers/reflection-client.js";

const pkg = "safestub.testing.reflection";
const catalogFile = "testing/reflection/catalog.proto";
const typesFile = "testing/reflection/types.proto";

const catalog: CatalogHandlers = {
  getItem: (request) => ({ name: `item ${request.name}`, labels: [{ key: "k" }], cents: 250 }),
  async listItems(_request, sender) {
    await sender.send({ name: "one", labels: [] });
  },
};

const opened: { server: Server; clients: RawReflectionClient[] }[] = [];

afterEach(() => {
  for (const { server, clients } of opened.splice(0)) {
    for (const client of clients) client.close();
    server.forceShutdown();
  }
});

/** A server with Catalog, health and reflection (or what `setup` adds), and a raw reflection client of each version. */
async function start(setup: (server: Server) => void = (server) => {
  server.add(CatalogService, catalog);
  addHealth(server);
  addReflection(server);
}) {
  const server = createServer();
  setup(server);
  const port = await server.listen("127.0.0.1:0");
  const clients = { v1: new RawReflectionClient(port, "v1"), v1alpha: new RawReflectionClient(port, "v1alpha") };
  opened.push({ server, clients: Object.values(clients) });
  return { server, port, clients };
}

const versions: ReflectionVersion[] = ["v1", "v1alpha"];

/** The descriptor queries two ways of carrying Catalog's descriptors must answer alike. */
const descriptorQueries = [
  { file_containing_symbol: `${pkg}.Catalog.GetItem` },
  { file_containing_symbol: `${pkg}.Item.Label` },
  { file_by_filename: catalogFile },
  { file_containing_extension: { containing_type: `${pkg}.Item`, extension_number: 101 } },
  { all_extension_numbers_of_type: `${pkg}.Item` },
];

/**
 * Asks both servers each descriptor query: the same kind of answer, and the same files byte for byte (no
 * way of carrying descriptors has source info) or the same extension numbers.
 */
async function expectSameAnswers(expected: RawReflectionClient, actual: RawReflectionClient): Promise<void> {
  const bytes = (file: ReturnType<typeof filesOf>[number]) => toBinary(FileDescriptorProtoSchema, file);
  for (const query of descriptorQueries) {
    const [a, b] = await Promise.all([expected.askOne(query), actual.askOne(query)]);
    expect(b.message_response, JSON.stringify(query)).toBe(a.message_response);
    if (a.file_descriptor_response) expect(filesOf(b).map(bytes)).toEqual(filesOf(a).map(bytes));
    else expect(b.all_extension_numbers_response).toEqual(a.all_extension_numbers_response);
  }
}

describe.each(versions)("reflection %s", (version) => {
  it("lists every service on the server, sorted, health and reflection themselves included", async () => {
    const { clients } = await start();
    const answer = await clients[version].askOne({ host: "example.test", list_services: "*" });
    expect(answer.message_response).toBe("list_services_response");
    expect(answer.valid_host).toBe("example.test");
    expect(answer.original_request).toMatchObject({ host: "example.test", list_services: "*" });
    expect(answer.list_services_response!.service.map((s) => s.name)).toEqual([
      "grpc.health.v1.Health",
      "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection",
      `${pkg}.Catalog`,
    ]);
  });

  it("describes a service as grpcurl does: its file and every import, enough for a registry that resolves a method's types", async () => {
    const { clients } = await start();
    const files = filesOf(await clients[version].askOne({ file_containing_symbol: `${pkg}.Catalog` }));
    expect(files.map((f) => f.name)).toEqual([catalogFile, "google/protobuf/empty.proto", typesFile, "google/protobuf/timestamp.proto"]);
    expect(files[0]!.sourceCodeInfo).toBeUndefined();
    const registry = registryOf(files);
    const service = registry.getService(`${pkg}.Catalog`)!;
    expect(service.methods.map((m) => `${m.name}(${m.input.typeName}) ${m.methodKind} ${m.output.typeName}`)).toEqual([
      `GetItem(${pkg}.GetItemRequest) unary ${pkg}.Item`,
      "ListItems(google.protobuf.Empty) server_streaming " + `${pkg}.Item`,
    ]);
    const item = registry.getMessage(`${pkg}.Item`)!;
    expect(item.fields.map((f) => f.name)).toEqual(["name", "created", "kind", "labels", "cents", "free_text"]);
    expect(item.field.created!.message?.typeName).toBe("google.protobuf.Timestamp");
    expect(registry.getExtension(`${pkg}.Review.review`)?.extendee.typeName).toBe(`${pkg}.Item`);
  });

  it("resolves every kind of symbol grpc-go resolves to the file that declares it", async () => {
    const { clients } = await start();
    const symbols: Record<string, string> = {
      [`${pkg}.Catalog`]: catalogFile,
      [`${pkg}.Catalog.GetItem`]: catalogFile,
      [`${pkg}.GetItemRequest`]: catalogFile,
      [`${pkg}.GetItemRequest.name`]: catalogFile,
      [`${pkg}.isbn`]: catalogFile,
      [`${pkg}.Review.review`]: catalogFile,
      [`${pkg}.Item`]: typesFile,
      [`${pkg}.Item.Label`]: typesFile,
      [`${pkg}.Item.Label.key`]: typesFile,
      [`${pkg}.Item.Kind`]: typesFile,
      [`${pkg}.Item.BOOK`]: typesFile,
      [`${pkg}.Item.price`]: typesFile,
      [`${pkg}.Shelf`]: typesFile,
      [`${pkg}.TOP`]: typesFile,
      "google.protobuf.Timestamp": "google/protobuf/timestamp.proto",
      "grpc.health.v1.Health.Watch": "grpc/health/v1/health.proto",
      "grpc.reflection.v1.ServerReflection": "grpc/reflection/v1/reflection.proto",
      "grpc.reflection.v1alpha.ServerReflectionRequest": "grpc/reflection/v1alpha/reflection.proto",
    };
    const answers = await Promise.all(Object.keys(symbols).map((symbol) => clients[version].askOne({ file_containing_symbol: symbol })));
    expect(Object.fromEntries(Object.keys(symbols).map((symbol, i) => [symbol, filesOf(answers[i]!)[0]!.name]))).toEqual(symbols);
  });

  it("answers NOT_FOUND error responses for unknown files, symbols and extensions, and keeps the stream open", async () => {
    const { clients } = await start();
    const answers = await clients[version].ask([
      { file_by_filename: "no/such.proto" },
      { file_containing_symbol: `${pkg}.Nope` },
      { file_containing_symbol: `.${pkg}.Item` },
      { file_containing_extension: { containing_type: `${pkg}.Item`, extension_number: 199 } },
      { file_containing_extension: { containing_type: `${pkg}.Nope`, extension_number: 100 } },
      { all_extension_numbers_of_type: `${pkg}.Nope` },
      { all_extension_numbers_of_type: `${pkg}.Catalog` },
      { list_services: "" },
    ]);
    expect(answers.map((a) => a.message_response)).toEqual([...Array<string>(7).fill("error_response"), "list_services_response"]);
    for (const answer of answers.slice(0, 7)) expect(answer.error_response!.error_code).toBe(grpc.status.NOT_FOUND);
    expect(answers[0]!.error_response!.error_message).toContain("no/such.proto");
    expect(answers[1]!.original_request).toMatchObject({ file_containing_symbol: `${pkg}.Nope` });
  });

  it("serves a file by name with its imports, the well-known types included, and leaves out on a stream what it already sent there", async () => {
    const { clients } = await start();
    const [first, again, types] = await clients[version].ask([{ file_by_filename: catalogFile }, { file_by_filename: catalogFile }, { file_by_filename: typesFile }]);
    expect(filesOf(first!).map((f) => f.name)).toEqual([catalogFile, "google/protobuf/empty.proto", typesFile, "google/protobuf/timestamp.proto"]);
    // As gRPC-Go: the file asked for always comes back, its imports only once per stream.
    expect(filesOf(again!).map((f) => f.name)).toEqual([catalogFile]);
    expect(filesOf(types!).map((f) => f.name)).toEqual([typesFile]);
    const fresh = filesOf(await clients[version].askOne({ file_by_filename: "google/protobuf/timestamp.proto" }));
    expect(fresh.map((f) => f.name)).toEqual(["google/protobuf/timestamp.proto"]);
    expect(fresh[0]!.messageType.map((m) => m.name)).toEqual(["Timestamp"]);
  });

  it("answers extension queries: the numbers of a message's extensions and the file of each", async () => {
    const { clients } = await start();
    const [numbers, none, isbn, review] = await clients[version].ask([
      { all_extension_numbers_of_type: `${pkg}.Item` },
      { all_extension_numbers_of_type: `${pkg}.GetItemRequest` },
      { file_containing_extension: { containing_type: `${pkg}.Item`, extension_number: 100 } },
      { file_containing_extension: { containing_type: `${pkg}.Item`, extension_number: 150 } },
    ]);
    expect(numbers!.all_extension_numbers_response).toEqual({ base_type_name: `${pkg}.Item`, extension_number: [100, 101, 150] });
    expect(none!.all_extension_numbers_response).toEqual({ base_type_name: `${pkg}.GetItemRequest`, extension_number: [] });
    expect(filesOf(isbn!)[0]!.name).toBe(catalogFile);
    const reviewFile = filesOf(review!)[0]!;
    expect(reviewFile.messageType.find((m) => m.name === "Review")!.extension.map((e) => `${e.name}=${e.number}`)).toEqual(["review=150"]);
  });

  it("fails the stream with INVALID_ARGUMENT for a request that sets no query", async () => {
    const { clients } = await start();
    const err = await clients[version].ask([{ host: "h" }]).then(
      () => undefined,
      (e: grpc.ServiceError) => e,
    );
    expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
  });
});

describe("reflection on a server", () => {
  it("lets a client call a method it knows only from the descriptors (dynamic messages, grpc-js generic client)", async () => {
    const { port, clients } = await start();
    const registry = await registryFor(clients.v1, `${pkg}.Catalog.GetItem`);
    const method = registry.getService(`${pkg}.Catalog`)!.methods.find((m) => m.name === "GetItem")!;
    const codec = (schema: DescMessage) => ({
      serialize: (value: Record<string, unknown>) => Buffer.from(toBinary(schema, create(schema, value))),
      deserialize: (bytes: Buffer) => fromBinary(schema, bytes),
    });
    const input = codec(method.input);
    const output = codec(method.output);
    const Client = grpc.makeGenericClientConstructor(
      { getItem: { path: `/${pkg}.Catalog/GetItem`, requestStream: false, responseStream: false, requestSerialize: input.serialize, requestDeserialize: input.deserialize, responseSerialize: output.serialize, responseDeserialize: output.deserialize } },
      "Catalog",
    );
    const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & { getItem: (req: object, cb: (err: grpc.ServiceError | null, res: Record<string, unknown>) => void) => void };
    try {
      const response = await new Promise<Record<string, unknown>>((resolve, reject) => client.getItem({ name: "42" }, (err, res) => (err ? reject(err) : resolve(res))));
      expect(response.name).toBe("item 42");
      expect(response.price).toEqual({ case: "cents", value: 250n });
      expect((response.labels as { key: string }[]).map((l) => l.key)).toEqual(["k"]);
    } finally {
      client.close();
    }
  });

  it("lists services added after reflection; one without descriptors is listed but not described", async () => {
    const { server, clients } = await start((s) => {
      addReflection(s);
    });
    const { requestCodec, responseCodec } = CatalogService.methods.getItem;
    server.add({ typeName: "hand.Written", methods: { ping: unaryMethod("/hand.Written/Ping", requestCodec, responseCodec) } }, { ping: catalog.getItem });
    server.add(CatalogService, catalog);
    const names = (await clients.v1.askOne({ list_services: "" })).list_services_response!.service.map((s) => s.name);
    expect(names).toEqual(["grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection", "hand.Written", `${pkg}.Catalog`]);
    expect((await clients.v1.askOne({ file_containing_symbol: "hand.Written" })).error_response?.error_code).toBe(grpc.status.NOT_FOUND);
    expect(filesOf(await clients.v1.askOne({ file_containing_symbol: `${pkg}.Catalog` }))[0]!.name).toBe(catalogFile);
  });

  it("takes a protobuf-es DescFile in place of the embedded descriptors and answers the same", async () => {
    const embedded = await start();
    const files = filesOf(await embedded.clients.v1.askOne({ file_containing_symbol: `${pkg}.Catalog` }));
    const descFile = registryOf(files).getFile(catalogFile)!;
    const viaDescFile = await start((server) => {
      server.add({ typeName: CatalogService.typeName, methods: CatalogService.methods, file: descFile }, catalog);
      addReflection(server);
    });
    await expectSameAnswers(embedded.clients.v1, viaDescFile.clients.v1);
  });

  it("with messages=protobuf-es, serves the descriptors protoc-gen-es generated (file_foo), answering as the embedded ones do", async () => {
    expect(CatalogServiceOnProtobufEs.file).toBe(file_testing_reflection_catalog);
    const embedded = await start();
    const onProtobufEs = await start((server) => {
      server.add(CatalogServiceOnProtobufEs, { getItem: (request) => ({ name: request.name }), listItems: async () => {} });
      addReflection(server);
    });
    await expectSameAnswers(embedded.clients.v1, onProtobufEs.clients.v1);
  });

  it("answers 25 streams at once, on both versions, the same as one stream alone (the pool fills on first use)", async () => {
    const { clients } = await start();
    const queries = [{ file_containing_symbol: `${pkg}.Item.Label` }, { all_extension_numbers_of_type: `${pkg}.Item` }, { file_by_filename: catalogFile }, { list_services: "" }];
    const streams = await Promise.all(Array.from({ length: 25 }, (_, i) => clients[i % 2 ? "v1" : "v1alpha"].ask(queries)));
    const shape = (answers: Awaited<ReturnType<RawReflectionClient["ask"]>>) =>
      answers.map((a) => a.message_response === "file_descriptor_response" ? filesOf(a).map((f) => f.name) : (a.all_extension_numbers_response ?? a.list_services_response));
    const expected = shape(streams[0]!);
    expect(expected[0]).toEqual([typesFile, "google/protobuf/timestamp.proto"]);
    expect(expected[2]).toEqual([catalogFile, "google/protobuf/empty.proto"]);
    for (const answers of streams) expect(shape(answers)).toEqual(expected);
  });

  it("is the same handlers object on v1 and v1alpha", async () => {
    const server = createServer();
    const reflection = addReflection(server);
    const services = server.services().map((s) => s.typeName);
    expect(services).toEqual([ServerReflectionService.typeName, ServerReflectionServiceV1Alpha.typeName]);
    expect(() => server.add(ServerReflectionService, reflection)).toThrow(TypeError);
    server.forceShutdown();
  });
});
