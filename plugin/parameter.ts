/**
 * Rewrites the plugin parameter before protoplugin parses it:
 * - `target` defaults to `ts` (protoplugin's own default is js+dts);
 * - ts-proto's `importSuffix` is accepted and becomes protoplugin's
 *   `import_extension` (`importSuffix=.js` -> `import_extension=js`,
 *   empty -> `none`, `.ts` -> `ts`), so the same value can be given to both
 *   plugins. Other suffixes, or a disagreeing `import_extension`, are refused;
 * - protoplugin's `map_imports` is refused with ts-proto messages (it only
 *   maps protobuf-es imports); ts-proto's `M<file>.proto=<module>` does that
 *   job. With `messages=protobuf-es` it applies, as it does for protoc-gen-es.
 */
export function normalizeParameter(parameter: string): string {
  const entries = parameter === "" ? [] : parameter.split(",");
  const keyOf = (entry: string) => entry.split("=", 1)[0]!.trim();
  const valueOf = (entry: string) => (entry.includes("=") ? entry.slice(entry.indexOf("=") + 1) : "");

  const protobufEs = entries.some((e) => keyOf(e) === "messages" && valueOf(e) === "protobuf-es");
  for (const e of entries) {
    if (keyOf(e) === "map_imports" && !protobufEs) {
      // protoplugin's map_imports only rewrites protobuf-es imports, so it would be silently ignored here.
      throw new Error(`invalid option "${e}": map_imports does not apply to ts-proto messages; use M<file>.proto=<module>, as for ts-proto`);
    }
  }
  const suffixes = entries.filter((e) => keyOf(e) === "importSuffix");
  const extensions = entries.filter((e) => keyOf(e) === "import_extension");
  let rest = entries.filter((e) => keyOf(e) !== "importSuffix");

  if (suffixes.length > 0) {
    const wanted = new Set(suffixes.map((e) => importExtensionFor(e, valueOf(e))));
    if (wanted.size > 1) throw new Error(`invalid option "${suffixes.join(",")}": importSuffix given twice with different values`);
    const extension = [...wanted][0]!;
    for (const e of extensions) {
      if (normalizeExtension(valueOf(e)) !== extension) {
        throw new Error(`invalid option "${suffixes[0]},${e}": importSuffix and import_extension disagree; give one of them`);
      }
    }
    if (extensions.length === 0) rest = [...rest, `import_extension=${extension}`];
  }
  if (!rest.some((e) => keyOf(e) === "target")) rest = ["target=ts", ...rest];
  return rest.join(",");
}

function importExtensionFor(entry: string, suffix: string): "none" | "js" | "ts" {
  switch (suffix) {
    case "":
      return "none";
    case ".js":
      return "js";
    case ".ts":
      return "ts";
    default:
      throw new Error(`invalid option "${entry}": safestub supports importSuffix "", ".js" or ".ts" (as import_extension none, js or ts)`);
  }
}

/** protoplugin's spellings of import_extension values; anything else is left for protoplugin to refuse. */
function normalizeExtension(value: string): string {
  return value === "" ? "none" : value.replace(/^\./, "");
}
