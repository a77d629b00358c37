import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectGolden, exportFile, exportText, fixtures, onlyText } from "../format-test-kit.test-helpers.js";
import { escapeHtml } from "./export.js";

const golden = (name: string) => join(import.meta.dirname, "testdata", name);

/** The tags the page is made of; contract text must never add one. */
const pageTags = new Set([
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
]);

function tagsOf(html: string): string[] {
  return [...html.replace(/<style>[\s\S]*?<\/style>/, "").matchAll(/<\/?([A-Za-z][\w-]*)/g)].map((m) =>
    m[1]!.toLowerCase(),
  );
}

const injection = `apiVersion: v3.1.0
kind: DataContract
id: "x<script>"
name: "</title><script>alert(1)</script>"
version: 1.0.0
status: "<b>draft</b>"
description:
  purpose: "<img src=x onerror=alert(1)> & \\"quotes\\" 'apostrophes'"
support:
  - channel: "<i>chat</i>"
    url: "javascript:alert(1)"
  - channel: docs
    url: "https://example.com/?a=1&b=2"
  - channel: quoted
    url: 'https://example.com/"onmouseover="alert(1)'
schema:
  - name: "<table>"
    properties:
      - name: "<td onclick=alert(1)>"
        logicalType: string
        description: "--> <!-- ]]> <![CDATA["
`;

describe("html export", () => {
  it("writes a standalone page with every section (rich)", async () => {
    const text = onlyText(await exportFile("html", fixtures.rich));
    expectGolden(text, golden("rich.html"));
    for (const id of [
      "fundamentals",
      "description",
      "servers",
      "schema",
      "quality",
      "sla",
      "team",
      "support",
      "price",
    ]) {
      expect(text).toContain(`<section id="${id}">`);
    }
    expect(text).not.toMatch(/<(script|link|img|iframe)\b|\bsrc=|url\(/i);
    expect(tagsOf(text).filter((t) => !pageTags.has(t))).toEqual([]);
  });

  it("escapes the hostile fixture (hostile)", async () => {
    const text = onlyText(await exportFile("html", fixtures.hostile));
    expectGolden(text, golden("hostile.html"));
    expect(text).toContain("<title>Hostile &quot;names&quot;</title>");
    expect(text).toContain("<td>a&quot;b</td>");
    expect(text).toContain("<td>x&#39;y</td>");
    expect(tagsOf(text).every((t) => pageTags.has(t))).toBe(true);
  });

  it("adds no markup from contract text, and links only http(s) and mailto URLs", async () => {
    const text = onlyText(await exportText("html", injection));
    expect(tagsOf(text).filter((t) => !pageTags.has(t))).toEqual([]);
    expect(text).not.toMatch(/<(script|img|b|i)\b|href="javascript/i);
    expect(text).toContain("<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>");
    expect(text).toContain("<h3>&lt;table&gt;</h3>");
    expect(text).toContain("<td>javascript:alert(1)</td>");
    expect(text).toContain('<a href="https://example.com/?a=1&amp;b=2" rel="noopener noreferrer">');
    expect(text).toContain("<td>https://example.com/&quot;onmouseover=&quot;alert(1)</td>");
    expect(text).toContain("--&gt; &lt;!-- ]]&gt; &lt;![CDATA[");
  });

  it("escapes the five characters HTML gives meaning", () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;",
    );
  });
});
