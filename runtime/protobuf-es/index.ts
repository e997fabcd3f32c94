// safestub/protobuf-es: the codec adapter for protoc-gen-es v2 messages (generated code with
// `messages=protobuf-es` imports it). A subpath of its own, so that `safestub` itself never loads
// @bufbuild/protobuf's reflection runtime, which ts-proto users do not need.
import { create, fromBinary, toBinary, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import type { Codec } from "../core/codec.js";

/**
 * A Codec over a protoc-gen-es message schema (`FooSchema`): it decodes to the
 * message type (`Foo`, with `$typeName`) and encodes a message or a partial
 * init (`MessageInitShape<typeof FooSchema>`, as Connect-ES accepts); `create`
 * returns a message of this schema as it is and completes an init.
 * Anything but an object is refused: protobuf-es's `create` would take
 * `undefined` (a handler that forgot to return) as an empty message, where the
 * runtime's rule, as with ts-proto, is that it does not encode (INTERNAL).
 * It is used in generated code.
 */
export function protobufEsCodec<Desc extends DescMessage>(schema: Desc): Codec<MessageShape<Desc>, MessageInitShape<Desc>> {
  return {
    encode: (message) => {
      if (typeof message !== "object" || message === null) throw new TypeError(`${schema.typeName}: expected a message or an init object, got ${message === null ? "null" : typeof message}`);
      return toBinary(schema, create(schema, message));
    },
    decode: (bytes) => fromBinary(schema, bytes),
  };
}
