/** The options protoplugin parses itself (the rest reach safestub's parseOptions). */
export const protopluginOptionNames: readonly string[] = ["target", "import_extension", "js_import_style", "ts_nocheck", "elide_plugin_version", "keep_empty_files", "bootstrap_wkt", "rewrite_imports", "map_imports"];

interface Entry {
  raw: string;
  key: string;
  value: string;
}

/**
 * Checks the whole plugin parameter and rewrites it before protoplugin parses it:
 * - every problem goes into one Error, one `invalid option "…": reason` per
 *   problem joined by "; ": protoplugin's options with the values they accept,
 *   and what `checkOthers` (safestub's parseOptions, for the keys protoplugin
 *   does not know) throws;
 * - `target` defaults to `ts` (protoplugin's own default is js+dts);
 * - ts-proto's `importSuffix` is accepted and becomes protoplugin's
 *   `import_extension` (`importSuffix=.js` -> `import_extension=js`,
 *   empty -> `none`, `.ts` -> `ts`), so the same value can be given to both
 *   plugins. Other suffixes, or a disagreeing `import_extension`, are refused;
 * - protoplugin's `map_imports` is refused with ts-proto messages (it only
 *   maps protobuf-es imports); ts-proto's `M<file>.proto=<module>` does that
 *   job. With `messages=protobuf-es` it applies, as it does for protoc-gen-es.
 */
export function normalizeParameter(parameter: string, checkOthers: (options: { key: string; value: string }[]) => void = () => {}): string {
  const entries: Entry[] = parameter === "" ? [] : parameter.split(",").map((raw) => ({ raw, key: raw.split("=", 1)[0]!, value: raw.includes("=") ? raw.slice(raw.indexOf("=") + 1) : "" }));
  const problems: string[] = [];
  const invalid = (raw: string, reason: string) => problems.push(`invalid option "${raw}": ${reason}`);

  const protobufEs = entries.some((e) => e.key === "messages" && e.value === "protobuf-es");
  for (const e of entries) {
    const reason = e.key === "map_imports" && !protobufEs ? "map_imports does not apply to ts-proto messages; use M<file>.proto=<module>, as for ts-proto" : protopluginValueProblem(e.key, e.value);
    if (reason) invalid(e.raw, reason);
  }
  const suffixes = entries.filter((e) => e.key === "importSuffix");
  const extensions = entries.filter((e) => e.key === "import_extension");
  let rest = entries.filter((e) => e.key !== "importSuffix").map((e) => e.raw);
  const wanted = new Set(suffixes.map((e) => importExtensionForSuffix(e.value)));
  if (wanted.has(undefined)) {
    for (const e of suffixes.filter((s) => importExtensionForSuffix(s.value) === undefined)) invalid(e.raw, `safestub supports importSuffix "", ".js" or ".ts" (as import_extension none, js or ts)`);
  } else if (wanted.size > 1) {
    invalid(suffixes.map((e) => e.raw).join(","), "importSuffix given twice with different values");
  } else if (wanted.size === 1) {
    const extension = [...wanted][0]!;
    for (const e of extensions) {
      if (importExtensionFor(e.value) !== extension) {
        invalid(`${suffixes[0]!.raw},${e.raw}`, `importSuffix and import_extension disagree: importSuffix=${suffixes[0]!.value} is import_extension=${extension}; give safestub the importSuffix you give ts-proto, or the matching import_extension, not both`);
      }
    }
    if (extensions.length === 0) rest = [...rest, `import_extension=${extension}`];
  }

  const others = entries.filter((e) => !protopluginOptionNames.includes(e.key) && e.key !== "importSuffix");
  try {
    checkOthers(others);
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (problems.length > 0) throw new Error(problems.join("; "));
  if (!rest.some((e) => e.split("=", 1)[0] === "target")) rest = ["target=ts", ...rest];
  return rest.join(",");
}

const bool = "accepted: true or false";

/** Why protoplugin would refuse this value (it says only `invalid option`), or undefined. */
function protopluginValueProblem(key: string, value: string): string | undefined {
  switch (key) {
    case "target":
      return value.split("+").every((t) => t === "ts" || t === "js" || t === "dts") ? undefined : "accepted: ts, js, dts, or several joined by +, like js+dts";
    case "import_extension":
      return importExtensionFor(value) ? undefined : `accepted: none, js or ts (also "", .js, .ts), to match ts-proto's importSuffix`;
    case "js_import_style":
      return value === "module" || value === "legacy_commonjs" ? undefined : "accepted: module or legacy_commonjs (it shapes target=js only)";
    case "ts_nocheck":
    case "elide_plugin_version":
    case "keep_empty_files":
    case "bootstrap_wkt":
      return ["true", "false", "1", "0"].includes(value) ? undefined : bool;
    case "rewrite_imports":
      return value.includes(":") ? undefined : "accepted: <pattern>:<target>, like rewrite_imports=./foo/**/*_pb.js:@scope/foo";
    default:
      return undefined;
  }
}

/** protoplugin's import_extension for a ts-proto importSuffix, if it has one. */
function importExtensionForSuffix(suffix: string): "none" | "js" | "ts" | undefined {
  return suffix === "" || suffix === ".js" || suffix === ".ts" ? importExtensionFor(suffix) : undefined;
}

/** protoplugin's spelling of an import_extension value, if it is one. */
function importExtensionFor(value: string): "none" | "js" | "ts" | undefined {
  switch (value) {
    case "":
    case "none":
      return "none";
    case ".js":
    case "js":
      return "js";
    case ".ts":
    case "ts":
      return "ts";
    default:
      return undefined;
  }
}
