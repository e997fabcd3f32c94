import { Code } from "./code.js";
import { RpcError } from "./errors.js";

/**
 * Codec is how the runtime turns one message type into bytes and back.
 * Generated code builds one per message with an adapter for its message
 * library (`tsProtoCodec`, `protobufEsCodec` from "safestub/protobuf-es").
 * `T` is what decoding yields; `Input` is what encoding takes, the same type
 * for ts-proto and a wider one for protobuf-es (a partial init or a message).
 * Property style (not method style) keeps the parameter checked strictly, so
 * `Codec<unknown, I>` reads "encodes I" and `Codec<T, never>` "decodes to T".
 */
export interface Codec<T, Input = T> {
  readonly encode: (message: Input) => Uint8Array;
  readonly decode: (bytes: Uint8Array) => T;
}

/** The part of a ts-proto message const (`Foo`, with `encode(m).finish()` and `decode`) a codec needs. */
export interface TsProtoMessageFns<T> {
  readonly encode: (message: T) => { finish(): Uint8Array };
  readonly decode: (input: Uint8Array) => T;
}

/** A Codec over a ts-proto message const. It is used in generated code. */
export function tsProtoCodec<T>(fns: TsProtoMessageFns<T>): Codec<T> {
  return {
    encode: (message) => fns.encode(message).finish(),
    decode: (bytes) => fns.decode(bytes),
  };
}

/**
 * The one encode policy: a message that does not encode is INTERNAL
 * "failed to encode <what>" with the codec's error as cause (and its message
 * in the details unless `hideReason`: a server must not leak a handler's
 * internals). The result is a Buffer view of the bytes, not a copy: grpc-js
 * copies frames with Buffer#copy.
 */
export function encodeMessage<T>(codec: Codec<unknown, T>, message: T, what: string, hideReason = false, of?: string): Buffer {
  let bytes: Uint8Array;
  try {
    bytes = codec.encode(message);
  } catch (cause) {
    // `of` (a method path) is joined here, on failure only: the hot path builds no string.
    const subject = of === undefined ? what : `${what} of ${of}`;
    throw new RpcError(Code.INTERNAL, hideReason ? `failed to encode ${subject}` : `failed to encode ${subject}: ${reasonOf(cause)}`, undefined, { cause });
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The one decode policy: bytes that do not decode are INTERNAL "failed to decode <what>", cause kept. */
export function decodeMessage<T>(codec: Codec<T, never>, bytes: Uint8Array, what: string): T {
  try {
    return codec.decode(bytes);
  } catch (cause) {
    throw new RpcError(Code.INTERNAL, `failed to decode ${what}: ${reasonOf(cause)}`, undefined, { cause });
  }
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
