import { resolve } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testIdentity } from "../../identity/identity-fixtures.js";
import { IdentityStore } from "../../identity/identity-store.js";
import { readProductFolder } from "../../registry/product-folder.js";
import { Registry } from "../../registry/registry.js";
import type { Database } from "../../storage/database.js";
import { openDatabase } from "../../storage/open-database.js";
import { createApp } from "../create-app.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON the assertions check field by field
type Json = Record<string, any>;

let db: Database;
let app: OpenAPIHono;
let signedIn: Record<string, string>;
const errors: unknown[] = [];

const dcs = `dataContractSpecification: 1.2.1
id: orders
info:
  title: Orders
  version: 1.0.0
  owner: sales
models:
  orders:
    fields:
      order_id:
        type: string
        required: true
        unique: true
      total:
        type: decimal
        fancyKey: kept
`;

beforeAll(async () => {
  db = await openDatabase({ memory: true });
  const identity = new IdentityStore(db);
  const registry = new Registry(db);
  // The orders, and a product built from them by a pipeline (for the formats that drive pipelines).
  for (const product of ["orders", "orders-analytical-consent", "customer-cohorts"]) {
    await registry.publish({
      files: await readProductFolder(resolve(import.meta.dirname, "../../../../../examples/webshop", product)),
    });
  }
  app = createApp({ registry, identity, logError: (e) => errors.push(e) });
  signedIn = (await testIdentity(identity)).headers;
}, 60_000);
afterAll(async () => {
  await db?.close();
  expect(errors).toEqual([]);
});

const post = (path: string, body: BodyInit, headers: Record<string, string> = signedIn, type = "text/plain") =>
  app.request(path, { method: "POST", body, headers: { ...headers, "content-type": type } });

describe("GET /api/formats", () => {
  it("lists each direction's formats with their options, to anyone", async () => {
    const res = await app.request("/api/formats");
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body.import.map((f: Json) => f.name)).toContain("dcs");
    expect(body.import.find((f: Json) => f.name === "dcs")).toMatchObject({
      title: "Data Contract Specification",
      target: "odcs",
      input: "document",
      options: [],
    });
    expect(Array.isArray(body.export)).toBe(true);
  });
});

describe("POST /api/formats/{format}/import", () => {
  it("converts the body and answers the contract, its YAML and what did not map", async () => {
    const res = await post("/api/formats/dcs/import", dcs, signedIn, "application/yaml");
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({ format: "dcs", target: "odcs", document: { kind: "DataContract", id: "orders" } });
    expect(body.yaml).toContain("apiVersion: v3.1.0");
    expect(body.issues.some((i: Json) => i.line > 0 && i.file === "<upload>")).toBe(true);
  });

  it("refuses callers who are not signed in", async () => {
    const res = await post("/api/formats/dcs/import", dcs, {});
    expect(res.status).toBe(401);
  });

  it("answers an unknown format with 404 naming the known ones, and a wrong option with 400", async () => {
    const unknown = await post("/api/formats/cobol/import", dcs);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as Json).error.message).toMatch(/^no import format "cobol"; known: dcs, dps/);
    const option = await post("/api/formats/dcs/import?dialect=oracle", dcs);
    expect(option.status).toBe(400);
    expect(((await option.json()) as Json).error.message).toBe('dcs has no option "dialect"; it takes none');
    const twice = await post("/api/formats/dcs/import?a=1&a=2", dcs);
    expect(twice.status).toBe(400);
  });

  it("answers a body the format cannot read with 422 and its issues at their line", async () => {
    const broken = await post("/api/formats/dcs/import", "dataContractSpecification: 1.2.1\nid: [unclosed\n");
    expect(broken.status).toBe(422);
    const body = (await broken.json()) as Json;
    expect(body.error.code).toBe("conversion-failed");
    expect(body.error.details.issues[0]).toMatchObject({ file: "<upload>", severity: "error" });
    expect(body.error.details.issues[0].line).toBeGreaterThan(0);
    const binary = await post(
      "/api/formats/dcs/import",
      new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 0xff]),
      signedIn,
      "application/octet-stream",
    );
    expect(binary.status).toBe(422);
    expect(((await binary.json()) as Json).error.message).toMatch(/not UTF-8 text|binary/);
  });
});

