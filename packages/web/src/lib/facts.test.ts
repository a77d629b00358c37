import { readFileSync } from "node:fs";
import { SourceDocument } from "@quanta/core";
import { describe, expect, it } from "vitest";
import { contractFacts } from "./contract-facts.js";
import { humanize, productFacts, safeUrl } from "./product-facts.js";
import type { Obj } from "./read.js";

const load = (path: string) =>
  SourceDocument.parse(readFileSync(new URL(`../../../../examples/${path}`, import.meta.url), "utf8"), path)
    .value as Obj;

describe("contract facts", () => {
  const f = contractFacts(load("webshop/orders/contracts/orders.odcs.yaml"));

  it("reads the schema with types, constraints, classification and PII marks", () => {
    const rows = f.datasets[0]?.rows ?? [];
    const row = (name: string) => rows.find((r) => r.name === name);
    expect(row("order_id")).toMatchObject({ primaryKey: true, required: true, logicalType: "string", pii: false });
    expect(row("order_id")?.constraints).toContain("matches ^ORD-[0-9]{8}$");
    expect(row("customer_email")).toMatchObject({ classification: "restricted", pii: true });
    expect(row("status")?.constraints).toContain("one of placed, paid, shipped, delivered, returned, cancelled");
  });

  it("reads quality rules with their expectation, SLAs with readable targets, price and roles", () => {
    expect(f.quality.find((q) => q.name === "Orders present")).toMatchObject({
      kind: "rowCount",
      expectation: "≥ 1000",
    });
    expect(f.quality.find((q) => q.name === "Total adds up")?.query).toContain("SELECT COUNT(*)");
    expect(f.slas.find((s) => s.property === "freshness")?.target).toBe("1 day");
    expect(f.slas.find((s) => s.property === "retention")?.target).toBe("7 years");
    expect(f.price).toBe("free");
    expect(f.roles.map((r) => r.role)).toEqual(["orders_operations", "orders_finance"]);
  });

  it("never throws on odd or hostile shapes", () => {
    for (const doc of [
      {},
      { schema: "x" },
      { schema: [null, 1, { properties: [null, { name: 5 }] }] },
      { slaProperties: [{}] },
    ]) {
      expect(() => contractFacts(doc as Obj)).not.toThrow();
    }
    const nested = contractFacts({
      schema: [
        { name: "t", properties: [{ name: "a", properties: [{ name: "b", items: { logicalType: "string" } }] }] },
      ],
    });
    expect(nested.datasets[0]?.rows.map((r) => [r.name, r.depth])).toEqual([
      ["a", 0],
      ["a.b", 1],
      ["a.b[]", 2],
    ]);
  });
});

describe("product facts", () => {
  it("reads owners with their history (current first), glossary and support", () => {
    const f = productFacts(load("webshop/orders/orders.odps.yaml"));
    expect(f.members.at(-1)).toMatchObject({ name: "Jonas Weber", dateOut: "2024-05-31" });
    expect(f.members[0]?.dateOut).toBeNull();
    expect(f.glossary.map((g) => g.term)).toContain("Analytical consent");
    expect(f.support.length).toBeGreaterThan(0);
  });

  it("only links http(s) and mailto URLs", () => {
    expect(safeUrl("javascript:alert(1)")).toBeUndefined();
    expect(safeUrl(" JAVASCRIPT:alert(1)")).toBeUndefined();
    expect(safeUrl("data:text/html,x")).toBeUndefined();
    expect(safeUrl("https://x.example/a")).toBe("https://x.example/a");
    expect(safeUrl("mailto:a@b.example")).toBe("mailto:a@b.example");
  });

  it("turns property names into labels", () => {
    expect(humanize("dataProductType")).toBe("Data product type");
    expect(humanize("canonicalUrl")).toBe("Canonical URL");
    expect(humanize("privacy_statement")).toBe("Privacy statement");
  });
});
