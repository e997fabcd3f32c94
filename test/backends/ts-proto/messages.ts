// What tells the ts-proto backend's messages apart, for suites that run on both backends.
export const messages = "ts-proto";

/** A received message's fields: a ts-proto message is a plain object of its fields. */
export function fieldsOf(message: object): Record<string, unknown> {
  return { ...message };
}
