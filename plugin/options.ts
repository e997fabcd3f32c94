import type { MessageBackend, MessageBackendFactory } from "./messages/backend.js";
import { protobufEsBackend } from "./messages/protobuf-es.js";
import { tsProtoBackend } from "./messages/ts-proto.js";

/**
 * Options of protoc-gen-safestub, beside protoplugin's standard ones
 * (target, import_extension, ...): safestub's own, and the message
 * backend's, which that backend parses.
 */
export interface SafestubOptions {
  /** Where generated code imports the runtime from (default "safestub"). */
  runtimeImport: string;
  /** Where message types and codecs come from, configured by the backend's options. */
  messages: MessageBackend;
}

/**
 * Parses the options protoplugin does not know (`messages=ts-proto|protobuf-es`
 * picks the message backend, ts-proto by default); throws an Error with a
 * one-line reason on anything unknown or invalid (protoplugin prefixes it
 * with the offending option).
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
  const backendOptions = backend.defaultOptions();
  for (const { key, value } of raw) {
    if (key === "runtime_import") {
      if (value === "") throw new Error("runtime_import needs a module specifier, e.g. runtime_import=safestub");
      runtimeImport = value;
    } else if (!backend.parseOption(backendOptions, key, value)) {
      throw new Error(`unknown option "${key}"`);
    }
  }
  return { runtimeImport, messages: backend.create(backendOptions) };
}
