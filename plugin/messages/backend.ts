import type { DescFile, DescMessage } from "@bufbuild/protobuf";
import type { GeneratedFile, Printable } from "@bufbuild/protoplugin";

/**
 * The seam to the plugin that generates the messages (ts-proto, protobuf-es):
 * everything safestub needs to know about how that plugin names, places and
 * encodes messages. The view model and the template only see the Printables
 * it returns, so another message plugin plugs in here alone.
 */
export interface MessageBackend {
  /**
   * Throws, with a one-line reason, when one of the files safestub writes for
   * `file` (`outputNames`, as written) is also written by the message plugin
   * for some file of the request (`allFiles`).
   */
  checkOutputs(file: DescFile, outputNames: readonly string[], allFiles: readonly DescFile[]): void;
  /** The message's TypeScript type, imported type-only into `f`: what a receiver yields. */
  messageType(f: GeneratedFile, message: DescMessage): Printable;
  /**
   * The type a sender may give for the message, when it is wider than
   * messageType (protobuf-es takes a partial init or a message). A backend
   * whose messages are sent as they are received (ts-proto) leaves it out.
   * `runtimeImport` as for messageCodec.
   */
  messageInputType?(f: GeneratedFile, message: DescMessage, runtimeImport: string): Printable;
  /**
   * The expression generated code passes as the message's runtime Codec
   * (`{ encode(m): Uint8Array; decode(bytes) }`), with what it needs imported
   * into `f`; `runtimeImport` is where the runtime's adapters come from
   * (protobuf-es's from its `/protobuf-es` subpath).
   */
  messageCodec(f: GeneratedFile, message: DescMessage, runtimeImport: string): Printable;
  /**
   * The file's descriptor as the message plugin already generates it (a
   * protobuf-es DescFile, `file_foo`), imported into `f`, for reflection to
   * use instead of descriptors safestub embeds. A backend whose code carries
   * no descriptors (ts-proto) leaves it out.
   */
  fileDescriptor?(f: GeneratedFile, file: DescFile): Printable;
}

/**
 * How a backend is made from the plugin options it owns (options the message
 * plugin takes too, so both plugins can be given the same values).
 */
export interface MessageBackendFactory<Options> {
  /** Fresh options at their defaults, for parseOption to fill in. */
  defaultOptions(): Options;
  /**
   * Applies one plugin option to `options` and returns true if the key is one
   * of the backend's; returns false, changing nothing, for any other key.
   * Throws an Error with a one-line reason on a bad value.
   */
  parseOption(options: Options, key: string, value: string): boolean;
  /** Throws an Error with one-line reasons (joined by "; ") when the options cannot work together. */
  create(options: Options): MessageBackend;
}
