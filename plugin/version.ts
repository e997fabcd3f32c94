import { readFileSync } from "node:fs";

/** The package version, read from the nearest package.json (from source or from dist/). */
export const version: string = findVersion();

function findVersion(): string {
  for (let dir = new URL("./", import.meta.url); ; dir = new URL("../", dir)) {
    try {
      return (JSON.parse(readFileSync(new URL("package.json", dir), "utf8")) as { version: string }).version;
    } catch {
      if (dir.pathname === "/") return "0.0.0";
    }
  }
}
