// The service template only lays out text the view model computed: one loop
// per section, no per-kind branches, no lookups into enclosing contexts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { root } from "./helpers.js";

const template = readFileSync(join(root, "templates/service.hbs"), "utf8");

it("has no kind ladders and reaches into no enclosing context", () => {
  expect(template).not.toMatch(/\beq\b|\bkind\b/);
  expect(template).not.toContain("../");
  expect(template).not.toContain("@root");
});

it("has one loop over the methods per section (methods, client, handlers)", () => {
  expect(template.match(/\{\{#each methods\}\}/g)).toHaveLength(3);
});
