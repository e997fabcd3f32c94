import type { DescFile, DescMethod, DescService } from "@bufbuild/protobuf";
import type { GeneratedFile, Printable, Schema } from "@bufbuild/protoplugin";
import { methodNames } from "./method-names.js";
import type { SafestubOptions } from "./options.js";

/**
 * Tokens stand for protoplugin Printables (imports, exports, JSDoc blocks)
 * inside template text, so protoplugin still manages imports, aliases
 * clashing names and formats comments.
 */
export class Tokens {
  readonly #printables: Printable[] = [];

  tok(p: Printable): string {
    this.#printables.push(p);
    return `\u{E000}${this.#printables.length - 1}\u{E001}`;
  }

  toPrintables(text: string): Printable[] {
    return text.split(/\u{E000}(\d+)\u{E001}/u).map((part, i) => (i % 2 ? this.#printables[Number(part)]! : part));
  }
}

export interface MethodView {
  name: string;
  kind: DescMethod["methodKind"];
  path: string;
  doc: string;
  defineFn: string;
  req: string;
  res: string;
  reqCodec: string;
  resCodec: string;
}

export interface ServiceView {
  doc: string;
  clientDoc: string;
  handlersDoc: string;
  typeName: string;
  /** `export const FooService`, as a token so protoplugin knows the name. */
  serviceConstDecl: string;
  clientClassDecl: string;
  handlersIfaceDecl: string;
  serviceConst: string;
  methods: MethodView[];
}

export interface FileView {
  services: ServiceView[];
  CallInvoker: string;
  Channel: string;
  CallOptions: string;
  ServerStreamingCall: string;
  ClientStreamingCall: string;
  BidiStreamingCall: string;
  UnaryHandler: string;
  ServerStreamingHandler: string;
  ClientStreamingHandler: string;
  BidiStreamingHandler: string;
  Promise: string;
}

const defineFns = {
  unary: "unaryMethod",
  server_streaming: "serverStreamingMethod",
  client_streaming: "clientStreamingMethod",
  bidi_streaming: "bidiStreamingMethod",
} as const;

/** Builds the template's view of one .proto file; every foreign name is a token. */
export function buildFileView(schema: Schema<SafestubOptions>, file: DescFile, f: GeneratedFile, t: Tokens): FileView {
  const { messages, runtimeImport } = schema.options;
  const rt = (name: string, typeOnly = false) => t.tok(f.import(name, runtimeImport, typeOnly));
  const message = (m: DescMethod["input"], typeOnly: boolean) => t.tok(typeOnly ? messages.messageType(f, m) : messages.messageCodec(f, m));
  // The global Promise, as a symbol "from this very file": protoplugin then treats
  // the name as taken and imports a message named Promise under an alias.
  const globalPromise = t.tok(f.import("Promise", `./${file.name}_grpc.js`, true));

  const serviceView = (service: DescService): ServiceView => {
    const names = methodNames(service.methods);
    const serviceConst = `${service.name}Service`;
    return {
      doc: t.tok(f.jsDoc(service)),
      clientDoc: t.tok(f.jsDoc(withDeprecation(service, `${service.name}Client calls ${service.typeName} over a Channel. Any number of clients and parallel calls may share one Channel; the client never closes it.`))),
      handlersDoc: t.tok(f.jsDoc(withDeprecation(service, `${service.name}Handlers is what a server implements for ${service.typeName}; pass it to \`server.add(${service.name}Service, handlers)\`.`))),
      typeName: service.typeName,
      serviceConstDecl: t.tok(f.export("const", serviceConst)),
      clientClassDecl: t.tok(f.export("class", `${service.name}Client`)),
      handlersIfaceDecl: t.tok(f.export("interface", `${service.name}Handlers`)),
      serviceConst,
      methods: service.methods.map((m, i) => ({
        name: names[i]!,
        kind: m.methodKind,
        path: `/${service.typeName}/${m.name}`,
        doc: t.tok(f.jsDoc(m, "  ")),
        defineFn: rt(defineFns[m.methodKind]),
        req: message(m.input, true),
        res: message(m.output, true),
        reqCodec: message(m.input, false),
        resCodec: message(m.output, false),
      })),
    };
  };

  return {
    services: file.services.map(serviceView),
    CallInvoker: rt("CallInvoker"),
    Channel: rt("Channel", true),
    CallOptions: rt("CallOptions", true),
    ServerStreamingCall: rt("ServerStreamingCall", true),
    ClientStreamingCall: rt("ClientStreamingCall", true),
    BidiStreamingCall: rt("BidiStreamingCall", true),
    UnaryHandler: rt("UnaryHandler", true),
    ServerStreamingHandler: rt("ServerStreamingHandler", true),
    ClientStreamingHandler: rt("ClientStreamingHandler", true),
    BidiStreamingHandler: rt("BidiStreamingHandler", true),
    Promise: globalPromise,
  };
}

/** The text plus `@deprecated` when the service is deprecated (the client and handlers inherit it). */
function withDeprecation(service: DescService, text: string): string {
  return service.deprecated ? `${text}\n\n@deprecated` : text;
}
