// safestub/eslint: a flat-config ESLint plugin for typescript-eslint that flags
// stream operations left in flight. It needs type information (parserOptions
// `projectService: true` or `project`), and pairs with
// @typescript-eslint/no-floating-promises and no-misused-promises.
import type { TSESLint } from "@typescript-eslint/utils";
import { awaitStreamOperations } from "./await-stream-operations.js";

type Plugin = TSESLint.FlatConfig.Plugin & {
  readonly rules: { readonly "await-stream-operations": typeof awaitStreamOperations };
  readonly configs: { readonly recommended: TSESLint.FlatConfig.Config };
};

const rules = { "await-stream-operations": awaitStreamOperations };

const plugin: Plugin = {
  meta: { name: "safestub/eslint" },
  rules,
  configs: {
    /** Registers the plugin as `safestub` and turns its rule on as an error. */
    recommended: {
      name: "safestub/recommended",
      plugins: { safestub: { meta: { name: "safestub/eslint" }, rules } },
      rules: { "safestub/await-stream-operations": "error" },
    },
  },
};

export { awaitStreamOperations };
export default plugin;
