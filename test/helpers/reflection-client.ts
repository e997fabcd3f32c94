// A server reflection client that shares no code with safestub: grpc-js and @grpc/proto-loader
// over the vendored reflection protos, as grpcurl would talk to a server, plus what grpcurl does
// with the answers: a @bufbuild/protobuf registry built from the returned FileDescriptorProtos.
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { createFileRegistry, fromBinary, type FileRegistry } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, type FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { fileURLToPath } from "node:url";

const protos = fileURLToPath(new URL("../../protos/", import.meta.url));

export type ReflectionVersion = "v1" | "v1alpha";

/** One request, in proto-loader's JSON-ish shape (snake_case kept: the wire names). */
export type ReflectionRequest =
  | { host?: string; list_services: string }
  | { host?: string; file_by_filename: string }
  | { host?: string; file_containing_symbol: string }
  | { host?: string; file_containing_extension: { containing_type: string; extension_number: number } }
  | { host?: string; all_extension_numbers_of_type: string }
  | { host?: string };

/** One response, decoded by proto-loader (oneofs: the set field's name is in message_response). */
export interface ReflectionResponse {
  valid_host: string;
  original_request: Record<string, unknown>;
  message_response: "file_descriptor_response" | "all_extension_numbers_response" | "list_services_response" | "error_response";
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  all_extension_numbers_response?: { base_type_name: string; extension_number: number[] };
  list_services_response?: { service: { name: string }[] };
  error_response?: { error_code: number; error_message: string };
}

const clients = new Map<ReflectionVersion, grpc.ServiceClientConstructor>();

function clientConstructor(version: ReflectionVersion): grpc.ServiceClientConstructor {
  let ctor = clients.get(version);
  if (!ctor) {
    const definition = protoLoader.loadSync(`grpc/reflection/${version}/reflection.proto`, { includeDirs: [protos], keepCase: true, oneofs: true, defaults: true });
    const pkg = grpc.loadPackageDefinition(definition) as unknown as { grpc: { reflection: Record<string, { ServerReflection: grpc.ServiceClientConstructor }> } };
    ctor = pkg.grpc.reflection[version]!.ServerReflection;
    clients.set(version, ctor);
  }
  return ctor;
}

/** A reflection client of one version to 127.0.0.1:`port`. */
export class RawReflectionClient {
  readonly #client: grpc.Client & { ServerReflectionInfo(): grpc.ClientDuplexStream<ReflectionRequest, ReflectionResponse> };

  constructor(port: number, version: ReflectionVersion = "v1") {
    const Ctor = clientConstructor(version);
    this.#client = new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as never;
  }

  /**
   * Sends `requests` on one ServerReflectionInfo stream, one at a time (each
   * after the answer to the one before), closes it, and resolves to the
   * answers; rejects with the stream's error, or after `timeoutMs`.
   */
  ask(requests: ReflectionRequest[], timeoutMs = 5000): Promise<ReflectionResponse[]> {
    const call = this.#client.ServerReflectionInfo();
    const answers: ReflectionResponse[] = [];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        call.cancel();
        reject(new Error(`no end of the reflection stream within ${timeoutMs} ms (${answers.length} answers)`));
      }, timeoutMs);
      const sendNext = () => {
        const next = requests[answers.length];
        if (next === undefined) call.end();
        else call.write(next);
      };
      call.on("data", (answer: ReflectionResponse) => {
        answers.push(answer);
        sendNext();
      });
      call.on("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      call.on("end", () => {
        clearTimeout(timer);
        resolve(answers);
      });
      sendNext();
    });
  }

  /** One request on a stream of its own. */
  async askOne(request: ReflectionRequest): Promise<ReflectionResponse> {
    const [answer] = await this.ask([request]);
    return answer!;
  }

  close(): void {
    this.#client.close();
  }
}

/** The FileDescriptorProtos of a file_descriptor_response, decoded; throws on any other answer. */
export function filesOf(answer: ReflectionResponse): FileDescriptorProto[] {
  if (answer.message_response !== "file_descriptor_response") throw new Error(`expected files, got ${JSON.stringify(answer)}`);
  return answer.file_descriptor_response!.file_descriptor_proto.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
}

/**
 * What grpcurl does with the answers: fetch the file of `symbol` with its
 * dependencies and build a registry of them (which fails if any import is
 * missing).
 */
export async function registryFor(client: RawReflectionClient, symbol: string): Promise<FileRegistry> {
  return registryOf(filesOf(await client.askOne({ file_containing_symbol: symbol })));
}

/** A registry of `files` (a file and its imports, in any order; throws if an import is missing). */
export function registryOf(files: FileDescriptorProto[]): FileRegistry {
  const byName = new Map(files.map((f) => [f.name, f]));
  return createFileRegistry(files[0]!, (name) => byName.get(name));
}
