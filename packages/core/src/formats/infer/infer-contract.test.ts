import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatIssue } from "../../issues.js";
import { lintDocument } from "../../lint/lint-document.js";
import { SourceDocument } from "../../spec/source.js";
import { validateSchema } from "../../spec/validate.js";
import type { DataInspectionRequest, InspectedData, InspectedDataset } from "../format.js";
import { expectCleanImport, expectGolden, importText } from "../format-test-kit.test-helpers.js";
import { toYamlText } from "../yaml-output.js";
import { inferContract, portableCheck, redactUrl } from "./infer-contract.js";

const testdata = join(import.meta.dirname, "testdata");

const shop: InspectedData = {
  server: { server: "postgres", type: "postgres", host: "db.example", port: 5432, database: "shop", schema: "sales" },
  datasets: [
    {
      name: "customers",
      physicalName: "customers",
      physicalType: "table",
      rowCount: 1200,
      description: "People who ordered",
      primaryKey: ["customer_id"],
      uniqueKeys: [["email"], ["country", "tax_id"]],
      checks: [{ name: "country_known", expression: "(country = ANY (ARRAY['NL'::bpchar, 'BE'::bpchar]))" }],
      columns: [
        { name: "customer_id", type: "integer", nullable: false, nulls: 0, distinct: 1200, min: 1, max: 1200 },
        {
          name: "email",
          type: "text",
          nullable: false,
          nulls: 0,
          distinct: 1200,
          minLength: 9,
          maxLength: 40,
          description: "Login",
        },
        {
          name: "country",
          type: "character(2)",
          nullable: false,
          nulls: 0,
          distinct: 2,
          minLength: 2,
          maxLength: 2,
          values: ["BE", "NL"],
        },
        { name: "tax_id", type: "text", nullable: true, nulls: 300, distinct: 900, minLength: 8, maxLength: 12 },
        { name: "tags", type: "text[]", nullable: true, nulls: 10 },
        { name: "shape", type: "geometry", nullable: true, nulls: 1200 },
      ],
    } as InspectedDataset,
    {
      name: "order lines",
      physicalName: "order lines",
      physicalType: "table",
      rowCount: 5000,
      primaryKey: ["order id", "line"],
      foreignKeys: [
        { columns: ["customer_id"], table: "customers", references: ["customer_id"] },
        { columns: ["sku"], table: "catalog.products", references: ["sku"] },
      ],
      columns: [
        { name: "order id", type: "bigint", nullable: false, nulls: 0, distinct: 2000, min: 1, max: 2000 },
        {
          name: "line",
          type: "smallint",
          nullable: false,
          nulls: 0,
          distinct: 5,
          min: 1,
          max: 5,
          values: [1, 2, 3, 4, 5],
        },
        { name: "customer_id", type: "integer", nullable: false, nulls: 0, distinct: 1100, min: 1, max: 1200 },
        {
          name: "sku",
          type: "text",
          nullable: true,
          nulls: 0,
          distinct: 3,
          minLength: 3,
          maxLength: 3,
          values: ["A'1", "B-2", "C-3"],
        },
        {
          name: "placed_at",
          type: "timestamp with time zone",
          nullable: false,
          nulls: 0,
          distinct: 5000,
          min: "2024-01-01 00:00:00+00",
          max: "2024-06-30 23:59:59+00",
        },
      ],
    },
  ],
};

const request: DataInspectionRequest = {
  source: "postgres",
  location: "postgresql://me@db.example/shop",
  options: { schema: "sales" },
};

const infer = (data: InspectedData, req: DataInspectionRequest = request) =>
  inferContract(data, { request: req, observedOn: "2026-12-04", file: req.location });

function lintClean(value: Record<string, unknown>): string {
  const text = toYamlText(value);
  const src = SourceDocument.parse(text, "inferred.odcs.yaml");
  expect(validateSchema(src, "odcs").map(formatIssue)).toEqual([]);
  expect(
    lintDocument(src)
      .filter((i) => i.severity !== "info")
      .map(formatIssue),
  ).toEqual([]);
  return text;
}

