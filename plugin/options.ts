/**
 * Options of protoc-gen-safestub, beside protoplugin's standard ones
 * (target, import_extension, ...). They mirror the ts-proto options that
 * change message names or import paths, so both plugins agree.
 */
export interface SafestubOptions {
  /** ts-proto `useSnakeTypeName` (default true): nested names joined with "_". */
  useSnakeTypeName: boolean;
  /** ts-proto `snakeToCamel` includes "keys" (default true): snake_case type name parts become camelCase. */
  snakeToCamelTypeNames: boolean;
  /** ts-proto `fileSuffix` (default ""): `foo.proto` -> `foo<suffix>.ts`. */
  fileSuffix: string;
  /** Where generated code imports the runtime from (default "safestub"). */
  runtimeImport: string;
}

export const defaultOptions: SafestubOptions = {
  useSnakeTypeName: true,
  snakeToCamelTypeNames: true,
  fileSuffix: "",
  runtimeImport: "safestub",
};

/** The ts-proto options that make its output unusable for us, with the reason. */
const refusedTsProtoOptions: Record<string, string> = {
  onlyTypes: "ts-proto then emits no message codecs, and clients need encode/decode",
  outputEncodeMethods: "clients need ts-proto's encode/decode methods",
  typePrefix: "not supported yet: generate without it",
  typeSuffix: "not supported yet: generate without it",
  messagePrefix: "not supported yet: generate without it",
  messageSuffix: "not supported yet: generate without it",
};

/** Parses the plugin's own options; throws an Error with a one-line reason on anything unknown or invalid. */
export function parseOptions(raw: { key: string; value: string }[]): SafestubOptions {
  const options = { ...defaultOptions };
  for (const { key, value } of raw) {
    switch (key) {
      case "useSnakeTypeName":
        options.useSnakeTypeName = parseBool(key, value);
        break;
      case "snakeToCamel":
        options.snakeToCamelTypeNames = parseSnakeToCamel(value);
        break;
      case "fileSuffix":
        if (!/^[\w.-]*$/.test(value)) throw new Error(`invalid value for fileSuffix: "${value}" (expected something like ".pb")`);
        options.fileSuffix = value;
        break;
      case "importSuffix":
        // ts-proto's importSuffix corresponds to protoplugin's import_extension.
        throw new Error(`option importSuffix is ts-proto's: use import_extension=js (for importSuffix=.js) or import_extension=none (for no suffix)`);
      case "runtime_import":
        if (value === "") throw new Error("runtime_import needs a module specifier, e.g. runtime_import=safestub");
        options.runtimeImport = value;
        break;
      default:
        if (key in refusedTsProtoOptions) {
          if (!(key === "outputEncodeMethods" && value === "true") && !(key === "onlyTypes" && value === "false")) {
            throw new Error(`option ${key}=${value} is not supported: ${refusedTsProtoOptions[key]}`);
          }
          break;
        }
        throw new Error(`unknown option "${key}"`);
    }
  }
  return options;
}

function parseBool(key: string, value: string): boolean {
  if (value === "true" || value === "") return true;
  if (value === "false") return false;
  throw new Error(`invalid value for ${key}: "${value}" (expected true or false)`);
}

function parseSnakeToCamel(value: string): boolean {
  // ts-proto: snakeToCamel=false, or a list of "keys" and "json" joined by "_" (true = keys_json).
  if (value === "false" || value === "none" || value === "json") return false;
  if (value === "" || value === "true") return true;
  const parts = value.split("_");
  if (parts.every((p) => p === "keys" || p === "json")) return parts.includes("keys");
  throw new Error(`invalid value for snakeToCamel: "${value}" (expected true, false, keys, json or keys_json)`);
}
