/**
 * The ts-proto options that change message names or import paths, under
 * ts-proto's own names and values, so both plugins can be given the same ones.
 */
export interface TsProtoOptions {
  /** ts-proto `useSnakeTypeName` (default true): nested names joined with "_". */
  useSnakeTypeName: boolean;
  /** ts-proto `snakeToCamel` includes "keys" (default true): snake_case type name parts become camelCase. */
  snakeToCamelTypeNames: boolean;
  /** ts-proto `fileSuffix` (default ""): `foo.proto` -> `foo<suffix>.ts`. */
  fileSuffix: string;
  /** ts-proto `typePrefix`, `typeSuffix`, `messagePrefix`, `messageSuffix`, `enumPrefix`, `enumSuffix` (default ""). */
  typePrefix: string;
  typeSuffix: string;
  messagePrefix: string;
  messageSuffix: string;
  enumPrefix: string;
  enumSuffix: string;
  /** ts-proto `M<file>.proto=<module>`: messages of that file are imported from the module. */
  importMappings: Map<string, string>;
}

export function defaultTsProtoOptions(): TsProtoOptions {
  return {
    useSnakeTypeName: true,
    snakeToCamelTypeNames: true,
    fileSuffix: "",
    typePrefix: "",
    typeSuffix: "",
    messagePrefix: "",
    messageSuffix: "",
    enumPrefix: "",
    enumSuffix: "",
    importMappings: new Map(),
  };
}

type AffixOption = "typePrefix" | "typeSuffix" | "messagePrefix" | "messageSuffix" | "enumPrefix" | "enumSuffix";
const affixOptions: readonly string[] = ["typePrefix", "typeSuffix", "messagePrefix", "messageSuffix", "enumPrefix", "enumSuffix"];

/**
 * Applies one option if it is a ts-proto option safestub mirrors or checks
 * and returns true; returns false for any other key. Throws an Error with a
 * one-line reason on an invalid value.
 */
export function parseTsProtoOption(options: TsProtoOptions, key: string, value: string): boolean {
  if (affixOptions.includes(key)) {
    if (!/^[A-Za-z0-9_$]*$/.test(value)) throw new Error(`${key} must be made of identifier characters (A-Z, a-z, 0-9, _, $)`);
    options[key as AffixOption] = value;
    return true;
  }
  if (key.startsWith("M") && key.endsWith(".proto")) {
    if (value === "") throw new Error(`${key} needs a module to import from, e.g. ${key}=@scope/package`);
    options.importMappings.set(key.slice(1), value);
    return true;
  }
  switch (key) {
    case "useSnakeTypeName":
      options.useSnakeTypeName = parseBool(key, value);
      return true;
    case "snakeToCamel":
      options.snakeToCamelTypeNames = parseSnakeToCamel(value);
      return true;
    case "fileSuffix":
      if (!/^[\w.-]*$/.test(value)) throw new Error(`fileSuffix must be made of letters, digits, ".", "_" and "-", like ".pb"`);
      options.fileSuffix = value;
      return true;
    // The two below change no name; they are refused because they would leave safestub's output without codecs.
    case "onlyTypes":
      if (value !== "false") throw new Error("ts-proto then emits no message codecs, and safestub clients need encode/decode");
      return true;
    case "outputEncodeMethods":
      if (value !== "true") throw new Error("safestub clients need ts-proto's encode and decode methods");
      return true;
    default:
      return false;
  }
}

function parseBool(key: string, value: string): boolean {
  if (value === "true") return true;
  if (value === "false") return false;
  throw new Error(`${key} must be true or false`);
}

/** ts-proto: `snakeToCamel=false`, `true` (= keys_json), or "keys" and "json" joined by "_". Only "keys" matters for type names. */
function parseSnakeToCamel(value: string): boolean {
  if (value === "true") return true;
  if (value === "false") return false;
  const parts = value.split("_");
  if (value !== "" && parts.every((p) => p === "keys" || p === "json")) return parts.includes("keys");
  throw new Error(`snakeToCamel must be true, false, keys, json or keys_json`);
}
