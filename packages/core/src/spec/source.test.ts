import { describe, expect, it } from "vitest";
import { SourceDocument, sourceLimits } from "./source.js";

const codes = (s: SourceDocument) => s.issues.map((i) => i.code);

describe("SourceDocument", () => {
  it("keeps YAML 1.2 core scalars: unquoted dates and yes/no stay strings", () => {
    const s = SourceDocument.parse("d: 2024-01-01\nb: yes\nn: 12\n", "a.yaml");
    expect(s.issues).toEqual([]);
    expect(s.value).toEqual({ d: "2024-01-01", b: "yes", n: 12 });
  });

  it("locates values and keys by path", () => {
    const s = SourceDocument.parse("a:\n  - name: x\n  - name: y\n    type: int\n", "a.yaml");
    expect(s.locate(["a", 1, "type"])).toEqual({ line: 4, column: 11 });
    expect(s.locate(["a", 1, "type"], { key: true })).toEqual({ line: 4, column: 5 });
    // Missing nodes fall back to the nearest ancestor.
    expect(s.locate(["a", 1, "missing"])).toEqual({ line: 3, column: 5 });
  });

  it.each([
    ["duplicate keys", "a: 1\nb: 2\na: 3\n", "yaml-duplicate-key", 3, 1],
    ["tabs as indentation", "a:\n\tb: 1\n", "yaml-tab-as-indent", 2, 1],
    ["unclosed flow sequence", "a: [1, 2\nb: c\n", "yaml-bad-indent", 2, 1],
    ["empty file", "  \n", "yaml-empty", 1, 1],
    ["several documents", "a: 1\n---\nb: 2\n", "yaml-multiple-docs", 2, 1],
  ])("reports %s with a position", (_, text, code, line, column) => {
    const s = SourceDocument.parse(text, "bad.yaml");
    expect(s.issues[0]).toMatchObject({ code, severity: "error", file: "bad.yaml", line, column });
    expect(s.readable).toBe(false);
  });

  it("refuses alias bombs without expanding them", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 10; i++) {
      const p = String.fromCharCode(96 + i);
      const n = String.fromCharCode(97 + i);
      levels.push(`${n}: &${n} [${Array(9).fill(`*${p}`).join(", ")}]`);
    }
    const t0 = Date.now();
    const s = SourceDocument.parse(levels.join("\n"), "bomb.yaml");
    expect(codes(s)).toEqual(["yaml-alias-bomb"]);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it("refuses 10,000 levels of flow nesting and 2,000 of block nesting before parsing", () => {
    expect(codes(SourceDocument.parse("[".repeat(10_000), "deep.yaml"))).toEqual(["yaml-too-deep"]);
    let block = "";
    for (let i = 0; i < 2_000; i++) block += `${" ".repeat(i)}a:\n`;
    expect(codes(SourceDocument.parse(block, "deep.yaml"))).toEqual(["yaml-too-deep"]);
  });

  it("refuses binary, invalid UTF-8 and oversized input", () => {
    expect(codes(SourceDocument.fromBytes(new Uint8Array([0x61, 0x00, 0x62]), "b"))).toEqual(["file-not-text"]);
    expect(codes(SourceDocument.fromBytes(new Uint8Array([0xff, 0xfe, 0x00]), "b"))).toEqual(["file-not-text"]);
    const big = new Uint8Array(sourceLimits.maxBytes + 1).fill(0x61);
    expect(codes(SourceDocument.fromBytes(big, "big"))).toEqual(["file-too-large"]);
  });

  it("reads JSON, which is YAML", () => {
    const s = SourceDocument.parse('{"a": [1, {"b": "c"}]}', "x.json");
    expect(s.value).toEqual({ a: [1, { b: "c" }] });
    expect(s.locate(["a", 1, "b"])).toEqual({ line: 1, column: 17 });
  });
});