describe("inferContract", () => {
  it("turns declared facts into promises and observed ones into marked suggestions (golden)", () => {
    const result = infer(shop);
    expect(result.issues.map((i) => `${i.severity} ${i.code}: ${i.message}`)).toEqual([
      "warning data-type-unknown: customers.shape has type geometry, which has no ODCS logical type; only its physicalType is kept",
      "warning data-foreign-key-outside: order lines (sku) references catalog.products, which this import does not read; the key is kept in customProperties foreignKeys",
    ]);
    expectGolden(lintClean(result.value), join(testdata, "shop.odcs.yaml"));
  });

  it("infers files: nothing declared, everything observed, the key only suggested", () => {
    const data: InspectedData = {
      server: { server: "local", type: "local", path: "data/*.parquet", format: "parquet" },
      datasets: [
        {
          name: "events",
          rowCount: 10,
          primaryKey: ["id"],
          keysObserved: true,
          columns: [
            { name: "id", type: "BIGINT", nullable: true, nulls: 0, distinct: 10, min: 0, max: 9 },
            {
              name: "kind",
              type: "VARCHAR",
              nullable: true,
              nulls: 0,
              distinct: 2,
              minLength: 3,
              maxLength: 4,
              values: ["a", "b"],
            },
            { name: "day", type: "DATE", nullable: true, nulls: 2, distinct: 3, min: "2024-01-01", max: "2024-01-03" },
            { name: "ok", type: "BOOLEAN", nullable: true, nulls: 1, distinct: 2 },
            { name: "tags", type: "VARCHAR[]", nullable: true, nulls: 0 },
          ],
        },
      ],
    };
    const result = infer(data, { source: "parquet", location: "data/*.parquet", options: {} });
    expect(result.issues).toEqual([]);
    const text = lintClean(result.value);
    expectGolden(text, join(testdata, "events.odcs.yaml"));
    expect(text).not.toContain("required: true");
    expect(text).not.toContain("primaryKey: true");
  });

  it("suggests no value set past the limit, nor for a column whose values never repeat", () => {
    const data: InspectedData = {
      server: { server: "local", type: "local", path: "x.csv", format: "csv" },
      datasets: [
        {
          name: "x",
          rowCount: 3,
          columns: [
            { name: "a", type: "VARCHAR", nulls: 0, distinct: 3, minLength: 1, maxLength: 1, values: ["p", "q", "r"] },
            { name: "b", type: "VARCHAR", nulls: 0, distinct: 2, minLength: 1, maxLength: 1, values: ["p", "q"] },
          ],
        },
      ],
    };
    const names = (max: number) =>
      (
        inferContract(data, {
          request: { source: "csv", location: "x.csv", options: {} },
          observedOn: "2026-12-04",
          file: "x.csv",
          maxValues: max,
        }).value.schema as { properties: { name: string; quality?: { name: string }[] }[] }[]
      )[0]?.properties.map((p) => `${p.name}: ${(p.quality ?? []).map((q) => q.name).join(" ")}`);
    expect(names(20)).toEqual([
      "a: observedNoNulls observedLength",
      "b: observedNoNulls observedLength observedValues",
    ]);
    expect(names(1)).toEqual(["a: observedNoNulls observedLength", "b: observedNoNulls observedLength"]);
  });

  it("keeps hostile names valid: snake_case names, the engine's names as physicalName", () => {
    const hostile: InspectedData = {
      server: { server: "postgres", type: "postgres", host: "h", port: 5432, database: "d", schema: "s" },
      datasets: [
        {
          name: 'select "from"',
          physicalName: 'select "from"',
          rowCount: 2,
          primaryKey: ["ünï cödé"],
          columns: [
            { name: "ünï cödé", type: "text", nullable: false, nulls: 0, distinct: 2, minLength: 1, maxLength: 1 },
            {
              name: "it's",
              type: "text",
              nullable: true,
              nulls: 0,
              distinct: 1,
              values: ["O'Brien"],
              minLength: 7,
              maxLength: 7,
            },
            { name: "2nd; DROP TABLE x", type: "integer", nullable: true, nulls: 0, distinct: 2, min: -1, max: 1 },
          ],
        },
        {
          name: "child",
          rowCount: 0,
          foreignKeys: [{ columns: ["parent"], table: 'select "from"', references: ["ünï cödé"] }],
          columns: [{ name: "parent", type: "text", nullable: true, nulls: 0 }],
        },
      ],
    };
    const result = infer(hostile);
    expect(result.issues).toEqual([]);
    const text = lintClean(result.value);
    expect(text).toContain('physicalName: select "from"');
    expect(text).toContain("- name: select_from");
    expect(text).toContain("to: select_from.uni_code");
    expect(text).toContain("- O'Brien");
    expect(text).toContain("name: _2nd_drop_table_x");
  });

  it("says when there is nothing to read", () => {
    const result = infer({ server: { server: "local", type: "local", path: "x", format: "csv" }, datasets: [] });
    expect(result.issues.map((i) => i.message)).toEqual([
      "no table or file to read at postgresql://me@db.example/shop",
    ]);
  });

  it("rewrites PostgreSQL's spelling of IN lists into SQL every reader parses", () => {
    expect(portableCheck("(country = ANY (ARRAY['NL'::bpchar, 'B''E'::bpchar]))")).toBe("(country IN ('NL', 'B''E'))");
    expect(portableCheck("(amount >= (0)::numeric)")).toBe("(amount >= (0)::numeric)");
  });

  it("never shows a password in a URL", () => {
    expect(redactUrl("postgresql://bob:s3cr3t@h:5432/db")).toBe("postgresql://bob:***@h:5432/db");
    expect(redactUrl("data/*.parquet")).toBe("data/*.parquet");
  });
});

