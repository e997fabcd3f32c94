/**
 * Options of protoc-gen-safestub, beside protoplugin's standard ones
 * (target, import_extension, ...). They mirror, under ts-proto's own names
 * and values, the ts-proto options that change message names or import
 * paths, so both plugins can be given the same values.
 */
export interface SafestubOptions {
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
  importMappings: ReadonlyMap<string, string>;
  /** Where generated code imports the runtime from (default "safestub"). */
  runtimeImport: string;
}

export const defaultOptions: SafestubOptions = {
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
  runtimeImport: "safestub",
};

type AffixOption = "typePrefix" | "typeSuffix" | "messagePrefix" | "messageSuffix" | "enumPrefix" | "enumSuffix";
const affixOptions: readonly string[] = ["typePrefix", "typeSuffix", "messagePrefix", "messageSuffix", "enumPrefix", "enumSuffix"];

/**
 * Parses the options protoplugin does not know; throws an Error with a
 * one-line reason on anything unknown or invalid (protoplugin prefixes it
 * with the offending option).
 */
export function parseOptions(raw: { key: string; value: string }[]): SafestubOptions {
  const options = { ...defaultOptions };
  const importMappings = new Map<string, string>();
  for (const { key, value } of raw) {
    if (affixOptions.includes(key)) {
      if (!/^[A-Za-z0-9_$]*$/.test(value)) throw new Error(`${key} must be made of identifier characters (A-Z, a-z, 0-9, _, $)`);
      options[key as AffixOption] = value;
      continue;
    }
    if (key.startsWith("M") && key.endsWith(".proto")) {
      if (value === "") throw new Error(`${key} needs a module to import from, e.g. ${key}=@scope/package`);
      importMappings.set(key.slice(1), value);
      continue;
    }
    switch (key) {
      case "useSnakeTypeName":
        options.useSnakeTypeName = parseBool(key, value);
        break;
      case "snakeToCamel":
        options.snakeToCamelTypeNames = parseSnakeToCamel(value);
        break;
      case "fileSuffix":
        if (!/^[\w.-]*$/.test(value)) throw new Error(`fileSuffix must be made of letters, digits, ".", "_" and "-", like ".pb"`);
        options.fileSuffix = value;
        break;
      case "onlyTypes":
        if (value !== "false") throw new Error("ts-proto then emits no message codecs, and safestub clients need encode/decode");
        break;
      case "outputEncodeMethods":
        if (value !== "true") throw new Error("safestub clients need ts-proto's encode and decode methods");
        break;
      case "runtime_import":
        if (value === "") throw new Error("runtime_import needs a module specifier, e.g. runtime_import=safestub");
        options.runtimeImport = value;
        break;
      default:
        throw new Error(`unknown option "${key}"`);
    }
  }
  options.importMappings = importMappings;
  return options;
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
