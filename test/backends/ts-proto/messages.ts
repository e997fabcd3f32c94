// What tells the ts-proto backend's messages apart, for suites that run on both backends.
/** Which message backend this is. */
export const messages: "ts-proto" | "protobuf-es" = "ts-proto";

/** A received message (or a tree of them) as plain fields, to compare with toEqual: ts-proto messages are that already. */
export function withoutTypeNames<T>(value: T): unknown {
  return value;
}

/** A received message's fields: a ts-proto message is a plain object of its fields. */
export function fieldsOf(message: object): Record<string, unknown> {
  return { ...message };
}
