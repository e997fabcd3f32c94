import type { MessageBackend, MessageBackendFactory } from "./messages/backend.js";
import { tsProtoOptionNames } from "./messages/ts-proto-options.js";
import { tsProtoBackend } from "./messages/ts-proto.js";
import { protopluginOptionNames } from "./parameter.js";

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
 * Parses the options protoplugin does not know; throws an Error with a
 * one-line reason on anything unknown or invalid (protoplugin prefixes it
 * with the offending option).
 */
export function parseOptions(raw: { key: string; value: string }[]): SafestubOptions {
  return parseOptionsFor(tsProtoBackend, raw);
}

function parseOptionsFor<BackendOptions>(backend: MessageBackendFactory<BackendOptions>, raw: { key: string; value: string }[]): SafestubOptions {
  let runtimeImport = "safestub";
  const backendOptions = backend.defaultOptions();
  // Every problem is collected, so one run names them all.
  const problems: string[] = [];
  const unknown: string[] = [];
  for (const { key, value } of raw) {
    try {
      if (key === "runtime_import") {
        if (value === "") throw new Error("runtime_import needs a module specifier, e.g. runtime_import=safestub");
        runtimeImport = value;
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
  return { runtimeImport, messages };
}

/** `unknown options "a", "b"`, with the known key each one is probably a typo of. */
function unknownOptions(keys: readonly string[]): string {
  const named = keys.map((key) => {
    const near = knownOptionNames().find((known) => editDistance(key.toLowerCase(), known.toLowerCase()) <= 2);
    return near ? `"${key}" (did you mean ${near}?)` : `"${key}"`;
  });
  return `unknown option${keys.length > 1 ? "s" : ""} ${named.join(", ")}: safestub takes protoplugin's options, runtime_import, and ts-proto's options (see "Plugin options" in safestub's README)`;
}

const knownOptionNames = () => ["runtime_import", ...protopluginOptionNames, ...tsProtoOptionNames.filter((n) => n !== "M")];

/** Levenshtein distance, for typo hints on short option names. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
