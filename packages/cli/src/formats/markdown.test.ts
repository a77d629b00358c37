import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { exportWithFormat, getFormat, SourceDocument } from "@quanta/core";
import { describe, expect, it } from "vitest";

// The Markdown page rendered by a real CommonMark renderer (markdown-it-py with GitHub tables, when
// installed for python3) and read back with Python's html.parser: only the page's own elements,
// every contract string as text.
const repoRoot = join(import.meta.dirname, "../../../..");
const fixtures = {
  rich: join(repoRoot, "packages/core/src/formats/testdata/rich.odcs.yaml"),
  hostile: join(repoRoot, "packages/core/src/formats/testdata/hostile.odcs.yaml"),
  orders: join(repoRoot, "examples/webshop/orders/contracts/orders.odcs.yaml"),
};
const python = spawnSync("python3", ["--version"]).status === 0 ? "python3" : undefined;
const markdownItSkip = !python
  ? "python3 is not on PATH"
  : spawnSync(python, ["-c", "import markdown_it"]).status !== 0
    ? "markdown-it-py is not installed for python3 (the core tests check the escaping)"
    : undefined;
const pageTags = ["h1", "h2", "h3", "p", "ul", "li", "strong", "table", "thead", "tbody", "tr", "th", "td", "br", "a"];

const injection = `apiVersion: v3.1.0
kind: DataContract
id: injection
name: "*bold* <script>alert(1)</script>"
version: 1.0.0
status: draft
description:
  purpose: "# not a heading\\n- not a list\\n1. not a list\\n    not code\\n> not a quote\\n---\\n[link](javascript:alert(1)) ![img](x.png) &amp; \`code\`"
schema:
  - name: "t|u"
    properties:
      - name: "a|b"
        logicalType: string
        description: "line one\\nline | two <b>x</b> _y_ ~~z~~"
`;

async function page(yaml: string, file: string): Promise<string> {
  const format = getFormat("markdown");
  if (!format) throw new Error("markdown is not registered");
  const result = await exportWithFormat(format, SourceDocument.parse(yaml, file), {});
  expect(result.issues.filter((i) => i.severity === "error")).toEqual([]);
  return String(result.files[0]?.content);
}

const render = `
import json, sys
from html.parser import HTMLParser
from markdown_it import MarkdownIt
html = MarkdownIt("commonmark").enable("table").enable("strikethrough").render(sys.stdin.read())
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.cells, self.texts, self.cell = set(), [], [], None
    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag == "td": self.cell = ""
        if tag == "br" and self.cell is not None: self.cell += "\\n"
    def handle_endtag(self, tag):
        if tag == "td": self.cells.append(self.cell); self.cell = None
    def handle_data(self, data):
        self.texts.append(data)
        if self.cell is not None: self.cell += data
p = P(); p.feed(html); p.close()
print(json.dumps({"tags": sorted(p.tags), "cells": p.cells, "texts": p.texts}))
`;

function rendered(markdown: string): { tags: string[]; cells: string[]; texts: string[] } {
  const r = spawnSync(python ?? "python3", ["-c", render], { input: markdown, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe.skipIf(markdownItSkip !== undefined)(
  `markdown export rendered by markdown-it${markdownItSkip ? ` (skipped: ${markdownItSkip})` : ""}`,
  () => {
    it("renders only the page's elements (rich, hostile, orders)", async () => {
      for (const [name, path] of Object.entries(fixtures)) {
        const { tags } = rendered(await page(readFileSync(path, "utf8"), path));
        expect(
          tags.filter((t) => !pageTags.includes(t)),
          name,
        ).toEqual([]);
      }
    });

    it("gives back hostile names and descriptions as text, exactly", async () => {
      const { cells } = rendered(await page(readFileSync(fixtures.hostile, "utf8"), fixtures.hostile));
      for (const name of ["order date", "größe", 'a"b', "x'y", "ключ", "a;drop table x", "array<integer>"]) {
        expect(cells).toContain(name);
      }
      expect(cells).toContain("Text with \"quotes\", 'apostrophes', `backticks`, \\ backslashes and */ --");
    });

    it("turns markup in contract text into text", async () => {
      const { tags, cells, texts } = rendered(await page(injection, "injection.odcs.yaml"));
      expect(tags.filter((t) => !pageTags.includes(t) || t === "a")).toEqual([]);
      expect(texts).toContain("*bold* <script>alert(1)</script>");
      expect(cells).toContain("a|b");
      expect(cells).toContain("line one\nline | two <b>x</b> _y_ ~~z~~");
      const all = texts.join("");
      expect(all).toContain("[link](javascript:alert(1)) ![img](x.png) &amp; `code`");
      for (const line of ["# not a heading", "- not a list", "1. not a list", "not code", "> not a quote", "---"]) {
        expect(all).toContain(`${line}\n`);
      }
    });
  },
);
