import type { MethodDefinition, ServiceDefinition } from "../core/method.js";
import type { Receiver } from "../stream/receiver.js";
import type { Sender } from "../stream/sender.js";
import type { ServerContext } from "./context.js";

/** The handler a server provides for one method: it receives requests (`Req`) and sends response inputs (`ResInput`). */
export type HandlerFor<M> =
  M extends MethodDefinition<infer Req, infer _Res, "unary", infer _ReqInput, infer ResInput>
    ? UnaryHandler<Req, ResInput>
    : M extends MethodDefinition<infer Req, infer _Res, "server_streaming", infer _ReqInput, infer ResInput>
      ? ServerStreamingHandler<Req, ResInput>
      : M extends MethodDefinition<infer Req, infer _Res, "client_streaming", infer _ReqInput, infer ResInput>
        ? ClientStreamingHandler<Req, ResInput>
        : M extends MethodDefinition<infer Req, infer _Res, "bidi_streaming", infer _ReqInput, infer ResInput>
          ? BidiStreamingHandler<Req, ResInput>
          : never;

/** The handlers a server provides for a whole service. */
export type HandlersOf<S extends ServiceDefinition> = { [K in keyof S["methods"]]: HandlerFor<S["methods"][K]> };

/** A unary handler: returns (or resolves to) the response; a thrown RpcError becomes the status. */
export type UnaryHandler<Req, Res> = (request: Req, ctx: ServerContext) => Promise<Res> | Res;
/** A server-streaming handler: sends responses on `sender`; the status goes out when it returns. */
export type ServerStreamingHandler<Req, Res> = (request: Req, sender: Sender<Res>, ctx: ServerContext) => Promise<void>;
/** A client-streaming handler: reads requests from `receiver` and returns the one response. */
export type ClientStreamingHandler<Req, Res> = (receiver: Receiver<Req>, ctx: ServerContext) => Promise<Res>;
/** A bidi-streaming handler: reads on `receiver` and sends on `sender`, in any order or side by side. */
export type BidiStreamingHandler<Req, Res> = (receiver: Receiver<Req>, sender: Sender<Res>, ctx: ServerContext) => Promise<void>;
