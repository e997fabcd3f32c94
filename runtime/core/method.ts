import type { Codec } from "./codec.js";
import type { ServiceFile } from "./service-file.js";

export type MethodKind = "unary" | "server_streaming" | "client_streaming" | "bidi_streaming";

/**
 * MethodDefinition describes one rpc. It is used in generated code. `Req` and
 * `Res` are the messages a receiver yields; `ReqInput` and `ResInput` what a
 * sender may give for them (the same types unless the message library takes
 * partial inits, as protobuf-es does): a client sends ReqInput and receives
 * Res, a handler receives Req and sends ResInput.
 */
export interface MethodDefinition<Req, Res, K extends MethodKind = MethodKind, ReqInput = Req, ResInput = Res> {
  /** The rpc's name as written in the .proto file. */
  readonly name: string;
  /** The HTTP/2 path, `/package.Service/Method`. */
  readonly path: string;
  readonly kind: K;
  readonly requestCodec: Codec<Req, ReqInput>;
  readonly responseCodec: Codec<Res, ResInput>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyMethodDefinition = MethodDefinition<any, any, MethodKind, any, any>;

/** ServiceDefinition describes a service: its full name and its methods by local name. It is used in generated code. */
export interface ServiceDefinition<M extends Record<string, AnyMethodDefinition> = Record<string, AnyMethodDefinition>> {
  /** The fully-qualified service name, `package.Service`. */
  readonly typeName: string;
  readonly methods: M;
  /** The descriptors of the .proto file that declares the service, for server reflection (absent when the plugin ran with reflection=false). */
  readonly file?: ServiceFile | undefined;
}

function method<K extends MethodKind>(kind: K) {
  return <Req, Res, ReqInput = Req, ResInput = Res>(path: string, requestCodec: Codec<Req, ReqInput>, responseCodec: Codec<Res, ResInput>): MethodDefinition<Req, Res, K, ReqInput, ResInput> => ({
    name: path.slice(path.lastIndexOf("/") + 1),
    path,
    kind,
    requestCodec,
    responseCodec,
  });
}

/** Describes a unary rpc. It is used in generated code. */
export const unaryMethod = method("unary");
/** Describes a server-streaming rpc. It is used in generated code. */
export const serverStreamingMethod = method("server_streaming");
/** Describes a client-streaming rpc. It is used in generated code. */
export const clientStreamingMethod = method("client_streaming");
/** Describes a bidi-streaming rpc. It is used in generated code. */
export const bidiStreamingMethod = method("bidi_streaming");
