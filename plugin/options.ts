import type { MessageBackend, MessageBackendFactory } from "./messages/backend.js";
import { protobufEsBackend } from "./messages/protobuf-es.js";
import { tsProtoBackend } from "./messages/ts-proto.js";
import { unknownOptions } from "./unknown-options.js";

/**
 * Options of protoc-gen-safestub, beside protoplugin's standard ones
 * (target, import_extension, ...): safestub's own, and the message
 * backend's, which that backend parses.
 */
export interface SafestubOptions {
  /** Where generated code imports the runtime from (default "safestub"). */
  runtimeImport: string;
  /**
   * Whether each generated service definition carries its file's descriptors
   * (`FooService.file`) for safestub/reflection (option `reflection`, default true).
   */
  reflection: boolean;
  /** Where message types and codecs come from, configured by the backend's options. */
  messages: MessageBackend;
}

/**
 * Parses the options protoplugin does not know (`messages=ts-proto|protobuf-es`
 * picks the message backend, ts-proto by default); throws an Error naming every
 * unknown key and invalid value, one `; `-separated line (normalizeParameter
 * calls it before protoplugin does, so that line reaches the user as it is).
 */
export function parseOptions(raw: { key: string; value: string }[]): SafestubOptions {
  const chosen = raw.filter((o) => o.key === "messages").map((o) => o.value);
  const name = chosen[0] ?? "ts-proto";
  if (chosen.some((v) => v !== name)) throw new Error("messages given twice with different values");
  const rest = raw.filter((o) => o.key !== "messages");
  if (name === "ts-proto") return parseOptionsFor(tsProtoBackend, rest);
  if (name === "protobuf-es") return parseOptionsFor(protobufEsBackend, rest);
  throw new Error(`messages must be ts-proto (the default) or protobuf-es, not "${name}"`);
}

function parseOptionsFor<BackendOptions>(backend: MessageBackendFactory<BackendOptions>, raw: { key: string; value: string }[]): SafestubOptions {
  let runtimeImport = "safestub";
  let reflection = true;
  const backendOptions = backend.defaultOptions();
  // Every problem is collected, so one run names them all.
  const problems: string[] = [];
  const unknown: string[] = [];
  for (const { key, value } of raw) {
    try {
      if (key === "runtime_import") {
        if (value === "") throw new Error("runtime_import needs a module specifier, e.g. runtime_import=safestub");
        runtimeImport = value;
      } else if (key === "reflection") {
        if (value !== "true" && value !== "false") throw new Error(`reflection takes true or false, not "${value}"`);
        reflection = value === "true";
      } else if (!backend.parseOption(backendOptions, key, value)) {
        unknown.push(key);
      }
    } catch (err) {
      problems.push(`invalid option "${key}=${value}": ${(err as Error).message}`);
    }
  }
  if (unknown.length > 0) problems.unshift(unknownOptions(unknown));
  let messages: MessageBackend | undefined;
  try {
    messages = backend.create(backendOptions);
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (problems.length > 0 || !messages) throw new Error(problems.join("; "));
  return { runtimeImport, reflection, messages };
}
