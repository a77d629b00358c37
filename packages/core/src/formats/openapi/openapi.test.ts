import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SourceDocument } from "../../spec/source.js";
import { expectGolden, exportFile, fixtures, issuesWith, onlyText } from "../format-test-kit.test-helpers.js";
import { getFormat } from "../registry.js";
import { exportWithFormat } from "../run-format.js";
import { componentValidator, openApi31Problems } from "./openapi-structure.test-helpers.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const golden = (name: string) => join(here, "testdata", name);
const openapi = getFormat("openapi");

async function exportWithProduct(path: string, product: Record<string, unknown>, options = {}) {
  if (!openapi) throw new Error("openapi is not registered");
  return exportWithFormat(
    openapi,
    SourceDocument.parse(readFileSync(path, "utf8"), "contract.odcs.yaml"),
    options,
    product,
  );
}

describe("openapi export", () => {
  it("writes a valid OpenAPI 3.1 document for the rich contract's consume route", async () => {
    const result = await exportFile("openapi", fixtures.rich, { port: "orders" });
    const text = onlyText(result);
    expectGolden(text, golden("rich.openapi.json"));
    const doc = JSON.parse(text);
    expect(openApi31Problems(doc)).toEqual([]);
    expect(result.files[0]?.path).toBe("shop.orders.openapi.json");
    expect(Object.keys(doc.paths)).toEqual(["/api/products/{id}/consume"]);
    expect(doc.paths["/api/products/{id}/consume"].post.parameters[0].schema.enum).toEqual(["shop"]);
    expect(doc.components.schemas.ConsumeRequest.properties.format.enum).toEqual(["json", "csv", "parquet", "arrow"]);
    expect(Object.keys(doc.components.schemas.OrdersRow.properties)).toEqual([
      "order_id",
      "customer_id",
      "ordered_at",
      "delivery_time",
      "total",
      "quantity",
      "gift",
      "status",
      "shipping_address",
      "tags",
      "lines",
    ]);
  });

  it("finds what makes a document invalid OpenAPI 3.1 (the structure check can fail)", async () => {
    const doc = JSON.parse(onlyText(await exportFile("openapi", fixtures.rich, { port: "orders" })));
    const op = doc.paths["/api/products/{id}/consume"].post;
    op.parameters = [];
    op.responses["2xx"] = { description: "bad key" };
    op.requestBody.content["application/json"].schema.$ref = "#/components/schemas/Nope";
    doc.security = [{ apiKey: [] }];
    doc.components.schemas.Error = { type: "nothing" };
    delete doc.info.version;
    expect(openApi31Problems(doc)).toEqual([
      "info.version: required string",
      "security: security scheme apiKey is not declared",
      "POST /api/products/{id}/consume: {id} has no path parameter",
      "POST /api/products/{id}/consume: response key 2xx is not a status code",
      "#.paths./api/products/{id}/consume.post.requestBody.content.application/json.schema: $ref #/components/schemas/Nope does not resolve",
      expect.stringMatching(/^components\.schemas\.Error: /),
    ]);
  });

  it("types rows by the contract: required, value sets, ranges, nesting", async () => {
    const doc = JSON.parse(onlyText(await exportFile("openapi", fixtures.rich, { port: "orders" })));
    const row = componentValidator(doc, "OrdersRow");
    const good = {
      order_id: "ORD-00000001",
      customer_id: 7,
      ordered_at: "2025-01-31 13:45:00",
      delivery_time: null,
      total: 12.5,
      quantity: 1,
      gift: false,
      status: "placed",
      shipping_address: { street: null, city: "Delft", country: "NL" },
      tags: ["a"],
      lines: [{ sku: "X", price: 1.5 }],
    };
    expect(row(good), JSON.stringify(row.errors)).toBe(true);
    for (const bad of [
      { ...good, status: "lost" },
      { ...good, order_id: "X-1" },
      { ...good, total: -1 },
      { ...good, customer_id: null },
      { ...good, customer_id: 1.5 },
      { ...good, shipping_address: { city: 3 } },
      { ...good, lines: [{ sku: 1 }] },
    ]) {
      expect(row(bad), JSON.stringify(bad)).toBe(false);
    }
    const result = componentValidator(doc, "ConsumeResult");
    expect(result({ columns: [], rows: [good], rowCount: 1, truncated: false })).toBe(true);
    expect(result({ columns: [], rows: [good], rowCount: 1 })).toBe(false);
  });

  it("quotes hostile names and keeps them as the JSON keys they are", async () => {
    const text = onlyText(await exportFile("openapi", fixtures.hostile, { product: "hostile", port: "p" }));
    expectGolden(text, golden("hostile.openapi.json"));
    const doc = JSON.parse(text);
    expect(openApi31Problems(doc)).toEqual([]);
    const { SelectRow, OrderItemsRow } = doc.components.schemas;
    expect(Object.keys(SelectRow.properties)).toContain('a"b');
    expect(Object.keys(SelectRow.properties)).toContain("a;drop table x");
    expect(OrderItemsRow.title).toBe("order items");
    const examples = doc.paths["/api/products/{id}/consume"].post.requestBody.content["application/json"].examples;
    expect(examples.SelectRow.value.sql).toBe('SELECT * FROM "select"');
    expect(doc.components.schemas.ConsumeRequest.properties.sql.examples).toContain('SELECT * FROM "order items"');
    expect(examples.OrderItemsRow.value.sql).toBe('SELECT * FROM "order items"');
    const row = componentValidator(doc, "SelectRow");
    expect(row({ from: 1, type: "it's" })).toBe(true);
    expect(row({ from: 1, type: "its" })).toBe(false);
  });

  it("takes product and port from the ODPS product the contract belongs to", async () => {
    const product = {
      apiVersion: "v1.0.0",
      kind: "DataProduct",
      id: "sales.orders",
      status: "active",
      outputPorts: [
        { name: "other", version: "1.0.0", contractId: "x" },
        { name: "orders", version: "1.3.0", contractId: "sales.orders.orders" },
      ],
    };
    const result = await exportWithProduct(fixtures.orders, product, { baseUrl: "https://quanta.example/" });
    const doc = JSON.parse(onlyText(result));
    expect(result.issues).toEqual([]);
    expect(doc.servers).toEqual([{ url: "https://quanta.example" }]);
    expect(doc.paths["/api/products/{id}/consume"].post.parameters[0].schema.default).toBe("sales.orders");
    expect(doc.components.schemas.ConsumeRequest.properties.port.default).toBe("orders");
    expect(openApi31Problems(doc)).toEqual([]);
  });

  it("says what it assumed without a product, and refuses an unknown schema object", async () => {
    const orders = parse(readFileSync(fixtures.orders, "utf8"));
    const result = await exportFile("openapi", fixtures.orders);
    expect(issuesWith(result.issues, "openapi-product-assumed")).toHaveLength(1);
    expect(issuesWith(result.issues, "openapi-port-assumed")).toHaveLength(1);
    expect(JSON.parse(onlyText(result)).paths["/api/products/{id}/consume"].post.parameters[0].schema.default).toBe(
      orders.id,
    );
    const missing = await exportFile("openapi", fixtures.rich, { schema: "nope" });
    expect(missing.files).toEqual([]);
    expect(missing.issues.map((i) => i.message)).toContain('no schema object "nope"; known: customers, orders');
  });
});
