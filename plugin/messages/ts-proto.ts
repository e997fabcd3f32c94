import type { DescEnum, DescFile, DescMessage } from "@bufbuild/protobuf";
import type { MessageBackend, MessageBackendFactory } from "./backend.js";
import { checkTsProtoCodecFor, defaultTsProtoOptions, parseTsProtoOption, tsProtoCodecProblems, type TsProtoOptions } from "./ts-proto-options.js";

/** Messages from ts-proto: one const per message that is both its interface and its codec. */
export const tsProtoBackend: MessageBackendFactory<TsProtoOptions> = {
  defaultOptions: defaultTsProtoOptions,
  parseOption: parseTsProtoOption,
  create: (options): MessageBackend => {
    const problems = tsProtoCodecProblems(options);
    if (problems.length > 0) throw new Error(problems.join("; "));
    return {
      checkOutputs: (file, outputNames, allFiles) => checkNoTsProtoFile(file, outputNames, allFiles, options),
      messageType: (f, message) => f.import(tsProtoTypeName(message, options), tsProtoImportPath(message.file, options), true),
      // ts-proto's const has encode(m).finish(): the runtime's adapter turns it into a Codec.
      messageCodec: (f, message, runtimeImport) => {
        checkTsProtoCodecFor(options, message.typeName);
        return [f.import("tsProtoCodec", runtimeImport), "(", f.import(tsProtoTypeName(message, options), tsProtoImportPath(message.file, options)), ")"];
      },
    };
  },
};

/**
 * ts-proto writes `<file><fileSuffix>.ts` for every file it is given, so a
 * `foo_grpc.proto` would take the `foo_grpc.ts` safestub writes for `foo.proto`.
 */
function checkNoTsProtoFile(file: DescFile, outputNames: readonly string[], allFiles: readonly DescFile[], options: TsProtoOptions): void {
  for (const name of outputNames) {
    const clash = allFiles.find((other) => `${other.name}${options.fileSuffix}.ts` === name);
    if (clash) {
      throw new Error(`${file.proto.name}: safestub would write ${name}, which ts-proto writes for ${clash.proto.name}; rename one of the two files or give both plugins a fileSuffix`);
    }
  }
}

/**
 * The identifier ts-proto exports for a message or enum (the interface and
 * the codec const share it). Mirrors ts-proto 2.x (src/visit.ts, case.ts):
 * - each name part, outermost first, is snake-to-camel'd if it contains "_"
 *   (unless ts-proto's `snakeToCamel` leaves out "keys");
 * - parts are joined with "_" (`useSnakeTypeName=true`, the default) or "";
 * - typePrefix + messagePrefix + name + messageSuffix + typeSuffix;
 * - a result of exactly `Date` or `Function` gets a `Message` suffix.
 */
export function tsProtoTypeName(desc: DescMessage | DescEnum, options: TsProtoOptions): string {
  const parts: string[] = [];
  for (let d: DescMessage | DescEnum | undefined = desc; d; d = d.parent) parts.unshift(d.name);
  const converted = parts.map((part) => (options.snakeToCamelTypeNames && part.includes("_") ? snakeToCamel(part) : part));
  const joined = converted.join(options.useSnakeTypeName ? "_" : "");
  const affixed =
    desc.kind === "enum"
      ? options.typePrefix + options.enumPrefix + joined + options.enumSuffix + options.typeSuffix
      : options.typePrefix + options.messagePrefix + joined + options.messageSuffix + options.typeSuffix;
  return affixed === "Date" || affixed === "Function" ? `${affixed}Message` : affixed;
}

/** ts-proto's snakeToCamel for type names: `snake_case` -> `snakeCase`, `FOO_BAR` -> `fooBar`, `Foo_Bar` -> `FooBar`. */
function snakeToCamel(s: string): string {
  const hasLower = /[a-z]/.test(s);
  return s
    .split("_")
    .map((word, i) => {
      const w = hasLower ? word : word.toLowerCase();
      return i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1);
    })
    .join("");
}

/**
 * Where ts-proto's module for `file` is imported from: an `M<file>.proto=<module>`
 * mapping as given, otherwise `./<file><fileSuffix>.js` relative to the
 * output root (protoplugin makes it relative to the importing file and
 * applies `import_extension` to the `.js`).
 */
export function tsProtoImportPath(file: DescFile, options: TsProtoOptions): string {
  return options.importMappings.get(`${file.name}.proto`) ?? `./${file.name}${options.fileSuffix}.js`;
}
