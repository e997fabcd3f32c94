// What tells the protobuf-es backend's messages apart, for suites that run on both backends.
export const messages = "protobuf-es";

/** A received message's fields: a protobuf-es message also carries its `$typeName`, checked here. */
export function fieldsOf(message: object): Record<string, unknown> {
  const { $typeName, ...fields } = message as { $typeName?: unknown };
  if (typeof $typeName !== "string") throw new Error(`not a protobuf-es message (no $typeName): ${JSON.stringify(message)}`);
  return fields;
}
