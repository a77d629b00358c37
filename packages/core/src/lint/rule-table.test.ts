import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { lintCodes, lintRules } from "./rule-table.js";

const docs = join(import.meta.dirname, "../../../../docs/cli.md");
const start = "<!-- lint-rules:start -->\n";
const end = "<!-- lint-rules:end -->";

function renderRules(): string {
  const escapePipes = (s: string) => s.replaceAll("|", "\\|");
  const rows = lintCodes().map(
    (c) => `| \`${c.code}\` | ${c.severity} | ${c.appliesTo} | ${escapePipes(c.description)} |`,
  );
  return ["| code | severity | applies to | what it finds |", "|---|---|---|---|", ...rows, ""].join("\n");
}

describe("lint rule table", () => {
  test("codes are unique per standard and kebab-case", () => {
    for (const rules of Object.values(lintRules)) {
      const codes = rules.map((r) => r.code);
      expect(new Set(codes).size).toBe(codes.length);
      for (const code of codes) expect(code).toMatch(/^[a-z]+(-[a-z]+)*$/);
    }
  });

  // Set QUANTA_UPDATE_DOCS=1 to rewrite the block after changing a rule.
  test("docs/cli.md lists exactly the rules lint runs", () => {
    const text = readFileSync(docs, "utf8");
    const from = text.indexOf(start) + start.length;
    const to = text.indexOf(end);
    expect(from).toBeGreaterThan(start.length - 1);
    const rendered = renderRules();
    if (process.env.QUANTA_UPDATE_DOCS === "1") writeFileSync(docs, text.slice(0, from) + rendered + text.slice(to));
    else expect(text.slice(from, to)).toBe(rendered);
  });
});
