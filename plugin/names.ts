import type { DescEnum, DescFile, DescMessage, DescMethod } from "@bufbuild/protobuf";
import type { SafestubOptions } from "./options.js";

/**
 * The identifier ts-proto exports for a message or enum (the interface and
 * the codec const share it). Mirrors ts-proto 2.x (src/visit.ts, case.ts):
 * - each name part, outermost first, is snake-to-camel'd if it contains "_"
 *   (unless ts-proto's `snakeToCamel` leaves out "keys");
 * - parts are joined with "_" (`useSnakeTypeName=true`, the default) or "";
 * - typePrefix + messagePrefix + name + messageSuffix + typeSuffix;
 * - a result of exactly `Date` or `Function` gets a `Message` suffix.
 */
export function tsProtoTypeName(desc: DescMessage | DescEnum, options: SafestubOptions): string {
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
export function tsProtoImportPath(file: DescFile, options: SafestubOptions): string {
  return options.importMappings.get(`${file.name}.proto`) ?? `./${file.name}${options.fileSuffix}.js`;
}

/**
 * Client method names
 * ===================
 *
 * Each rpc becomes a client method, a key of `FooService.methods` and a
 * member of `FooHandlers`, all under the same name, chosen like this:
 *
 * 1. lowerCamelCase: split the rpc name at underscores and drop empty parts;
 *    if the name has no lowercase letter at all, lower-case every part
 *    (`GET_USER` -> `get`, `user`); upper-case the first letter of every part
 *    but the first; lower-case the leading capitals of the first part, except
 *    the one that starts the next word (`GetUser` -> `getUser`,
 *    `get_user` -> `getUser`, `HTTPGet` -> `httpGet`, `URL` -> `url`,
 *    `GetAPIValue` -> `getAPIValue`, `get_API_value` -> `getAPIValue`).
 *    A name made of underscores only stays as written (`_`); a name that
 *    would start with a digit gets a leading `_` (`_1st` -> `_1st`).
 * 2. Unsafe names get a `$` suffix: `then` (a client with a `then` method is
 *    a thenable, and `await client` would call the rpc) and every member of
 *    `Object.prototype` (`constructor` -> `constructor$`, `toString$`,
 *    `__proto__`-like names, ...). Reserved words need nothing: they are
 *    valid method and property names (`delete`, `class`, `new`).
 * 3. Collisions, in declaration order: the first rpc keeps the name, the
 *    next ones get `$2`, `$3`, ... (`GetUser` -> `getUser`,
 *    `get_user` -> `getUser$2`; `then`, `Then` -> `then$`, `then$2`).
 *
 * `$` cannot occur in proto identifiers, so a suffixed name never collides
 * with another rpc's name. The wire path always uses the rpc name as written.
 */
export function methodNames(methods: readonly DescMethod[]): string[] {
  const taken = new Set<string>();
  return methods.map((m) => {
    let base = lowerCamelCase(m.name);
    if (unsafeMethodNames.has(base)) base += "$";
    let name = base;
    const stem = base.endsWith("$") ? base : `${base}$`;
    for (let n = 2; taken.has(name); n++) name = `${stem}${n}`;
    taken.add(name);
    return name;
  });
}

/** Step 1 of the method naming rule above. */
export function lowerCamelCase(name: string): string {
  const parts = name.split("_").filter((p) => p !== "");
  if (parts.length === 0) return name;
  const hasLower = /[a-z]/.test(name);
  const words = parts.map((p) => (hasLower ? p : p.toLowerCase()));
  const camel = words.map((w, i) => (i === 0 ? lowerLeadingCapitals(w) : w.charAt(0).toUpperCase() + w.slice(1))).join("");
  return /^[0-9]/.test(camel) ? `_${camel}` : camel;
}

/** `GetUser` -> `getUser`, `HTTPGet` -> `httpGet`, `URL` -> `url`, `getAPI` -> `getAPI`. */
function lowerLeadingCapitals(word: string): string {
  const run = /^[A-Z]+/.exec(word)?.[0].length ?? 0;
  if (run === 0) return word;
  // In `HTTPGet` the last capital of the run starts the next word, unless the run is the whole word or ends at a non-letter.
  const keep = run > 1 && run < word.length && /[a-z]/.test(word.charAt(run)) ? run - 1 : run;
  return word.slice(0, keep).toLowerCase() + word.slice(keep);
}

/**
 * Names a client method must not take: `then` (thenable) and the members of
 * Object.prototype (the class would shadow or break them; `constructor` is
 * not even a method name in a class, and `__proto__` in an object literal
 * sets the prototype).
 */
const unsafeMethodNames: ReadonlySet<string> = new Set([
  "then",
  // Object.getOwnPropertyNames(Object.prototype), spelled out so output does not depend on the Node version.
  "constructor",
  "__proto__",
  "__defineGetter__",
  "__defineSetter__",
  "__lookupGetter__",
  "__lookupSetter__",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
  "toString",
  "valueOf",
]);
