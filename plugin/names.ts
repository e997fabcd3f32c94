import type { DescEnum, DescFile, DescMessage, DescMethod } from "@bufbuild/protobuf";
import type { SafestubOptions } from "./options.js";

/**
 * The identifier ts-proto exports for a message or enum (the interface and
 * the codec const share it). Mirrors ts-proto's own rule: each name part from
 * the outermost is snake-to-camel'd if it has an underscore, parts are joined
 * with "_" (useSnakeTypeName), and `Date`/`Function` get a `Message` suffix.
 */
export function tsProtoTypeName(desc: DescMessage | DescEnum, options: SafestubOptions): string {
  const parts: string[] = [];
  for (let d: DescMessage | DescEnum | undefined = desc; d; d = d.parent) parts.unshift(d.name);
  const converted = parts.map((part) => (options.snakeToCamelTypeNames && part.includes("_") ? snakeToCamel(part) : part));
  const name = converted.join(options.useSnakeTypeName ? "_" : "");
  return name === "Date" || name === "Function" ? `${name}Message` : name;
}

/** ts-proto's snakeToCamel for type names. */
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

/** The import path of ts-proto's file for `file`, relative to the output root (protoplugin makes it relative). */
export function tsProtoImportPath(file: DescFile, options: SafestubOptions): string {
  return `./${file.name}${options.fileSuffix}.js`;
}

/**
 * Names that must not be used as-is for a client method: members of
 * Object.prototype (a client would lose or shadow them) and `then` (a client
 * with a `then` method is a thenable, so `await client` would call an RPC).
 */
const unsafeMethodNames = new Set([
  "constructor",
  "then",
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

/** lowerCamelCase as gRPC stubs spell rpc names: `GetUser` -> `getUser`, `get_user` -> `getUser`, `GetAPIValue` -> `getAPIValue`. */
export function lowerCamelCase(name: string): string {
  const camel = name.replace(/_+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/_+$/, "");
  return camel.charAt(0).toLowerCase() + camel.slice(1);
}

/**
 * The client method name of each rpc of a service, in declaration order:
 * lowerCamelCase, `$` appended to unsafe names, and `$2`, `$3`, ... appended
 * when two rpcs would get the same name (`GetUser` and `get_user`).
 */
export function methodNames(methods: readonly DescMethod[]): string[] {
  const taken = new Set<string>();
  return methods.map((m) => {
    let base = lowerCamelCase(m.name);
    if (base === "" ) base = "rpc";
    if (unsafeMethodNames.has(base)) base += "$";
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}$${n}`;
    taken.add(name);
    return name;
  });
}
