import { tsProtoOptionNames } from "./messages/ts-proto-options.js";
import { protopluginOptionNames } from "./parameter.js";

const knownOptionNames = () => ["runtime_import", ...protopluginOptionNames, ...tsProtoOptionNames.filter((n) => n !== "M")];

/** `unknown options "a", "b"`, each with the known option it is probably a typo of, and where the options are listed. */
export function unknownOptions(keys: readonly string[]): string {
  const named = keys.map((key) => {
    const near = closestOption(key);
    return near ? `"${key}" (did you mean ${near}?)` : `"${key}"`;
  });
  return `unknown option${keys.length > 1 ? "s" : ""} ${named.join(", ")}: safestub takes protoplugin's options, runtime_import, and ts-proto's options (see "Plugin options" in safestub's README)`;
}

/** The known option at most 2 edits away (ignoring case), the nearest first. */
function closestOption(key: string): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of knownOptionNames()) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
