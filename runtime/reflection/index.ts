// safestub/reflection: gRPC server reflection (grpc.reflection.v1.ServerReflection and its
// predecessor grpc.reflection.v1alpha.ServerReflection, which grpcurl falls back to), added to a
// server in one line, built on the public server API like user code (as safestub/health is).
//
// The descriptors come from the generated code: safestub's plugin embeds, in each service
// definition, the serialized FileDescriptorProto of the service's file and of every file it
// imports but the well-known types (FooService.file; plugin/embedded-file.ts); the well-known
// types come from @bufbuild/protobuf/wkt. A service definition may carry a protobuf-es DescFile
// instead (ServiceFile). Its generated code is checked in under gen/, written by
// `npm run generate:reflection` (buf.gen.reflection.yaml), as health's.
import { Code } from "../core/code.js";
import { RpcError } from "../core/errors.js";
import type { ServerContext } from "../server/context.js";
import type { Server } from "../server/server.js";
import type { Receiver } from "../stream/receiver.js";
import type { Sender } from "../stream/sender.js";
import { DescriptorPool } from "./descriptor-pool.js";
import type { ServerReflectionRequest, ServerReflectionResponse } from "./gen/grpc/reflection/v1/reflection.js";
import { ServerReflectionService, type ServerReflectionHandlers } from "./gen/grpc/reflection/v1/reflection_grpc.js";
import {
  ServerReflectionService as ServerReflectionServiceV1Alpha,
  type ServerReflectionHandlers as ServerReflectionHandlersV1Alpha,
} from "./gen/grpc/reflection/v1alpha/reflection_grpc.js";

export { ServerReflectionService, ServerReflectionClient, type ServerReflectionHandlers } from "./gen/grpc/reflection/v1/reflection_grpc.js";
export {
  ServerReflectionService as ServerReflectionServiceV1Alpha,
  ServerReflectionClient as ServerReflectionClientV1Alpha,
  type ServerReflectionHandlers as ServerReflectionHandlersV1Alpha,
} from "./gen/grpc/reflection/v1alpha/reflection_grpc.js";
export type {
  ServerReflectionRequest,
  ServerReflectionResponse,
  ExtensionRequest,
  FileDescriptorResponse,
  ExtensionNumberResponse,
  ListServiceResponse,
  ServiceResponse,
  ErrorResponse,
} from "./gen/grpc/reflection/v1/reflection.js";

type Answer = Omit<ServerReflectionResponse, "validHost" | "originalRequest">;

/**
 * Reflection answers grpc.reflection.v1 (and v1alpha: the same messages)
 * ServerReflectionInfo for one server: its services as they are at each
 * request, described by the descriptors their generated definitions carry.
 * It is the handlers object itself: `server.add(ServerReflectionService, new
 * Reflection(server))`, or `addReflection(server)` for both versions.
 */
export class Reflection implements ServerReflectionHandlers, ServerReflectionHandlersV1Alpha {
  readonly #server: Server;
  readonly #pool = new DescriptorPool();

  constructor(server: Server) {
    this.#server = server;
  }

  /**
   * ServerReflectionInfo: one response per request, in order, until the
   * client closes its side. Within one stream a file is sent once: later
   * answers leave out the imports already sent, as gRPC-Go's.
   */
  async serverReflectionInfo(receiver: Receiver<ServerReflectionRequest>, sender: Sender<ServerReflectionResponse>, _ctx: ServerContext): Promise<void> {
    const sent = new Set<string>();
    for (let request = await receiver.recv(); request !== undefined; request = await receiver.recv()) {
      await sender.send({ validHost: request.host, originalRequest: request, ...this.#answer(request, sent) });
    }
  }

  #answer(request: ServerReflectionRequest, sent: Set<string>): Answer {
    const services = this.#server.services();
    for (const service of services) if (service.file !== undefined) this.#pool.add(service.file);
    const pool = this.#pool;
    const files = (file: ReturnType<DescriptorPool["file"]>, notFound: string): Answer =>
      file === undefined
        ? { errorResponse: { errorCode: Code.NOT_FOUND, errorMessage: notFound } }
        : { fileDescriptorResponse: { fileDescriptorProto: pool.withDependencies(file, sent).map(asBuffer) } };

    if (request.fileByFilename !== undefined) {
      return files(pool.file(request.fileByFilename), `file not found: ${request.fileByFilename}`);
    }
    if (request.fileContainingSymbol !== undefined) {
      return files(pool.fileContainingSymbol(request.fileContainingSymbol), `symbol not found: ${request.fileContainingSymbol}`);
    }
    if (request.fileContainingExtension !== undefined) {
      const { containingType, extensionNumber } = request.fileContainingExtension;
      return files(pool.fileContainingExtension(containingType, extensionNumber), `extension ${extensionNumber} of ${containingType} not found`);
    }
    if (request.allExtensionNumbersOfType !== undefined) {
      const type = request.allExtensionNumbersOfType;
      const numbers = pool.extensionNumbers(type);
      return numbers === undefined
        ? { errorResponse: { errorCode: Code.NOT_FOUND, errorMessage: `message type not found: ${type}` } }
        : { allExtensionNumbersResponse: { baseTypeName: type, extensionNumber: numbers } };
    }
    if (request.listServices !== undefined) {
      const names = services.map((s) => s.typeName).sort();
      return { listServicesResponse: { service: names.map((name) => ({ name })) } };
    }
    throw new RpcError(Code.INVALID_ARGUMENT, "invalid MessageRequest: none of its fields is set");
  }
}

/** ts-proto's messages type bytes fields as Buffer (env=node); this views the same memory. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Serves server reflection on `server`, both grpc.reflection.v1 and
 * grpc.reflection.v1alpha, and returns it. Every service on the server is
 * listed, reflection and health too, including those added later; a service
 * whose code was generated with reflection=false is listed but not described.
 */
export function addReflection(server: Server): Reflection {
  const reflection = new Reflection(server);
  server.add(ServerReflectionService, reflection);
  server.add(ServerReflectionServiceV1Alpha, reflection);
  return reflection;
}
