import * as grpc from "@grpc/grpc-js";
import { Server, type ServedMethod, type ServerBehaviour, type ServerTransport } from "../../server/server.js";
import { rawSocketOf, serverSessions } from "./internals.js";
import { GrpcServerCall, type GrpcServerStream } from "./server-call.js";

export interface ServerOptions extends ServerBehaviour {
  /** Transport credentials for listen(); plaintext when absent. */
  credentials?: grpc.ServerCredentials | undefined;
  /** Raw grpc-js server options, merged over safestub's defaults. */
  grpcOptions?: grpc.ServerOptions | undefined;
}

const passThrough = (frame: Buffer): Buffer => frame;

/** A server transport on a grpc-js Server, with pass-through serializers: the runtime's codecs do the rest. */
export class GrpcServerTransport implements ServerTransport {
  readonly #grpc: grpc.Server;
  readonly #credentials: grpc.ServerCredentials | undefined;

  constructor(options: ServerOptions = {}) {
    this.#grpc = new grpc.Server(options.grpcOptions);
    this.#credentials = options.credentials;
  }

  addService(_typeName: string, methods: readonly ServedMethod[]): void {
    const definition: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const { key, method, onCall } of methods) {
      definition[key] = {
        path: method.path,
        originalName: key,
        // Every method takes a request stream at grpc-js's level: grpc-js reports a unary or
        // server-streaming call with no request, or two, as UNIMPLEMENTED; safestub counts them itself.
        requestStream: true,
        responseStream: method.kind === "server_streaming" || method.kind === "bidi_streaming",
        requestSerialize: passThrough,
        requestDeserialize: passThrough,
        responseSerialize: passThrough,
        responseDeserialize: passThrough,
      };
      const takesOneRequest = method.kind === "unary" || method.kind === "server_streaming";
      implementation[key] = (stream: GrpcServerStream, respond?: grpc.sendUnaryData<Buffer>) => {
        const call = new GrpcServerCall(method.path, method.kind, stream, respond);
        if (call.refuseUnsupportedEncoding()) return;
        if (!takesOneRequest) return onCall(call);
        call.acceptSingleRequest(() => onCall(call));
      };
    }
    this.#grpc.addService(definition as grpc.ServiceDefinition, implementation);
  }

  listen(address: string): Promise<number> {
    const credentials = this.#credentials ?? grpc.ServerCredentials.createInsecure();
    return new Promise((resolve, reject) => this.#grpc.bindAsync(address, credentials, (err, port) => (err ? reject(err) : resolve(port))));
  }

  drain(): Promise<void> {
    return new Promise((resolve) => this.#grpc.tryShutdown(() => resolve()));
  }

  /**
   * Stops at once, as gRPC-Go's Stop: the connections close under the calls.
   * grpc-js's forceShutdown alone resets every stream with CANCEL, which
   * clients (rightly, by the HTTP/2 mapping) report as CANCELLED; so the
   * statuses the Server just sent get one turn to go out, then the sockets
   * are destroyed under the sessions (no frame more), and a client whose
   * call had no status yet sees its connection drop: UNAVAILABLE. Where
   * node's shape differs (internals.ts), grpc-js's resets remain.
   */
  close(): void {
    const sessions = serverSessions(this.#grpc);
    setImmediate(() => {
      for (const session of sessions) rawSocketOf(session)?.destroy();
      this.#grpc.forceShutdown();
    });
  }
}

/** Creates a Server on grpc-js (HTTP/2); add services, then listen(). */
export function createServer(options: ServerOptions = {}): Server {
  return new Server(new GrpcServerTransport(options), options);
}
