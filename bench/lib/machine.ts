// The machine and the versions a result was measured with.
import { cpus, loadavg, totalmem } from "node:os";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const PACKAGES = ["@grpc/grpc-js", "ts-proto", "nice-grpc", "@connectrpc/connect", "@connectrpc/connect-node", "@bufbuild/protobuf", "@bufbuild/protoc-gen-es", "@protobuf-ts/grpc-transport", "@protobuf-ts/plugin", "@protobuf-ts/runtime", "@bufbuild/buf", "typescript", "typescript7", "google-proto-files"];

/** Read from node_modules directly: some packages do not export their package.json. */
function version(name: string): string {
  try {
    const file = name === "safestub" ? new URL("../../package.json", import.meta.url) : new URL(`../../node_modules/${name}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
  } catch {
    return "?";
  }
}

function protocVersion(): string {
  try {
    return execFileSync("protoc", ["--version"], { encoding: "utf8" }).trim();
  } catch {
    return "protoc ?";
  }
}

export function machineLines(): string[] {
  const cpu = cpus();
  return [
    `- CPU: ${cpu[0]?.model ?? "?"}, ${cpu.length} cores visible; RAM ${(totalmem() / 2 ** 30).toFixed(0)} GiB; load average now ${loadavg().map((l) => l.toFixed(2)).join(" ")}`,
    "- The machine was shared with other agents working at the same time (builds, tests): figures are noisy, compare ratios within one run.",
    `- Node ${process.version}, ${process.platform}-${process.arch}; ${protocVersion()}; safestub ${version("safestub")}`,
    `- ${PACKAGES.map((p) => `${p} ${version(p)}`).join(", ")}`,
  ];
}
