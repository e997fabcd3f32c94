import type { MessageBackend, MessageBackendFactory } from "./messages/backend.js";
import { tsProtoBackend } from "./messages/ts-proto.js";

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
 * Parses the options protoplugin does not know; throws an Error with a
 * one-line reason on anything unknown or invalid (protoplugin prefixes it
 * with the offending option).
 */
export function parseOptions(raw: { key: string; value: string }[]): SafestubOptions {
  return parseOptionsFor(tsProtoBackend, raw);
}

function parseOptionsFor<BackendOptions>(backend: MessageBackendFactory<BackendOptions>, raw: { key: string; value: string }[]): SafestubOptions {
  let runtimeImport = "safestub";
  let reflection = true;
  const backendOptions = backend.defaultOptions();
  for (const { key, value } of raw) {
    if (key === "runtime_import") {
      if (value === "") throw new Error("runtime_import needs a module specifier, e.g. runtime_import=safestub");
      runtimeImport = value;
    } else if (key === "reflection") {
      if (value !== "true" && value !== "false") throw new Error(`reflection takes true or false, not "${value}"`);
      reflection = value === "true";
    } else if (!backend.parseOption(backendOptions, key, value)) {
      throw new Error(`unknown option "${key}"`);
    }
  }
  return { runtimeImport, reflection, messages: backend.create(backendOptions) };
}
