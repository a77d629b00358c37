import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { exportWithFormat, getFormat, SourceDocument } from "@quanta/core";
import { SaxesParser } from "saxes";
import { describe, expect, it } from "vitest";

// The HTML page read back by two real parsers: saxes (strict XML, present through exceljs), which
// fails on any stray `<` or `&`, and Python's html.parser, which reads it as a browser-like HTML
// tokenizer. Both must see only the page's own tags and every contract string as text.
const repoRoot = join(import.meta.dirname, "../../../..");
const fixtures = {
  rich: join(repoRoot, "packages/core/src/formats/testdata/rich.odcs.yaml"),
  hostile: join(repoRoot, "packages/core/src/formats/testdata/hostile.odcs.yaml"),
  orders: join(repoRoot, "examples/webshop/orders/contracts/orders.odcs.yaml"),
};
const pageTags = [
  "html",
  "head",
  "meta",
  "title",
  "style",
  "body",
  "h1",
  "h2",
  "h3",
  "nav",
  "a",
  "section",
  "p",
  "br",
  "dl",
  "dt",
  "dd",
  "table",
  "thead",
  "tbody",
  "tr",
  "th",
  "td",
];
const python = spawnSync("python3", ["--version"]).status === 0 ? "python3" : undefined;

const injection = `apiVersion: v3.1.0
kind: DataContract
id: "x<script>"
name: "</title><script>alert(1)</script>"
version: 1.0.0
status: "<b>draft</b>"
description:
  purpose: "<img src=x onerror=alert(1)> &amp; & \\"quotes\\" 'apostrophes'"
support:
  - channel: "<i>chat</i>"
    url: "javascript:alert(1)"
schema:
  - name: "<table>"
    properties:
      - name: "<td onclick=alert(1)>"
        logicalType: string
        description: "--> <!-- ]]> <![CDATA["
`;

async function page(yaml: string, file: string): Promise<string> {
  const format = getFormat("html");
  if (!format) throw new Error("html is not registered");
  const result = await exportWithFormat(format, SourceDocument.parse(yaml, file), {});
  expect(result.issues.filter((i) => i.severity === "error")).toEqual([]);
  return String(result.files[0]?.content);
}

/** Tags and the text of each table cell, as saxes reads the page (throws on malformed markup). */
function readXml(html: string): { tags: Set<string>; cells: string[]; title: string } {
  const parser = new SaxesParser();
  const tags = new Set<string>();
  const cells: string[] = [];
  let title = "";
  let current: "td" | "title" | undefined;
  let text = "";
  parser.on("error", (e) => {
    throw e;
  });
  parser.on("opentag", (tag) => {
    tags.add(tag.name);
    if (tag.name === "td" || tag.name === "title") {
      current = tag.name;
      text = "";
    }
  });
  parser.on("text", (t) => {
    if (current) text += t;
  });
  parser.on("closetag", (tag) => {
    if (tag.name === "td") cells.push(text);
    if (tag.name === "title") title = text;
    if (tag.name === current) current = undefined;
  });
  parser.write(html).close();
  return { tags, cells, title };
}

describe("html export, read by real parsers", () => {
  it("is well-formed and uses only the page's tags (rich, hostile, orders)", async () => {
    for (const [name, path] of Object.entries(fixtures)) {
      const { tags } = readXml(await page(readFileSync(path, "utf8"), path));
      expect(
        [...tags].filter((t) => !pageTags.includes(t)),
        name,
      ).toEqual([]);
    }
  });

  it("gives back hostile names as text, exactly", async () => {
    const { cells, title } = readXml(await page(readFileSync(fixtures.hostile, "utf8"), fixtures.hostile));
    expect(title).toBe('Hostile "names"');
    for (const name of ["order date", "größe", 'a"b', "x'y", "ключ", "a;drop table x"]) expect(cells).toContain(name);
    expect(cells).toContain("Text with \"quotes\", 'apostrophes', `backticks`, \\ backslashes and */ --");
  });

  it("turns markup in contract text into text", async () => {
    const html = await page(injection, "injection.odcs.yaml");
    const { tags, cells, title } = readXml(html);
    expect([...tags].filter((t) => !pageTags.includes(t))).toEqual([]);
    expect(title).toBe("</title><script>alert(1)</script>");
    expect(cells).toContain("<td onclick=alert(1)>");
    expect(cells).toContain("--> <!-- ]]> <![CDATA[");
    expect(cells).toContain("javascript:alert(1)");
  });

  it("rejects unescaped markup (the parser check can fail)", () => {
    expect(() => readXml("<html><body><td>a < b & c</td></body></html>")).toThrow();
  });

  it.skipIf(!python)("reads the same in Python's html.parser", async () => {
    const html = await page(injection, "injection.odcs.yaml");
    const script = `
import json, sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.texts, self.comments = set(), [], [], []
    def handle_starttag(self, tag, attrs):
        self.tags.add(tag); self.attrs += [k for k, _ in attrs]
    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
    def handle_data(self, data):
        self.texts.append(data)
    def handle_comment(self, data):
        self.comments.append(data)
p = P(); p.feed(sys.stdin.read()); p.close()
print(json.dumps({"tags": sorted(p.tags), "attrs": sorted(set(p.attrs)), "texts": p.texts, "comments": p.comments}))
`;
    const r = spawnSync(python ?? "python3", ["-c", script], { input: html, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { tags: string[]; attrs: string[]; texts: string[]; comments: string[] };
    expect(out.tags.filter((t) => !pageTags.includes(t))).toEqual([]);
    expect(out.attrs).toEqual(["charset", "content", "href", "id", "lang", "name"]);
    expect(out.comments).toEqual([]);
    expect(out.texts).toContain("<td onclick=alert(1)>");
    expect(out.texts).toContain("<img src=x onerror=alert(1)> &amp; & \"quotes\" 'apostrophes'");
  });
});
