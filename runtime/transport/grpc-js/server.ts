import * as grpc from "@grpc/grpc-js";
import { Server, type ServedMethod, type ServerBehaviour, type ServerTransport } from "../../server/server.js";
import { rawSocketOf, serverSessions } from "./internals.js";
import { GrpcServerCall, type GrpcCallLimits } from "./server-call.js";

export interface ServerOptions extends ServerBehaviour {
  /** Transport credentials for listen(); plaintext when absent. */
  credentials?: grpc.ServerCredentials | undefined;
  /** Raw grpc-js server options, merged over safestub's defaults. */
  grpcOptions?: grpc.ServerOptions | undefined;
}

const passThrough = (frame: Buffer): Buffer => frame;

/**
 * What grpc-js's own method handlers get of a call safestub took over: a
 * listener-less call whose operations do nothing (grpc-js only starts it).
 * One object for every call.
 */
const TAKEN_OVER: grpc.ServerInterceptingCallInterface = {
  start() {},
  sendMetadata() {},
  sendMessage() {},
  sendStatus() {},
  startRead() {},
  getPeer: () => "unknown",
  getDeadline: () => Infinity,
  getHost: () => "",
  getAuthContext: () => ({}),
  getConnectionInfo: () => ({}),
  getMetricsRecorder: () => {
    throw new TypeError("safestub serves this call: grpc-js's handler has no metrics recorder");
  },
};

/**
 * A server transport on a grpc-js Server. grpc-js routes each call, parses
 * its headers, frames its messages and keeps its HTTP/2 stream; safestub
 * takes the call over from the outermost grpc-js server interceptor and
 * serves it on grpc-js's intercepting call (GrpcServerCall), with no Node
 * stream object per call. The methods grpc-js knows are registered with
 * pass-through serializers (the runtime's codecs do the rest), and their
 * handlers never run.
 */
export class GrpcServerTransport implements ServerTransport {
  readonly #grpc: grpc.Server;
  readonly #credentials: grpc.ServerCredentials | undefined;
  /** The methods of every service added, by path. */
  readonly #methods = new Map<string, ServedMethod>();
  readonly #limits: GrpcCallLimits;

  constructor(options: ServerOptions = {}) {
    const grpcOptions = options.grpcOptions ?? {};
    // Outermost, so that grpc-js interceptors given in grpcOptions still see every call.
    // grpc-js's ServerInterceptor type returns its ServerInterceptingCall class; grpc-js uses only the interface.
    const interceptors = [...(grpcOptions.interceptors ?? []), this.#takeOver as unknown as grpc.ServerInterceptor];
    // Channelz off unless asked for: safestub's Server cannot serve grpc-js's channelz service, and
    // grpc-js's bookkeeping for it (per call and per message) would cost every call for nothing.
    this.#grpc = new grpc.Server({ "grpc.enable_channelz": 0, ...grpcOptions, interceptors });
    this.#credentials = options.credentials;
    this.#limits = { maxSendMessageLength: grpcOptions["grpc.max_send_message_length"] ?? -1 };
  }

  addService(_typeName: string, methods: readonly ServedMethod[]): void {
    const definition: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const served of methods) {
      const { key, method } = served;
      definition[key] = {
        path: method.path,
        originalName: key,
        requestStream: method.kind === "client_streaming" || method.kind === "bidi_streaming",
        responseStream: method.kind === "server_streaming" || method.kind === "bidi_streaming",
        requestSerialize: passThrough,
        requestDeserialize: passThrough,
        responseSerialize: passThrough,
        responseDeserialize: passThrough,
      };
      implementation[key] = notTakenOver;
      this.#methods.set(method.path, served);
    }
    this.#grpc.addService(definition as grpc.ServiceDefinition, implementation);
  }

  /** The grpc-js server interceptor that hands each call of a safestub method to the Server. */
  readonly #takeOver = (descriptor: grpc.ServerMethodDefinition<Buffer, Buffer>, call: grpc.ServerInterceptingCallInterface): grpc.ServerInterceptingCallInterface => {
    const served = this.#methods.get(descriptor.path);
    if (served === undefined) return call;
    try {
      const { method, onCall } = served;
      const accepted = new GrpcServerCall(method.path, method.kind, call, this.#limits);
      if (accepted.refuseUnsupportedEncoding()) return TAKEN_OVER;
      if (method.kind === "unary" || method.kind === "server_streaming") accepted.acceptSingleRequest(onCall);
      else onCall(accepted);
    } catch {
      // Nothing of safestub's throws here by design; if it did, grpc-js's stream handler must not see it.
      call.sendStatus({ code: grpc.status.INTERNAL, details: "Internal server error" });
    }
    return TAKEN_OVER;
  };

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

/** A grpc-js handler that runs only if the take-over interceptor did not (it always does): the call fails loudly. */
function notTakenOver(_call: unknown, respond?: grpc.sendUnaryData<Buffer>): void {
  const status = { code: grpc.status.INTERNAL, details: "safestub did not take this call over" };
  if (respond) respond(status);
  else (_call as { emit(event: string, error: unknown): void }).emit("error", status);
}