describe("data importers through importWithFormat", () => {
  it("ask the environment to read the data, and lint what they infer", async () => {
    const seen: DataInspectionRequest[] = [];
    const outcome = await importText("postgres", "", { schema: "sales" }, "postgresql://me@db.example/shop", {
      inspect: async (r) => {
        seen.push(r);
        return { ...shop, datasets: shop.datasets.slice(0, 1) };
      },
    });
    expect(seen).toEqual([
      { source: "postgres", location: "postgresql://me@db.example/shop", options: { schema: "sales", values: "20" } },
    ]);
    expectCleanImport(outcome, ["data-type-unknown"]);
  });

  it("refuse without an engine, and report the engine's failure as the issue", async () => {
    for (const name of ["parquet", "csv", "json", "postgres"]) {
      const outcome = await importText(name, "", {}, "somewhere");
      expect(outcome.issues.map((i) => `${i.code}: ${i.message}`)).toEqual([
        `data-no-engine: reading data needs the console or the platform (quanta import --format ${name} somewhere)`,
      ]);
    }
    const failed = await importText("postgres", "", {}, "postgresql://bob:pw@h/db", {
      inspect: async () => {
        throw Object.assign(new Error("cannot connect to postgresql://bob:pw@h/db"), { code: "engine-unreachable" });
      },
    });
    expect(failed.issues.map((i) => `${i.file}: ${i.code}: ${i.message}`)).toEqual([
      "postgresql://bob:***@h/db: engine-unreachable: cannot connect to postgresql://bob:***@h/db",
    ]);
  });

  it("check the values option", async () => {
    const outcome = await importText("csv", "", { values: "many" }, "x.csv", {
      inspect: async () => {
        throw new Error("not reached");
      },
    });
    expect(outcome.issues.map((i) => i.message)).toEqual([
      'option values must be a whole number from 0 to 1000; got "many"',
    ]);
  });
});
