// safestub/protobuf-es: the codec adapter for protoc-gen-es v2 messages (generated code with
// `messages=protobuf-es` imports it). A subpath of its own, so that `safestub` itself never loads
// @bufbuild/protobuf's reflection runtime, which ts-proto users do not need.
import { create, fromBinary, toBinary, type Message, type MessageInitShape } from "@bufbuild/protobuf";
import type { GenMessage } from "@bufbuild/protobuf/codegenv2";
import type { Codec } from "../core/codec.js";

/**
 * The init type of the protoc-gen-es message `T`: `T` itself or an object of
 * its fields, all optional, nested messages as inits too. It is the type
 * protobuf-es's `MessageInitShape<typeof TSchema>` resolves to (its
 * `MessageInit<T>`, which @bufbuild/protobuf does not export), written out
 * over the message type so that naming it costs the type checker nothing
 * until a value is checked against it: `MessageInitShape` first matches the
 * schema against two descriptor types, about fifteen times the work per
 * message, which on a large API was most of the cost of type-checking the
 * generated `_grpc.ts` (bench/RESULTS.md). test/types/protobuf-es/
 * init-equivalence.ts checks that the two stay the same type for every kind
 * of field.
 */
export type MessageInit<T extends Message> = T | { [P in keyof T as P extends "$unknown" ? never : P]?: P extends "$typeName" ? never : FieldInit<T[P]> };

type FieldInit<F> = F extends Date | Uint8Array | bigint | boolean | string | number
  ? F
  : F extends Array<infer U>
    ? Array<FieldInit<U>>
    : F extends ReadonlyArray<infer U>
      ? ReadonlyArray<FieldInit<U>>
      : F extends Message
        ? MessageInit<F>
        : F extends { case: infer C extends string; value: infer V extends Message }
          ? { case: C; value: MessageInit<V> }
          : F extends OneofCase
            ? F
            : F extends { [key: string | number]: infer V extends Message }
              ? { [key: string | number]: MessageInit<V> }
              : F;

/** A oneof's value in a message (protobuf-es's `OneofADT`, which it does not export either). */
type OneofCase = { case: undefined; value?: undefined } | { case: string; value: Message | string | number | bigint | boolean | Uint8Array };

/**
 * A Codec over a protoc-gen-es message schema (`FooSchema`): it decodes to the
 * message type (`Foo`, with `$typeName`) and encodes a message or a partial
 * init (`MessageInit<Foo>`, as Connect-ES accepts); `create` returns a message
 * of this schema as it is and completes an init.
 * Anything but an object is refused: protobuf-es's `create` would take
 * `undefined` (a handler that forgot to return) as an empty message, where the
 * runtime's rule, as with ts-proto, is that it does not encode (INTERNAL).
 * It is used in generated code.
 */
export function protobufEsCodec<T extends Message>(schema: GenMessage<T>): Codec<T, MessageInit<T>> {
  return {
    encode: (message) => {
      if (typeof message !== "object" || message === null) throw new TypeError(`${schema.typeName}: expected a message or an init object, got ${message === null ? "null" : typeof message}`);
      // The same type as MessageInit<T> (see there); the checker cannot tell for a generic T.
      return toBinary(schema, create(schema, message as MessageInitShape<GenMessage<T>>));
    },
    decode: (bytes) => fromBinary(schema, bytes),
  };
}
