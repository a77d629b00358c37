import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { formatIssue } from "../../issues.js";
import type { ExportResult } from "../format.js";
import {
  expectCleanImport,
  expectGolden,
  exportFile,
  exportText,
  fixtures,
  importFile,
  importText,
  issuesWith,
} from "../format-test-kit.test-helpers.js";

const here = import.meta.dirname;

// biome-ignore lint/suspicious/noExplicitAny: tests walk converted documents freely
type Obj = Record<string, any>;

function file(result: ExportResult, path: string): string {
  const found = result.files.find((f) => f.path === path);
  if (!found) throw new Error(`no ${path} in ${result.files.map((f) => f.path).join(", ")}`);
  return typeof found.content === "string" ? found.content : new TextDecoder().decode(found.content);
}

/** What a round trip must keep of each object: names, logical types, required, keys. */
function shape(contractText: string): Obj[] {
  return (parse(contractText).schema as Obj[]).map((o) => ({
    name: o.name,
    properties: (o.properties as Obj[]).map((p) => ({
      name: p.name,
      logicalType: p.logicalType,
      required: p.required === true || p.primaryKey === true,
      primaryKey: p.primaryKey === true,
      unique: p.unique === true || (p.primaryKey === true && p.primaryKeyPosition === 1),
      relationships: p.relationships ?? [],
      validValues: (p.quality as Obj[] | undefined)?.find((q) => q.metric === "invalidValues")?.arguments?.validValues,
    })),
  }));
}

describe("dbt export", () => {
  it("writes schema.yml, sources.yml and a staging model per object for the rich contract", async () => {
    const result = await exportFile("dbt", fixtures.rich);
    expect(result.issues.filter((i) => i.severity === "error").map(formatIssue)).toEqual([]);
    expect(result.files.map((f) => [f.path, f.mediaType])).toEqual([
      ["models/schema.yml", "application/yaml"],
      ["models/sources.yml", "application/yaml"],
      ["models/staging/stg_customers.sql", "application/sql"],
      ["models/customers.sql", "application/sql"],
      ["models/staging/stg_orders.sql", "application/sql"],
      ["models/orders.sql", "application/sql"],
    ]);
    for (const f of result.files) expectGolden(file(result, f.path), join(here, "testdata/rich", f.path));
    const schema = parse(file(result, "models/schema.yml"));
    expect(schema.version).toBe(2);
    expect(schema.models.map((m: Obj) => m.config.contract.enforced)).toEqual([true, true]);
    const sources = parse(file(result, "models/sources.yml"));
    expect(sources.sources.map((s: Obj) => [s.name, s.schema])).toEqual([
      ["local", "main"],
      ["warehouse", "public"],
    ]);
    // The freshness SLA on orders.ordered_at is the source's freshness.
    expect(sources.sources[0].tables[1]).toMatchObject({
      loaded_at_field: "ordered_at",
      freshness: { error_after: { count: 1, period: "day" } },
    });
  });

  it("warns at the contract's line for what dbt cannot hold", async () => {
    const result = await exportFile("dbt", fixtures.rich);
    const lines = result.issues.map(formatIssue);
    expect(lines).toContain(
      'packages/core/src/formats/testdata/rich.odcs.yaml:80:11 warning dbt-unmapped pattern: "^ORD-[0-9]{8}$" of order_id is not written: dbt\'s own tests have no such check',
    );
    expect(issuesWith(result.issues, "dbt-nested").map((i) => i.path)).toEqual([
      "schema[1].properties[8].properties",
      "schema[1].properties[10].items",
    ]);
  });

  it.each(["postgres", "duckdb", "snowflake", "bigquery"])("types columns for %s", async (dialect) => {
    const result = await exportFile("dbt", fixtures.rich, { dialect });
    const orders = parse(file(result, "models/schema.yml")).models[1];
    const types = Object.fromEntries(orders.columns.map((c: Obj) => [c.name, c.data_type]));
    expect(types).toMatchSnapshot();
  });

  it("quotes and keeps hostile names", async () => {
    const result = await exportFile("dbt", fixtures.hostile);
    expectGolden(file(result, "models/schema.yml"), join(here, "testdata/hostile/models/schema.yml"));
    expectGolden(
      file(result, "models/staging/stg_select.sql"),
      join(here, "testdata/hostile/models/staging/stg_select.sql"),
    );
    const bq = await exportFile("dbt", fixtures.hostile, { dialect: "bigquery" });
    expect(file(bq, "models/staging/stg_select.sql")).toContain('`a"b`');
    const models = parse(file(result, "models/schema.yml")).models;
    expect(models.map((m: Obj) => [m.name, m.config.alias, m.meta?.odcs_name])).toEqual([
      ["select", undefined, undefined],
      ["order_items", "order items", "order items"],
    ]);
  });

  it("names the object it cannot find", async () => {
    const result = await exportFile("dbt", fixtures.rich, { schema: "nope" });
    expect(result.issues.map((i) => i.code)).toEqual(["dbt-no-object"]);
    const bad = await exportFile("dbt", fixtures.rich, { dialect: "oracle" });
    expect(bad.issues.map((i) => i.code)).toEqual(["format-option-invalid"]);
  });
});

describe("dbt round trips", () => {
  it("export rich → import schema.yml keeps objects, properties, types, required and keys", async () => {
    const original = shape(await import("node:fs").then((fs) => fs.readFileSync(fixtures.rich, "utf8")));
    for (const dialect of ["postgres", "duckdb", "bigquery"]) {
      const exported = await exportFile("dbt", fixtures.rich, { dialect });
      const back = await importText("dbt", file(exported, "models/schema.yml"), {}, "schema.yml");
      // The composite-free rich contract has one relationship, to customers, which is in the contract.
      const text = expectCleanImport(back);
      expect(shape(text)).toEqual(original);
    }
  });

  it("hostile names survive export and import", async () => {
    const exported = await exportFile("dbt", fixtures.hostile);
    const back = await importText("dbt", file(exported, "models/schema.yml"), {}, "schema.yml");
    const text = expectCleanImport(back);
    const original = parse(await import("node:fs").then((fs) => fs.readFileSync(fixtures.hostile, "utf8")));
    expect(shape(text).map((o) => [o.name, o.properties.map((p: Obj) => p.name)])).toEqual(
      (original.schema as Obj[]).map((o) => [o.name, (o.properties as Obj[]).map((p) => p.name)]),
    );
  });

  it("import schema.yml → export → import gives the same contract", async () => {
    const first = expectCleanImport(await importFile("dbt", join(here, "testdata/schema.yml")), ["dbt-test-unmapped"]);
    const exported = await exportText("dbt", first);
    const second = await importText("dbt", file(exported, "models/schema.yml"), {}, "schema.yml");
    const text = expectCleanImport(second, ["dbt-test-unmapped"]);
    expect(shape(text)).toEqual(shape(first));
  });
});
