import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { formatIssue } from "../../issues.js";
import { SourceDocument } from "../../spec/source.js";
import { validateSchema } from "../../spec/validate.js";
import {
  expectGolden,
  exportFile,
  exportText,
  fixtures,
  importText,
  issuesWith,
  onlyText,
} from "../format-test-kit.test-helpers.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const golden = (name: string) => join(here, "testdata", name);

/** What a round trip must keep of each object: names, logical types, required, keys, nesting. */
function shapeOf(contract: Record<string, unknown>) {
  const prop = (p: Record<string, unknown>): Record<string, unknown> => ({
    name: p.name,
    logicalType: p.logicalType,
    required: p.required === true,
    primaryKey: p.primaryKey === true,
    references: ((p.relationships as { to?: string }[] | undefined) ?? []).map((r) => r.to),
    properties: ((p.properties as Record<string, unknown>[] | undefined) ?? []).map(prop),
    items: p.items ? prop(p.items as Record<string, unknown>) : undefined,
  });
  return ((contract.schema as Record<string, unknown>[]) ?? []).map((o) => ({
    name: o.name,
    properties: ((o.properties as Record<string, unknown>[]) ?? []).map(prop),
  }));
}

function expectValidDcs(text: string): void {
  const issues = validateSchema(SourceDocument.parse(text, "datacontract.yaml"), "dcs");
  expect(issues.map(formatIssue)).toEqual([]);
}

describe("dcs export", () => {
  it("writes the rich contract as DCS 1.2.1 the official schema accepts", async () => {
    const result = await exportFile("dcs", fixtures.rich);
    const text = onlyText(result);
    expectValidDcs(text);
    expectGolden(text, golden("rich.dcs.yaml"));
    expect(result.files[0]?.path).toBe("datacontract.yaml");
    const doc = parse(text);
    expect(doc.dataContractSpecification).toBe("1.2.1");
    expect(Object.keys(doc.models)).toEqual(["customers", "orders"]);
    expect(doc.models.orders.fields.customer_id.references).toBe("customers.customer_id");
    expect(doc.models.orders.fields.status.enum).toEqual(["placed", "shipped", "delivered", "returned"]);
    expect(doc.models.orders.fields.total).toMatchObject({ type: "decimal", precision: 12, scale: 2, minimum: 0 });
    expect(doc.models.orders.quality[1].query).toBe("SELECT COUNT(*) FROM orders WHERE ordered_at > CURRENT_TIMESTAMP");
    expect(doc.servicelevels.freshness).toEqual({ threshold: "1d", timestampField: "orders.ordered_at" });
    expect(doc.servers.warehouse).toEqual({
      type: "postgres",
      environment: "prod",
      host: "localhost",
      port: 5432,
      database: "shop",
      schema: "public",
    });
  });

  it("keeps hostile names: fields as they are, models renamed to what DCS allows with the original kept", async () => {
    const result = await exportFile("dcs", fixtures.hostile);
    const text = onlyText(result);
    expectValidDcs(text);
    expectGolden(text, golden("hostile.dcs.yaml"));
    const doc = parse(text);
    expect(Object.keys(doc.models)).toEqual(["select", "order_items"]);
    expect(doc.models.order_items.config.odcsName).toBe("order items");
    expect(Object.keys(doc.models.select.fields)).toContain('a"b');
    expect(Object.keys(doc.models.select.fields)).toContain("a;drop table x");
    expect(doc.models.select.fields.type.enum).toEqual(["it's", 'say "hi"', "a\\b"]);
    const renamed = issuesWith(result.issues, "dcs-export-renamed");
    expect(renamed.map((i) => [i.line, i.column, i.severity])).toEqual([[45, 5, "warning"]]);
  });

  it("round trips through the DCS importer: same objects, properties, types, required and keys", async () => {
    for (const fixture of [fixtures.rich, fixtures.orders]) {
      const contract = parse(readFileSync(fixture, "utf8"));
      const dcs = onlyText(await exportFile("dcs", fixture));
      const back = await importText("dcs", dcs, {}, "datacontract.yaml");
      expect(back.issues.filter((i) => i.severity === "error").map(formatIssue)).toEqual([]);
      expect(back.text).toBeDefined();
      expect(shapeOf(back.value)).toEqual(shapeOf(contract));
      expect(back.value).toMatchObject({
        id: contract.id,
        version: contract.version,
        status: contract.status,
        name: contract.name,
      });
      const objects = back.value.schema as Record<string, unknown>[];
      const sourceObjects = contract.schema as Record<string, unknown>[];
      expect(objects.map((o) => o.description)).toEqual(sourceObjects.map((o) => o.description));
    }
  });

  it("import → export → import gives the same contract for the official DCS examples", async () => {
    const root = join(here, "../../../../../../shared/standards/dcs/examples");
    for (const example of ["orders-latest/datacontract.yaml", "orders-latest-nested/datacontract.yaml"]) {
      const first = await importText("dcs", readFileSync(join(root, example)), {}, example);
      expect(first.text, example).toBeDefined();
      const dcs = onlyText(await exportText("dcs", first.text ?? ""));
      expectValidDcs(dcs);
      const second = await importText("dcs", dcs, {}, "again.yaml");
      expect(second.text, example).toBeDefined();
      expect(shapeOf(second.value)).toEqual(shapeOf(first.value));
      expect(second.value.slaProperties).toEqual(first.value.slaProperties);
      expect(second.value.servers).toEqual(first.value.servers);
    }
  });

  it("warns at the contract's line for what DCS cannot hold", async () => {
    const yaml = [
      "apiVersion: v3.1.0",
      "kind: DataContract",
      "id: x",
      "version: 1.0.0",
      "status: active",
      "roles:",
      "  - role: reader",
      "schema:",
      "  - name: t",
      "    properties:",
      "      - name: a",
      "        logicalType: array",
      "        logicalTypeOptions:",
      "          minItems: 1",
      "        items:",
      "          logicalType: string",
      "",
    ].join("\n");
    const result = await exportText("dcs", yaml);
    onlyText(result);
    const unmapped = issuesWith(result.issues, "dcs-export-unmapped").map((i) => `${i.line}:${i.column} ${i.message}`);
    expect(unmapped).toEqual([
      "6:1 DCS has no roles; it was not exported",
      "14:11 DCS fields have no minItems; it was not exported",
    ]);
  });

  it("refuses a DCS document: export reads ODCS", async () => {
    const result = await exportText(
      "dcs",
      "dataContractSpecification: 1.2.1\nid: x\ninfo: {title: x, version: 1.0.0}\n",
    );
    expect(result.files).toEqual([]);
    expect(result.issues.map((i) => i.code)).toContain("format-export-not-odcs");
  });
});
