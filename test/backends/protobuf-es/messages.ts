// What tells the protobuf-es backend's messages apart, for suites that run on both backends.
/** Which message backend this is. */
export const messages: "ts-proto" | "protobuf-es" = "protobuf-es";

/** A received message (or a tree of them) as plain fields, to compare with toEqual: every `$typeName` dropped. */
export function withoutTypeNames<T>(value: T): unknown {
  if (Array.isArray(value)) return value.map(withoutTypeNames);
  if (value === null || typeof value !== "object" || value instanceof Uint8Array) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== "$typeName").map(([key, v]) => [key, withoutTypeNames(v)]));
}

/** A received message's fields: a protobuf-es message also carries its `$typeName`, checked here. */
export function fieldsOf(message: object): Record<string, unknown> {
  const { $typeName, ...fields } = message as { $typeName?: unknown };
  if (typeof $typeName !== "string") throw new Error(`not a protobuf-es message (no $typeName): ${JSON.stringify(message)}`);
  return fields;
}
