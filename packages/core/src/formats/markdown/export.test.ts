import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectGolden, exportFile, exportText, fixtures, onlyText } from "../format-test-kit.test-helpers.js";
import { markdownText } from "./export.js";

const golden = (name: string) => join(import.meta.dirname, "testdata", name);

describe("markdown export", () => {
  it("writes every section of the contract (rich)", async () => {
    const text = onlyText(await exportFile("markdown", fixtures.rich));
    expectGolden(text, golden("rich.md.txt"));
    for (const title of [
      "Fundamentals",
      "Description",
      "Servers",
      "Schema",
      "Quality",
      "Service levels",
      "Team",
      "Support",
      "Price",
    ]) {
      expect(text).toContain(`\n## ${title}\n`);
    }
    expect(text).toContain("| order\\_id | string (VARCHAR(20)) | yes | primary key, unique |");
  });

  it("escapes hostile text so that it stays text (hostile)", async () => {
    const text = onlyText(await exportFile("markdown", fixtures.hostile));
    expectGolden(text, golden("hostile.md.txt"));
    expect(text).toContain('| a"b |');
    expect(text).not.toMatch(/[^\\]`backticks/);
  });

  it("keeps table cells on one line and their pipes escaped", async () => {
    const yaml = `apiVersion: v3.1.0
kind: DataContract
id: cells
version: 1.0.0
status: draft
description:
  purpose: "# not a heading\\n1. not a list\\n    not code <script>alert(1)</script>"
schema:
  - name: t
    properties:
      - name: "a|b"
        logicalType: string
        description: "line one\\nline | two [x](javascript:alert(1)) &amp;"
`;
    const text = onlyText(await exportText("markdown", yaml));
    const row = text.split("\n").find((l) => l.startsWith("| a"));
    expect(row).toBe("| a\\|b | string | no |  |  | line one<br>line \\| two \\[x\\](javascript:alert(1)) \\&amp; |");
    expect(text).toContain("\\# not a heading\n1\\. not a list\nnot code \\<script\\>alert(1)\\</script\\>");
  });

  it("escapes every character that could start markup", () => {
    expect(markdownText("*a* _b_ `c` [d](e) <f> | ~g~ &h; !i #j")).toBe(
      "\\*a\\* \\_b\\_ \\`c\\` \\[d\\](e) \\<f\\> \\| \\~g\\~ \\&h; \\!i \\#j",
    );
  });
});
