import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { CodeGeneratorRequestSchema, CodeGeneratorResponseSchema, type CodeGeneratorRequest, type CodeGeneratorResponse } from "@bufbuild/protobuf/wkt";

interface RunnablePlugin {
  name: string;
  version: string;
  run(request: CodeGeneratorRequest): CodeGeneratorResponse;
}

/**
 * Runs the plugin as protoc and buf do: a CodeGeneratorRequest on stdin, a
 * CodeGeneratorResponse on stdout. Like protoplugin's runNodeJs, but every
 * failure is exactly one line on stderr and exit status 1 with nothing on
 * stdout, and a request that does not parse says so in words.
 */
export function runNodeJs(plugin: RunnablePlugin): void {
  const args = process.argv.slice(2);
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-v")) {
    process.stdout.write(`${plugin.name} ${plugin.version}\n`);
    return;
  }
  if (args.length > 0 || process.stdin.isTTY) {
    fail(plugin, "this is a protoc plugin; run it through protoc (--plugin=protoc-gen-safestub=...) or buf generate; the only argument it takes is --version");
    return;
  }
  const chunks: Buffer[] = [];
  process.stdin.on("data", (chunk: Buffer) => chunks.push(chunk));
  process.stdin.on("error", (err) => fail(plugin, `cannot read stdin: ${err.message}`));
  process.stdin.on("end", () => {
    let request: CodeGeneratorRequest;
    try {
      request = fromBinary(CodeGeneratorRequestSchema, Buffer.concat(chunks));
    } catch (err) {
      return fail(plugin, `stdin is not a CodeGeneratorRequest (${oneLine(err)}); run it through protoc or buf generate`);
    }
    let response: Uint8Array;
    try {
      response = toBinary(CodeGeneratorResponseSchema, plugin.run(request));
    } catch (err) {
      return fail(plugin, oneLine(err));
    }
    process.stdout.write(response, (err) => {
      if (err) fail(plugin, `cannot write the response: ${err.message}`);
    });
  });
}

function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s*\n\s*/g, " ").trim();
}

function fail(plugin: RunnablePlugin, message: string): void {
  process.stderr.write(`${plugin.name}: ${message}\n`);
  process.exitCode = 1;
}
