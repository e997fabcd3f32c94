import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import ts from "typescript";

/** The stream operations the rule watches, by the safestub class that declares them. */
const OPERATIONS: Readonly<Record<string, "send" | "recv">> = {
  "Sender.send": "send",
  "Sender.sendAll": "send",
  "Sender.close": "send",
  "Receiver.recv": "recv",
};

const PACKAGE_NAME = "safestub";
/** Where the runtime declares Sender and Receiver: runtime/*.ts in the sources, dist/runtime/*.d.ts once published. */
const RUNTIME_FILE = /[\\/]runtime[\\/]stream[\\/](?:sender|receiver)\.(?:d\.)?[cm]?ts$/;

/** Which package each directory belongs to (the `name` of its nearest package.json that has one), cached per directory. */
const packageOfDirectory = new Map<string, string | undefined>();

function packageNameOf(fileName: string): string | undefined {
  const seen: string[] = [];
  let dir = dirname(fileName);
  let name: string | undefined;
  for (let depth = 0; depth < 64; depth++) {
    if (packageOfDirectory.has(dir)) {
      name = packageOfDirectory.get(dir);
      break;
    }
    seen.push(dir);
    // A package.json without a name is a marker (such as safestub's dist/cjs/package.json, which
    // only says "type": "commonjs"), not a package: the package is further up.
    const manifest = join(dir, "package.json");
    name = existsSync(manifest) ? readName(manifest) : undefined;
    if (name !== undefined) break;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const d of seen) packageOfDirectory.set(d, name);
  return name;
}

function readName(manifest: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(manifest, "utf8"));
    const name = (parsed as { name?: unknown }).name;
    return typeof name === "string" ? name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The direction of the safestub stream operation `symbol` names (a method
 * symbol from the type checker), or undefined when it is anything else: a
 * method of another class called Sender, a `send` of another library, ...
 * The method must be declared in class Sender or Receiver of the runtime's
 * sender/receiver module, in a file that belongs to the package named
 * safestub (its sources, or its published .d.ts under node_modules).
 */
export function streamOperationOf(symbol: ts.Symbol | undefined): "send" | "recv" | undefined {
  for (const declaration of symbol?.declarations ?? []) {
    if (!ts.isMethodDeclaration(declaration) || !ts.isClassDeclaration(declaration.parent)) continue;
    const className = declaration.parent.name?.text;
    const methodName = ts.isIdentifier(declaration.name) ? declaration.name.text : undefined;
    const direction = OPERATIONS[`${className}.${methodName}`];
    const fileName = declaration.getSourceFile().fileName;
    if (direction && RUNTIME_FILE.test(fileName) && packageNameOf(fileName) === PACKAGE_NAME) return direction;
  }
  return undefined;
}
