import type { ExportInput, ExportResult } from "../format.js";
import { fileName } from "../typescript/export.js";
import { type Block, type Cell, contractPage } from "./contract-page.js";

/**
 * ODCS → Markdown (CommonMark with GitHub tables): the contract's page. Contract text is escaped
 * so that it reads as text whatever it holds: every character Markdown or inline HTML could take
 * as markup gets a backslash, and in table cells `|` is escaped and line breaks become `<br>`.
 */

/**
 * Inline text: the ASCII punctuation that can open markup (emphasis, code, links, images, inline
 * HTML, entities, tables, headings, strikethrough) backslash-escaped, which CommonMark allows for any.
 */
export function markdownText(value: string): string {
  return value.replace(/[\\`*_[\]<>#!|~&]/g, (c) => `\\${c}`);
}

/** A line of a paragraph: also what would open a list, a quote or a setext heading at its start. */
function paragraphLine(line: string): string {
  return markdownText(line.trim())
    .replace(/^(\d+)([.)])/, "$1\\$2")
    .replace(/^([-+=])/, "\\$1");
}

/** A paragraph: escaped lines without leading indentation (which would make a code block). */
function paragraph(value: string): string {
  return value
    .split(/\r\n|\r|\n|\u2028|\u2029/)
    .map(paragraphLine)
    .join("\n")
    .replace(/\n{2,}/g, "\n\n")
    .trim();
}

/** A table cell: one line, `|` escaped with the rest. */
function cell(value: Cell): string {
  const one = (s: string) =>
    s
      .split(/\r\n|\r|\n|\u2028|\u2029/)
      .map((l) => markdownText(l.trim()))
      .join("<br>");
  if (typeof value === "string") return one(value);
  return `[${one(value.text)}](<${value.url}>)`;
}

function render(block: Block): string {
  switch (block.kind) {
    case "heading":
      return `### ${cell(block.text)}`;
    case "paragraph":
      return paragraph(block.text);
    case "fields":
      return block.rows.map(([k, v]) => `- **${k}:** ${cell(v)}`).join("\n");
    case "table":
      return [
        `| ${block.header.join(" | ")} |`,
        `|${block.header.map(() => "---").join("|")}|`,
        ...block.rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
      ].join("\n");
  }
}

export function exportMarkdown(input: ExportInput): ExportResult {
  const page = contractPage(input.contract);
  const parts = [`# ${cell(page.title)}`];
  for (const section of page.sections) {
    parts.push(`## ${section.title}`, ...section.blocks.map(render));
  }
  const content = `${parts.join("\n\n")}\n`;
  return { files: [{ path: fileName(input.contract.id, "md"), content, mediaType: "text/markdown" }], issues: [] };
}
