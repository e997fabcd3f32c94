import { createEcmaScriptPlugin, type Schema } from "@bufbuild/protoplugin";
import type { CodeGeneratorRequest } from "@bufbuild/protobuf/wkt";
import { parseOptions, type SafestubOptions } from "./options.js";
import { normalizeParameter } from "./parameter.js";
import { renderServices } from "./render.js";
import { buildFileView, Tokens } from "./view-model.js";
import { version } from "./version.js";

/** Writes `<name>_grpc.ts` for every file to generate that has services. */
function generateTs(schema: Schema<SafestubOptions>): void {
  for (const file of schema.files) {
    if (file.services.length === 0) continue;
    const f = schema.generateFile(`${file.name}_grpc.ts`);
    const t = new Tokens();
    const text = renderServices(buildFileView(schema, file, f, t));
    f.preamble(file);
    f.print(t.toPrintables(text));
  }
}

const base = createEcmaScriptPlugin<SafestubOptions>({
  name: "protoc-gen-safestub",
  version: `v${version}`,
  parseOptions,
  generateTs,
});

/**
 * The plugin. `run` throws on bad options or input (runNodeJs prints the
 * message as one line and exits 1, so nothing is written); see
 * normalizeParameter for the `target` default and `importSuffix`.
 */
export const plugin = {
  ...base,
  run(request: CodeGeneratorRequest) {
    request.parameter = normalizeParameter(request.parameter);
    return base.run(request);
  },
};