describe("data files sent to import", () => {
  it("infers a contract from an uploaded CSV, naming neither the server's folders nor its files", async () => {
    const csv = "order_id,total,status\nORD-1,10.5,placed\nORD-2,3,shipped\n";
    const res = await post("/api/formats/csv/import?name=orders", csv, signedIn, "text/csv");
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body.document.schema[0]).toMatchObject({ name: "orders" });
    expect(body.document.schema[0].properties.map((p: Json) => p.name)).toEqual(["order_id", "total", "status"]);
    expect(body.yaml).not.toMatch(/quanta-import-|\/tmp\//);
  });

  it("says why a file that is not the format cannot be read, and refuses a live database", async () => {
    const res = await post("/api/formats/parquet/import", "not parquet at all", signedIn, "application/octet-stream");
    expect(res.status).toBe(422);
    expect(JSON.stringify(await res.json())).not.toMatch(/quanta-import-|\/tmp\//);
    const pg = await post("/api/formats/postgres/import", "postgresql://x@localhost/db");
    expect(pg.status).toBe(400);
    expect(((await pg.json()) as Json).error.message).toContain("on the console");
  });
});

describe("exports", () => {
  const exportPath = "/api/products/sales.orders/contracts/sales.orders.orders/export";

  it("answers a published contract in another format, as a file to anyone who may read the catalog", async () => {
    const res = await app.request(`${exportPath}?format=jsonschema`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/(schema\+)?json/);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="sales\.orders\.orders-1\.3\.0-/);
    expect(JSON.stringify(await res.json())).toContain("order_id");
    const version = await app.request(`${exportPath}?format=sql&version=1.3.0&dialect=duckdb`);
    expect(version.status).toBe(200);
    expect(await version.text()).toMatch(/CREATE TABLE/i);
  });

  it("serves an exported page that can run nothing from this origin", async () => {
    const res = await app.request(`${exportPath}?format=html`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("content-security-policy")).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox",
    );
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await res.text()).not.toMatch(/<script/i);
  });

  it("hands the product's published pipeline to the formats that drive it", async () => {
    const res = await app.request(
      "/api/products/customer.customer-cohorts/contracts/customer.customer-cohorts.monthly-cohorts/export?format=airflow",
      { headers: signedIn },
    );
    expect(res.status).toBe(200);
    const dag = await res.text();
    expect(dag).toContain("0 5 * * *");
    expect(dag).toContain("run_pipeline");
  });

  it("answers a format that writes several files as JSON", async () => {
    const res = await app.request(`${exportPath}?format=dbt`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body.files.map((f: Json) => f.path)).toContain("models/schema.yml");
    expect(body.files.every((f: Json) => f.encoding === "utf-8")).toBe(true);
    const one = await app.request(`${exportPath}?format=dbt&file=models/schema.yml`);
    expect(one.status).toBe(200);
    expect(one.headers.get("content-disposition")).toMatch(/schema\.yml"$/);
    expect(await one.text()).toContain("version: 2");
    const none = await app.request(`${exportPath}?format=dbt&file=nope.sql`);
    expect(none.status).toBe(404);
    expect(((await none.json()) as Json).error.message).toMatch(/has no file "nope\.sql"; it has: models\//);
  });

  it("refuses a missing format, version or contract, and a wrong option, with the reason", async () => {
    expect((await app.request(exportPath)).status).toBe(400);
    expect((await app.request(`${exportPath}?format=cobol`)).status).toBe(404);
    expect((await app.request(`${exportPath}?format=jsonschema&version=9.9.9`)).status).toBe(404);
    expect((await app.request("/api/products/sales.orders/contracts/nope/export?format=sql")).status).toBe(404);
    const option = await app.request(`${exportPath}?format=sql&dialect=oracle`);
    expect(option.status).toBe(400);
    expect(((await option.json()) as Json).error.message).toMatch(/dialect must be one of/);
  });

  it("converts a contract sent in the body, signed in", async () => {
    const contract =
      "apiVersion: v3.1.0\nkind: DataContract\nid: c\nversion: 1.0.0\nstatus: draft\nschema:\n  - name: t\n    properties:\n      - name: a\n        logicalType: integer\n";
    const res = await post("/api/formats/sql/export?dialect=postgres", contract);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/CREATE TABLE "t"/);
    expect((await post("/api/formats/sql/export", contract, {})).status).toBe(401);
    const notOdcs = await post("/api/formats/sql/export", "hello: world\n");
    expect(notOdcs.status).toBe(422);
  });
});
