import type { DescFile, DescMethod, DescService } from "@bufbuild/protobuf";
import type { GeneratedFile, Printable, Schema } from "@bufbuild/protoplugin";
import { embeddedFileLiteral } from "./embedded-file.js";
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

/** One rpc, with every text the template prints for it computed here, whatever its kind. */
export interface MethodView {
  /** The client method, `FooService.methods` key and `FooHandlers` member. */
  name: string;
  doc: string;
  /** The `FooService.methods` entry, e.g. `unaryMethod<Req, Res>("/pkg.Foo/Get", Req, Res)`. */
  definition: string;
  /** Its type, spelled out, e.g. `MethodDefinition<Req, Res, "unary">` (see ServiceView.serviceType). */
  definitionType: string;
  /** The client method's parameter list: the request only when the client sends exactly one. */
  clientParams: string;
  /** What the client method returns, e.g. `Promise<Res>` or `BidiStreamingCall<Req, Res>`. */
  clientReturnType: string;
  /** The CallInvoker method the client method calls, e.g. `serverStreaming`. */
  invokerMethod: string;
  /** The CallInvoker call's arguments, e.g. `FooService.methods.get, request, options`. */
  invokerArgs: string;
  /** The `FooHandlers` member's type, e.g. `UnaryHandler<Req, Res>`. */
  handlerType: string;
}

export interface ServiceView {
  doc: string;
  clientDoc: string;
  handlersDoc: string;
  typeName: string;
  /** `export const FooService`, as a token so protoplugin knows the name. */
  serviceConstDecl: string;
  /**
   * The const's type, spelled out: with target=js+dts, protoplugin writes the
   * .d.ts without resolving imports, so an inferred type would come out `any`.
   */
  serviceType: string;
  /** The `file` member's value (descriptors for reflection): the message plugin's own descriptor (protobuf-es `file_foo`), or the literal on the file's first service and a reference to it on the others; absent with reflection=false. */
  file: string | undefined;
  clientClassDecl: string;
  handlersIfaceDecl: string;
  /** Runtime names the client class itself (not its methods) uses. */
  CallInvoker: string;
  Channel: string;
  CallOptions: string;
  methods: MethodView[];
}

export interface FileView {
  services: ServiceView[];
}

/** What differs between the four kinds of rpc; the runtime names are safestub exports. */
interface CallShape {
  /** Defines the method descriptor in `FooService.methods`. */
  defineFn: string;
  invokerMethod: string;
  /** The client passes one request to the call (unary, server streaming) rather than sending a stream of them. */
  oneRequest: boolean;
  /** The client call's result; `Promise` is the global one. */
  resultType: string;
  handlerType: string;
}

const callShapes: Record<DescMethod["methodKind"], CallShape> = {
  unary: { defineFn: "unaryMethod", invokerMethod: "unary", oneRequest: true, resultType: "Promise", handlerType: "UnaryHandler" },
  server_streaming: {
    defineFn: "serverStreamingMethod",
    invokerMethod: "serverStreaming",
    oneRequest: true,
    resultType: "ServerStreamingCall",
    handlerType: "ServerStreamingHandler",
  },
  client_streaming: {
    defineFn: "clientStreamingMethod",
    invokerMethod: "clientStreaming",
    oneRequest: false,
    resultType: "ClientStreamingCall",
    handlerType: "ClientStreamingHandler",
  },
  bidi_streaming: {
    defineFn: "bidiStreamingMethod",
    invokerMethod: "bidiStreaming",
    oneRequest: false,
    resultType: "BidiStreamingCall",
    handlerType: "BidiStreamingHandler",
  },
};

