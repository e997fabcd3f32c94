import { fromBinary, toBinary, type DescFile } from "@bufbuild/protobuf";
import { base64Decode } from "@bufbuild/protobuf/wire";
import * as wkt from "@bufbuild/protobuf/wkt";
import type { DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import type { ServiceFile } from "../core/service-file.js";

/** One .proto file of the pool: its serialized FileDescriptorProto, as reflection sends it, and the parsed message. */
interface PoolFile {
  readonly bytes: Uint8Array;
  readonly proto: FileDescriptorProto;
}

/**
 * The well-known types' files by name, from @bufbuild/protobuf/wkt: generated
 * code does not embed them (see plugin/embedded-file.ts), the pool takes them
 * from here when a file imports them.
 */
const shippedFiles: ReadonlyMap<string, DescFile> = new Map(
  Object.entries(wkt)
    .filter(([key]) => key.startsWith("file_"))
    .map(([, file]) => [(file as DescFile).proto.name, file as DescFile]),
);

/**
 * DescriptorPool holds the .proto files a server's services come from (and
 * all they import), indexed the way reflection asks: by file name, by the
 * full name of any symbol declared in them, and by extended message and
 * extension number. A file is known by its name: added twice, the first copy
 * stays.
 */
export class DescriptorPool {
  readonly #files = new Map<string, PoolFile>();
  /** Full name (no leading dot) of every package-level or nested declaration -> its file's name. */
  readonly #symbols = new Map<string, string>();
  /** Full names of the messages, for all_extension_numbers_of_type. */
  readonly #messages = new Set<string>();
  /** Extended message's full name -> extension number -> the file that declares the extension. */
  readonly #extensions = new Map<string, Map<number, string>>();
  readonly #added = new Set<ServiceFile>();

  /** Adds the files of a service's definition (`FooService.file`); adding the same one again does nothing. */
  add(file: ServiceFile): void {
    if (this.#added.has(file)) return;
    this.#added.add(file);
    if ("protos" in file) {
      for (const [name, base64] of Object.entries(file.protos)) {
        if (this.#files.has(name)) continue;
        const bytes = base64Decode(base64);
        this.#index({ bytes, proto: fromBinary(wkt.FileDescriptorProtoSchema, bytes) });
      }
      for (const name of Object.keys(file.protos)) this.#addShippedImports(this.#files.get(name)!.proto);
    } else {
      this.#addDescFile(file as DescFile);
    }
  }

  /** The file named `name`. */
  file(name: string): FileDescriptorProto | undefined {
    return this.#files.get(name)?.proto;
  }

  /** The file that declares `symbol` (a package-qualified name without leading dot: a service, method, message, field, enum, enum value, extension). */
  fileContainingSymbol(symbol: string): FileDescriptorProto | undefined {
    const name = this.#symbols.get(symbol);
    return name === undefined ? undefined : this.file(name);
  }

  /** The file that declares extension `number` of message `extendee`. */
  fileContainingExtension(extendee: string, number: number): FileDescriptorProto | undefined {
    const name = this.#extensions.get(extendee)?.get(number);
    return name === undefined ? undefined : this.file(name);
  }

  /** The numbers of the extensions of message `extendee` in the pool, ascending; undefined when it is no message of the pool. */
  extensionNumbers(extendee: string): number[] | undefined {
    if (!this.#messages.has(extendee)) return undefined;
    return [...(this.#extensions.get(extendee)?.keys() ?? [])].sort((a, b) => a - b);
  }

  /**
   * `file` and its transitive imports, serialized, breadth first, `file`
   * first; an import already in `sent` is left out (and added to it), as
   * gRPC-Go's reflection does within one stream. Imports missing from the
   * pool are skipped.
   */
  withDependencies(file: FileDescriptorProto, sent: Set<string>): Uint8Array[] {
    const out: Uint8Array[] = [];
    const seen = new Set<string>();
    const queue = [file.name];
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const entry = this.#files.get(name);
      if (entry === undefined || seen.has(name)) continue;
      seen.add(name);
      if (out.length === 0 || !sent.has(name)) out.push(entry.bytes);
      sent.add(name);
      queue.push(...entry.proto.dependency);
    }
    return out;
  }

  #addDescFile(file: DescFile): void {
    if (this.#files.has(file.proto.name)) return;
    this.#index({ bytes: toBinary(wkt.FileDescriptorProtoSchema, file.proto), proto: file.proto });
    for (const dependency of file.dependencies) this.#addDescFile(dependency);
  }

  #addShippedImports(proto: FileDescriptorProto): void {
    for (const name of proto.dependency) {
      const shipped = shippedFiles.get(name);
      if (shipped !== undefined) this.#addDescFile(shipped);
    }
  }

  #index(file: PoolFile): void {
    const { proto } = file;
    this.#files.set(proto.name, file);
    const scope = proto.package === "" ? "" : `${proto.package}.`;
    const symbol = (fullName: string) => {
      if (!this.#symbols.has(fullName)) this.#symbols.set(fullName, proto.name);
    };
    const extension = (field: FieldDescriptorProto, scope: string) => {
      symbol(scope + field.name);
      const extendee = field.extendee.replace(/^\./, "");
      let numbers = this.#extensions.get(extendee);
      if (numbers === undefined) this.#extensions.set(extendee, (numbers = new Map()));
      if (!numbers.has(field.number)) numbers.set(field.number, proto.name);
    };
    // An enum value is named in the enum's enclosing scope (C++ scoping), e.g. pkg.RED for pkg.Color.RED.
    const enumType = (e: EnumDescriptorProto, scope: string) => {
      symbol(scope + e.name);
      for (const value of e.value) symbol(scope + value.name);
    };
    const message = (m: DescriptorProto, scope: string) => {
      const name = scope + m.name;
      symbol(name);
      this.#messages.add(name);
      for (const field of m.field) symbol(`${name}.${field.name}`);
      for (const oneof of m.oneofDecl) symbol(`${name}.${oneof.name}`);
      for (const nested of m.nestedType) message(nested, `${name}.`);
      for (const e of m.enumType) enumType(e, `${name}.`);
      for (const field of m.extension) extension(field, `${name}.`);
    };
    for (const m of proto.messageType) message(m, scope);
    for (const e of proto.enumType) enumType(e, scope);
    for (const field of proto.extension) extension(field, scope);
    for (const service of proto.service) {
      symbol(scope + service.name);
      for (const method of service.method) symbol(`${scope}${service.name}.${method.name}`);
    }
  }
}
