/**
 * The ts-proto options that change message names or import paths, under
 * ts-proto's own names and values, and those that decide whether ts-proto
 * writes the encode/decode safestub calls. safestub takes every ts-proto
 * option, so both plugins can be given the same list; the others change
 * nothing safestub writes.
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
  /** What ts-proto was told about encode/decode, as given (checked together by checkTsProtoCodecs). */
  codecs: { onlyTypes: boolean; outputEncodeMethods: string | undefined; nestJs: boolean; outputServices: boolean; encodeIncludeTypes: string; decodeIncludeTypes: string };
}

/**
 * Every option ts-proto 2.x takes (its `defaultOptions()` keys; `M` is
 * `M<file>.proto=<module>`). A test compares the list with the installed ts-proto.
 */
export const tsProtoOptionNames: readonly string[] = [
  "context", "useContextDataloaders", "snakeToCamel", "protoJsonFormat", "emitDefaultValues", "globalThisPolyfill", "forceLong",
  "useJsTypeOverride", "useOptionals", "useDate", "useJsonTimestamp", "useMongoObjectId", "oneof", "esModuleInterop", "fileSuffix",
  "importSuffix", "lowerCaseServiceMethods", "outputEncodeMethods", "outputEncodeIncludeTypes", "outputDecodeIncludeTypes",
  "outputJsonMethods", "outputPartialMethods", "outputTypeAnnotations", "outputTypeRegistry", "stringEnums", "constEnums",
  "removeEnumPrefix", "enumsAsLiterals", "outputClientImpl", "outputServices", "returnObservable", "addGrpcMetadata", "metadataType",
  "addNestjsRestParameter", "useNestjsFqnServiceName", "nestJs", "env", "unrecognizedEnum", "unrecognizedEnumName",
  "unrecognizedEnumValue", "exportCommonSymbols", "outputSchema", "onlyTypes", "emitImportedFiles", "useExactTypes", "useAbortSignal",
  "useAsyncIterable", "unknownFields", "usePrototypeForDefaults", "useJsonName", "useJsonWireFormat", "useNumericEnumForJson",
  "initializeFieldsAsUndefined", "useMapType", "useReadonlyTypes", "useUnknownForValue", "useSnakeTypeName", "outputExtensions",
  "outputIndex", "M", "rpcBeforeRequest", "rpcAfterResponse", "rpcErrorHandler", "comments", "disableProto2Optionals",
  "disableProto2DefaultValues", "useNullAsOptional", "annotateFilesWithVersion", "noDefaultsForOptionals", "bigIntLiteral",
  "typePrefix", "typeSuffix", "messagePrefix", "messageSuffix", "enumPrefix", "enumSuffix", "useDuration", "anyType",
];

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
    codecs: { onlyTypes: false, outputEncodeMethods: undefined, nestJs: false, outputServices: false, encodeIncludeTypes: "", decodeIncludeTypes: "" },
  };
}

type AffixOption = "typePrefix" | "typeSuffix" | "messagePrefix" | "messageSuffix" | "enumPrefix" | "enumSuffix";
const affixOptions: readonly string[] = ["typePrefix", "typeSuffix", "messagePrefix", "messageSuffix", "enumPrefix", "enumSuffix"];

/**
 * Applies one option if it is a ts-proto option and returns true (those that
 * change nothing safestub writes are taken and ignored); returns false for any
 * other key. Throws an Error with a one-line reason on an invalid value.
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
    case "onlyTypes":
      options.codecs.onlyTypes = parseBool(key, value);
      return true;
    case "outputEncodeMethods":
      options.codecs.outputEncodeMethods = value;
      return true;
    case "nestJs":
      options.codecs.nestJs = parseBool(key, value);
      return true;
    case "outputServices":
      options.codecs.outputServices = true;
      return true;
    case "outputEncodeIncludeTypes":
    case "outputDecodeIncludeTypes":
      try {
        new RegExp(value);
      } catch {
        throw new Error(`${key} must be a regular expression (ts-proto matches it against full message names)`);
      }
      options.codecs[key === "outputEncodeIncludeTypes" ? "encodeIncludeTypes" : "decodeIncludeTypes"] = value;
      return true;
    default:
      return tsProtoOptionNames.includes(key);
  }
}

/**
 * The reasons, one line each, why ts-proto told these options would write no
 * encode or no decode for the messages, which safestub's codecs call (as
 * ts-proto decides it: onlyTypes wins, then an explicit outputEncodeMethods,
 * then nestJs, which turns them off unless outputServices is given).
 */
export function tsProtoCodecProblems(options: TsProtoOptions): string[] {
  const { onlyTypes, outputEncodeMethods, nestJs, outputServices } = options.codecs;
  const fix = (option: string) => `remove ${option} from ts-proto's options and safestub's`;
  if (onlyTypes) return [`onlyTypes=true: ts-proto then writes no encode/decode, which safestub's codecs call; ${fix("onlyTypes=true")}`];
  if (outputEncodeMethods !== undefined && outputEncodeMethods !== "true") {
    return [`outputEncodeMethods=${outputEncodeMethods}: safestub's codecs call both encode and decode, which ts-proto writes only with outputEncodeMethods=true (the default); ${fix(`outputEncodeMethods=${outputEncodeMethods}`)}`];
  }
  if (outputEncodeMethods === undefined && nestJs && !outputServices) {
    return ["nestJs=true: ts-proto then writes no encode/decode, which safestub's codecs call; give both plugins outputEncodeMethods=true (or outputServices=false) as well"];
  }
  return [];
}

/**
 * Throws when ts-proto's outputEncodeIncludeTypes / outputDecodeIncludeTypes
 * leave out a message safestub encodes and decodes (ts-proto then writes an
 * encode that writes nothing, or a decode that reads nothing).
 */
export function checkTsProtoCodecFor(options: TsProtoOptions, typeName: string): void {
  for (const [option, pattern] of [["outputEncodeIncludeTypes", options.codecs.encodeIncludeTypes], ["outputDecodeIncludeTypes", options.codecs.decodeIncludeTypes]] as const) {
    if (pattern !== "" && !new RegExp(pattern).test(typeName)) {
      throw new Error(`${option}=${pattern} leaves out ${typeName}, which an rpc sends or receives: ts-proto would give it an empty ${option === "outputEncodeIncludeTypes" ? "encode" : "decode"}; make the pattern match it, for ts-proto and safestub`);
    }
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
