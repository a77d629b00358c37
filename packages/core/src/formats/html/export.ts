import type { ExportInput, ExportResult } from "../format.js";
import { type Block, type Cell, contractPage } from "../markdown/contract-page.js";
import { fileName } from "../typescript/export.js";

/**
 * ODCS → a standalone HTML page: inline CSS, no scripts, no external assets. Every piece of
 * contract text goes through `escapeHtml` (text and attribute values alike), links only for
 * http(s) and mailto URLs. The markup is also well-formed XML (void elements closed), so a strict
 * parser can check it.
 */

export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
}

/** Text with its line breaks kept as `<br />`. */
function lines(value: string): string {
  return value
    .split(/\r\n|\r|\n|\u2028|\u2029/)
    .map(escapeHtml)
    .join("<br />");
}

function cell(value: Cell): string {
  return typeof value === "string"
    ? lines(value)
    : `<a href="${escapeHtml(value.url)}" rel="noopener noreferrer">${lines(value.text)}</a>`;
}

function render(block: Block): string {
  switch (block.kind) {
    case "heading":
      return `<h3>${lines(block.text)}</h3>`;
    case "paragraph":
      return block.text
        .split(/(?:\r\n|\r|\n){2,}/)
        .map((p) => `<p>${lines(p.trim())}</p>`)
        .join("\n");
    case "fields":
      return `<dl>\n${block.rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${cell(v)}</dd>`).join("\n")}\n</dl>`;
    case "table":
      return `<table>\n<thead><tr>${block.header.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead>\n<tbody>\n${block.rows
        .map((r) => `<tr>${r.map((c) => `<td>${cell(c)}</td>`).join("")}</tr>`)
        .join("\n")}\n</tbody>\n</table>`;
  }
}

const style = `body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;max-width:72rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.8rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
h2{font-size:1.35rem;margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem}
h3{font-size:1.1rem;margin-top:1.5rem}
nav a{margin-right:1rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa;white-space:nowrap}
td{overflow-wrap:anywhere;min-width:5em}
td:first-child{overflow-wrap:normal}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
dt{font-weight:600}
dd{margin:0}`;

export function exportHtml(input: ExportInput): ExportResult {
  const page = contractPage(input.contract);
  const nav = page.sections.map((s) => `<a href="#${s.id}">${escapeHtml(s.title)}</a>`).join("\n");
  const sections = page.sections
    .map(
      (s) => `<section id="${s.id}">\n<h2>${escapeHtml(s.title)}</h2>\n${s.blocks.map(render).join("\n")}\n</section>`,
    )
    .join("\n");
  const content = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<meta name="generator" content="Quanta" />
<title>${escapeHtml(page.title)}</title>
<style>
${style}
</style>
</head>
<body>
<h1>${escapeHtml(page.title)}</h1>
<nav>
${nav}
</nav>
${sections}
</body>
</html>
`;
  return { files: [{ path: fileName(input.contract.id, "html"), content, mediaType: "text/html" }], issues: [] };
}
