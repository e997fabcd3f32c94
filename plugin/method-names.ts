import type { DescMethod } from "@bufbuild/protobuf";

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
