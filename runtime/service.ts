import type { Receiver } from "./receiver.js";
import type { Sender } from "./sender.js";
import type { ServerContext } from "./server-context.js";

/**
 * Codec is the message codec shape generated code hands to the runtime. Any
 * ts-proto message const (`encode(...).finish()` / `decode`) satisfies it.
 * Property style (not method style) keeps the parameter checked strictly.
 */
export interface Codec<T> {
  readonly encode: (message: T) => { finish(): Uint8Array };
  readonly decode: (input: Uint8Array) => T;
}

export type MethodKind = "unary" | "server_streaming" | "client_streaming" | "bidi_streaming";

/** MethodDefinition describes one rpc. It is used in generated code. */
export interface MethodDefinition<Req, Res, K extends MethodKind = MethodKind> {
  /** The rpc's name as written in the .proto file. */
  readonly name: string;
  /** The HTTP/2 path, `/package.Service/Method`. */
  readonly path: string;
  readonly kind: K;
  readonly requestCodec: Codec<Req>;
  readonly responseCodec: Codec<Res>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyMethodDefinition = MethodDefinition<any, any, MethodKind>;

/** ServiceDefinition describes a service: its full name and its methods by local name. It is used in generated code. */
export interface ServiceDefinition<M extends Record<string, AnyMethodDefinition> = Record<string, AnyMethodDefinition>> {
  /** The fully-qualified service name, `package.Service`. */
  readonly typeName: string;
  readonly methods: M;
}

/** The handler a server provides for one method. */
export type HandlerFor<M> =
  M extends MethodDefinition<infer Req, infer Res, "unary">
    ? UnaryHandler<Req, Res>
    : M extends MethodDefinition<infer Req, infer Res, "server_streaming">
      ? ServerStreamingHandler<Req, Res>
      : M extends MethodDefinition<infer Req, infer Res, "client_streaming">
        ? ClientStreamingHandler<Req, Res>
        : M extends MethodDefinition<infer Req, infer Res, "bidi_streaming">
          ? BidiStreamingHandler<Req, Res>
          : never;

/** The handlers a server provides for a whole service. */
export type HandlersOf<S extends ServiceDefinition> = { [K in keyof S["methods"]]: HandlerFor<S["methods"][K]> };

function method<K extends MethodKind>(kind: K) {
  return <Req, Res>(path: string, requestCodec: Codec<Req>, responseCodec: Codec<Res>): MethodDefinition<Req, Res, K> => ({
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

/** A unary handler: returns (or resolves to) the response; a thrown RpcError becomes the status. */
export type UnaryHandler<Req, Res> = (request: Req, ctx: ServerContext) => Promise<Res> | Res;
/** A server-streaming handler: sends responses on `sender`; the status goes out when it returns. */
export type ServerStreamingHandler<Req, Res> = (request: Req, sender: Sender<Res>, ctx: ServerContext) => Promise<void>;
/** A client-streaming handler: reads requests from `receiver` and returns the one response. */
export type ClientStreamingHandler<Req, Res> = (receiver: Receiver<Req>, ctx: ServerContext) => Promise<Res>;
/** A bidi-streaming handler: reads on `receiver` and sends on `sender`, in any order or side by side. */
export type BidiStreamingHandler<Req, Res> = (receiver: Receiver<Req>, sender: Sender<Res>, ctx: ServerContext) => Promise<void>;
