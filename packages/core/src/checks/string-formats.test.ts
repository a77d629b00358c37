import { describe, expect, it } from "vitest";
import { isCalendarDay, jsPatternMatcher, jsPatternSource, stringFormats } from "./string-formats.js";

// Every format checked against real DuckDB and PostgreSQL: platform/src/harness/ingest/format-agreement.test.ts.
describe("string formats in JavaScript", () => {
  it("reads every built-in format (the POSIX classes translated)", () => {
    for (const [name, pattern] of Object.entries(stringFormats))
      expect(jsPatternMatcher(pattern), name).toBeTypeOf("function");
    expect(jsPatternSource(stringFormats.email as string)).toBe(
      "^[^@\\t\\n\\v\\f\\r ]+@[^@\\t\\n\\v\\f\\r ]+\\.[^@\\t\\n\\v\\f\\r ]+$",
    );
    expect(jsPatternMatcher(stringFormats.email as string)?.("liam.meijer0@example.com")).toBe(true);
  });

  it("reads brackets as POSIX does: a leading ] and a [ inside are literals, escapes are kept", () => {
    expect(jsPatternSource("^[]a[-]+$")).toBe("^[\\]a\\[-]+$");
    expect(jsPatternSource("[^]x]")).toBe("[^\\]x]");
    expect(jsPatternSource("\\[[[:digit:]]\\]")).toBe("\\[[0-9]\\]");
    expect(jsPatternSource("[:digit:]")).toBe("[:digit:]"); // outside brackets: the characters : d i g t
    expect(jsPatternSource("[[:alpha:][:digit:]_]")).toBe("[A-Za-z0-9_]");
  });

  it("leaves what JavaScript cannot say the same way to the engine", () => {
    for (const p of ["[[:^space:]]", "[[.hyphen.]]", "[[=e=]]", "[[:nosuch:]]", "[[:alpha"]) {
      expect(jsPatternSource(p), p).toBeUndefined();
      expect(jsPatternMatcher(p), p).toBeUndefined();
    }
    expect(jsPatternMatcher("(unclosed")).toBeUndefined();
  });

  it("matches code points, and falls back to no flags for escapes only Unicode mode refuses", () => {
    expect(jsPatternMatcher("^.$")?.("😀")).toBe(true);
    expect(jsPatternMatcher("^a\\_b$")?.("a_b")).toBe(true);
  });

  it("checks the calendar for date formats only", () => {
    expect(isCalendarDay("2024-02-29")).toBe(true);
    expect(isCalendarDay("2023-02-29")).toBe(false);
    expect(isCalendarDay("2000-02-29T00:00:00Z")).toBe(true);
    expect(jsPatternMatcher(stringFormats.date as string)?.("2024-04-31")).toBe(false);
    expect(jsPatternMatcher("^[0-9]{4}-[0-9]{2}-[0-9]{2}$")?.("2024-04-31")).toBe(true);
  });
});
