// bench/RESULTS.md as a list of "## " sections. bench/run.ts regenerates the sections it measures;
// the other benchmarks (soak.ts, cancel-storm.ts) and hand-written comparisons own sections of their
// own, which a regeneration keeps.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const RESULTS_FILE = fileURLToPath(new URL("../RESULTS.md", import.meta.url));

export interface Section {
  /** The "## " heading's text. */
  title: string;
  /** Everything after the heading line, up to the next "## " heading. */
  body: string;
}

/** The preamble (before the first "## ") and the sections of `text`. */
export function parseSections(text: string): { preamble: string; sections: Section[] } {
  const parts = text.split(/^## /m);
  const preamble = parts.shift() ?? "";
  return {
    preamble,
    sections: parts.map((part) => {
      const newline = part.indexOf("\n");
      return { title: part.slice(0, newline).trim(), body: part.slice(newline + 1) };
    }),
  };
}

export function renderSections(preamble: string, sections: readonly Section[]): string {
  return preamble + sections.map((s) => `## ${s.title}\n${s.body.replace(/\n*$/, "\n\n")}`).join("").replace(/\n+$/, "\n");
}

/** The sections of the current RESULTS.md (none if it does not exist). */
export function currentSections(): Section[] {
  return existsSync(RESULTS_FILE) ? parseSections(readFileSync(RESULTS_FILE, "utf8")).sections : [];
}

/** Replaces the section titled `title` in RESULTS.md (or adds it before "Notes"), keeping the rest. */
export function writeSection(title: string, lines: readonly string[]): void {
  const text = existsSync(RESULTS_FILE) ? readFileSync(RESULTS_FILE, "utf8") : "# safestub benchmark results\n\n";
  const { preamble, sections } = parseSections(text);
  const section = { title, body: `\n${lines.join("\n")}\n` };
  const at = sections.findIndex((s) => s.title === title);
  if (at >= 0) sections[at] = section;
  else {
    const notes = sections.findIndex((s) => s.title === "Notes");
    sections.splice(notes >= 0 ? notes : sections.length, 0, section);
  }
  writeFileSync(RESULTS_FILE, renderSections(preamble, sections));
}