/** Builds the template's view of one .proto file; every foreign name is a token. */
export function buildFileView(schema: Schema<SafestubOptions>, file: DescFile, f: GeneratedFile, t: Tokens): FileView {
  const { messages, runtimeImport, reflection } = schema.options;
  const runtimeValue = (name: string) => t.tok(f.import(name, runtimeImport));
  const runtimeType = (name: string) => t.tok(f.import(name, runtimeImport, true));
  // The global Promise, as a symbol "from this very file": protoplugin then treats
  // the name as taken and imports a message named Promise under an alias.
  const globalPromise = t.tok(f.import("Promise", `./${file.name}_grpc.js`, true));
  const CallOptions = runtimeType("CallOptions");

  const methodView = (m: DescMethod, name: string, serviceConst: string): MethodView => {
    const shape = callShapes[m.methodKind];
    const req = t.tok(messages.messageType(f, m.input));
    const res = t.tok(messages.messageType(f, m.output));
    // What senders give: the client's requests and the handler's responses (the message types for ts-proto).
    const reqInput = messages.messageInputType ? t.tok(messages.messageInputType(f, m.input, runtimeImport)) : req;
    const resInput = messages.messageInputType ? t.tok(messages.messageInputType(f, m.output, runtimeImport)) : res;
    const inputArgs = messages.messageInputType ? `, ${reqInput}, ${resInput}` : "";
    const codecs = `${t.tok(messages.messageCodec(f, m.input, runtimeImport))}, ${t.tok(messages.messageCodec(f, m.output, runtimeImport))}`;
    const resultType = shape.resultType === "Promise" ? globalPromise : runtimeType(shape.resultType);
    const callOptions = `options?: ${CallOptions}`;
    const descriptor = `${serviceConst}.methods.${name}`;
    return {
      name,
      doc: t.tok(f.jsDoc(m, "  ")),
      definition: `${runtimeValue(shape.defineFn)}<${req}, ${res}${inputArgs}>("/${m.parent.typeName}/${m.name}", ${codecs})`,
      definitionType: `${runtimeType("MethodDefinition")}<${req}, ${res}, "${m.methodKind}"${inputArgs}>`,
      clientParams: shape.oneRequest ? `request: ${reqInput}, ${callOptions}` : callOptions,
      // A call the client streams requests into is typed by both messages; one with a single request only by the response.
      clientReturnType: shape.oneRequest ? `${resultType}<${res}>` : `${resultType}<${reqInput}, ${res}>`,
      invokerMethod: shape.invokerMethod,
      invokerArgs: shape.oneRequest ? `${descriptor}, request, options` : `${descriptor}, options`,
      handlerType: `${runtimeType(shape.handlerType)}<${req}, ${resInput}>`,
    };
  };

  // Reflection's descriptors: the message plugin's own where it writes them (protobuf-es), else embedded once, on the first service.
  const generatedDescriptor = reflection && messages.fileDescriptor ? t.tok(messages.fileDescriptor(f, file)) : undefined;
  const FileType = !reflection ? "" : generatedDescriptor ? runtimeType("DescFileLike") : runtimeType("EmbeddedFile");
  const firstServiceConst = `${file.services[0]?.name}Service`;
  const fileOf = (service: DescService) => (!reflection ? undefined : generatedDescriptor ?? (service === file.services[0] ? embeddedFileLiteral(file) : `${firstServiceConst}.file`));

  const serviceView = (service: DescService): ServiceView => {
    const names = methodNames(service.methods);
    const serviceConst = `${service.name}Service`;
    const methods = service.methods.map((m, i) => methodView(m, names[i]!, serviceConst));
    const methodTypes = methods.map((m) => `readonly ${m.name}: ${m.definitionType}; `).join("");
    return {
      doc: t.tok(f.jsDoc(service)),
      clientDoc: t.tok(f.jsDoc(withDeprecation(service, `${service.name}Client calls ${service.typeName} over a Channel. Any number of clients and parallel calls may share one Channel; the client never closes it.`))),
      handlersDoc: t.tok(f.jsDoc(withDeprecation(service, `${service.name}Handlers is what a server implements for ${service.typeName}; pass it to \`server.add(${service.name}Service, handlers)\`.`))),
      typeName: service.typeName,
      serviceConstDecl: t.tok(f.export("const", serviceConst)),
      serviceType: `{ readonly typeName: "${service.typeName}"; readonly methods: { ${methodTypes}}${reflection ? `; readonly file: ${FileType}` : ""} }`,
      file: fileOf(service),
      clientClassDecl: t.tok(f.export("class", `${service.name}Client`)),
      handlersIfaceDecl: t.tok(f.export("interface", `${service.name}Handlers`)),
      CallInvoker: runtimeValue("CallInvoker"),
      Channel: runtimeType("Channel"),
      CallOptions,
      methods,
    };
  };

  return { services: file.services.map(serviceView) };
}

/** The text plus `@deprecated` when the service is deprecated (the client and handlers inherit it). */
function withDeprecation(service: DescService, text: string): string {
  return service.deprecated ? `${text}\n\n@deprecated` : text;
}
