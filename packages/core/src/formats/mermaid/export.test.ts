import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectGolden, exportFile, fixtures, issuesWith, onlyText } from "../format-test-kit.test-helpers.js";

const golden = (name: string) => join(import.meta.dirname, "testdata", name);

/**
 * The lines of Mermaid's erDiagram grammar the export writes: entity (optionally aliased with a
 * quoted label), attribute (type, name, keys, quoted comment), relationship. Names outside these
 * character sets would break Mermaid's parser.
 */
const grammar = [
  /^erDiagram$/,
  /^ {4}[A-Za-z_][A-Za-z0-9_-]*(\["[^"]*"\])? \{$/,
  /^ {8}[A-Za-z_][A-Za-z0-9_-]* [A-Za-z_][A-Za-z0-9_-]*( (PK|FK|UK)(, (PK|FK|UK))*)?( "[^"]*")?$/,
  /^ {4}\}$/,
  /^ {4}[A-Za-z_][A-Za-z0-9_-]* (\|\||\|o)--o\{ [A-Za-z_][A-Za-z0-9_-]* : "[^"]*"$/,
];

function expectGrammar(text: string): void {
  const [, front, body] = text.split(/^---$/m);
  expect(front).toMatch(/^\ntitle: "([^"\\]|\\.)*"\n$/);
  const lines = (body ?? "").trim().split("\n");
  expect(lines.filter((l) => !grammar.some((re) => re.test(l)))).toEqual([]);
}

describe("mermaid export", () => {
  it("draws entities, keys and the foreign key (rich)", async () => {
    const text = onlyText(await exportFile("mermaid", fixtures.rich));
    expectGolden(text, golden("rich.mmd"));
    expectGrammar(text);
    expect(text).toContain('        integer customer_id PK "Customer number."');
    expect(text).toContain("        integer customer_id FK");
    expect(text).toContain('    customers ||--o{ orders : "customer_id"');
    expect(text).toContain('        string shipping_address_city "shipping_address.city"');
  });

  it("aliases names Mermaid cannot take and keeps the originals (hostile)", async () => {
    const text = onlyText(await exportFile("mermaid", fixtures.hostile));
    expectGolden(text, golden("hostile.mmd"));
    expectGrammar(text);
    expect(text).toContain('    order_items["order items"] {');
    expect(text).toContain('        string a_b "a#quot;b"');
    expect(text).toContain('        string Order_Date "Order Date"');
    expect(text).toContain('    select ||--o{ order_items : "def"');
    expect(text).toContain('title: "Hostile \\"names\\""');
  });

  it("says when a foreign key leaves the exported objects", async () => {
    const result = await exportFile("mermaid", fixtures.rich, { schema: "orders" });
    expectGrammar(onlyText(result));
    expect(issuesWith(result.issues, "export-not-representable")).toMatchObject([
      { severity: "warning", path: "schema[1]", message: expect.stringContaining('"customers"') },
    ]);
  });
});
