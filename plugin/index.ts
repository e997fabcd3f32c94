import { createEcmaScriptPlugin, type Schema } from "@bufbuild/protoplugin";
import type { CodeGeneratorRequest } from "@bufbuild/protobuf/wkt";
import { parseOptions, type SafestubOptions } from "./options.js";
import { normalizeParameter } from "./parameter.js";
import { renderServices } from "./render.js";
import { transpile } from "./transpile.js";
import { buildFileView, Tokens } from "./view-model.js";
import { version } from "./version.js";

/** Writes `<name>_grpc.ts` for every file to generate that has services. */
function generateTs(schema: Schema<SafestubOptions>): void {
  for (const file of schema.files.filter((f) => f.services.length > 0)) {
    const name = `${file.name}_grpc.ts`;
    schema.options.messages.checkOutputs(file, writtenNames(name, schema.targets), schema.allFiles);
    const f = schema.generateFile(name);
    const t = new Tokens();
    const text = renderServices(buildFileView(schema, file, f, t));
    f.preamble(file);
    f.print(t.toPrintables(text));
  }
}

/** The files protoplugin writes for a generated `.ts` file under each target (it transpiles for js and dts). */
function writtenNames(tsName: string, targets: readonly ("ts" | "js" | "dts")[]): string[] {
  const stem = tsName.replace(/\.ts$/, "");
  return targets.map((target) => (target === "ts" ? tsName : target === "js" ? `${stem}.js` : `${stem}.d.ts`));
}

/**
 * protoplugin's plugin object keeps state between runs (once a run asked for
 * js or dts, every later run transpiles too), so each run gets a fresh one.
 */
const createBase = () =>
  createEcmaScriptPlugin<SafestubOptions>({
    name: "protoc-gen-safestub",
    version: `v${version}`,
    parseOptions,
    generateTs,
    transpile,
  });

const base = createBase();

/**
 * The plugin. `run` throws on bad options or input (runNodeJs prints the
 * message as one line and exits 1, so nothing is written); see
 * normalizeParameter for the checks made before protoplugin parses the
 * options, the `target` default and `importSuffix`.
 */
export const plugin = {
  name: base.name,
  version: base.version,
  run(request: CodeGeneratorRequest) {
    request.parameter = normalizeParameter(request.parameter, parseOptions);
    return createBase().run(request);
  },
};
