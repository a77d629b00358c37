import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { exportWithFormat, getFormat, importWithFormat, SourceDocument } from "@quanta/core";
import { tempDir, writeData } from "@quanta/engine-duckdb/test-data";
import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { consoleIn } from "../run-console.test-helpers.js";

const dir = tempDir("quanta-dbt-");
const quanta = consoleIn(dir);
const core = resolve(import.meta.dirname, "../../../core/src/formats");
const testdata = join(core, "dbt/testdata");

type Contract = { schema: { name: string; physicalName?: string }[]; servers?: unknown[] };

function dbt() {
  const format = getFormat("dbt");
  if (!format) throw new Error("no dbt format");
  return format;
}

async function importDbt(file: string): Promise<Contract> {
  const outcome = await importWithFormat(dbt(), { file, bytes: readFileSync(file) }, {});
  if (outcome.text === undefined) throw new Error(outcome.issues.map((i) => i.message).join("\n"));
  return parse(outcome.text) as Contract;
}

/**
 * Writes the imported contract with a local server reading `folder/{model}.parquet`. The engine
 * looks a file object up by its name while the checks name it by its physical name, so an object
 * whose physical name differs (a dbt alias or source identifier) is never found: the test reads
 * such objects by their name until the engine agrees with itself.
 */
function writeContract(contract: Contract, name: string, folder: string): string {
  const copy = structuredClone(contract);
  for (const object of copy.schema) delete object.physicalName;
  copy.servers = [{ server: "local", type: "local", path: `${folder}/{model}.parquet`, format: "parquet" }];
  writeFileSync(join(dir, name), stringify(copy));
  return name;
}

/** `quanta test` as a user runs it: exit code and each check's result. */
async function testRun(contract: string): Promise<{ code: number; results: Record<string, string> }> {
  const r = await quanta("test", contract, "--format", "json");
  const run = JSON.parse(r.out) as { checks: { key: string; result: string }[] };
  return { code: r.code, results: Object.fromEntries(run.checks.map((c) => [c.key, c.result])) };
}

function notPassed(results: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(results).filter(([, r]) => r !== "passed"));
}

const orderId = (i: string) => `'ORD-' || lpad(CAST(${i} AS VARCHAR), 8, '0')`;

describe("a dbt manifest.json's tests run as quanta test", () => {
  it("passes on good data and fails the right checks on bad data", async () => {
    const contract = await importDbt(join(testdata, "manifest.json"));
    for (const folder of ["manifest-good", "manifest-bad"]) mkdirSync(join(dir, folder));
    const bad = (good: string, broken: string, when: string) => ({
      good,
      bad: `CASE WHEN ${when} THEN ${broken} ELSE ${good} END`,
    });
    const columns = {
      customers: {
        customer_id: bad("CAST(i AS BIGINT)", "CAST(1 AS BIGINT)", "i = 20"),
        email: bad("'c' || i || '@example.com'", "NULL", "i = 5"),
        segment: bad("['retail','business','vip'][1 + i % 3]", "'gold'", "i = 7"),
      },
      orders: {
        order_id: bad(orderId("i"), `CASE i WHEN 3 THEN 'X-3' ELSE ${orderId("i - 1")} END`, "i IN (3, 10)"),
        customer_id: bad("CAST(1 + i % 20 AS BIGINT)", "CAST(1 + (i - 1) % 20 AS BIGINT)", "i = 10"),
        status: bad("['placed','shipped','delivered','returned'][1 + i % 4]", "'lost'", "i = 4"),
        total: bad("CAST(i * 10.5 AS DECIMAL(12,2))", "CAST(-5 AS DECIMAL(12,2))", "i = 6"),
        ordered_at: bad("TIMESTAMP '2024-01-01' + to_hours(CAST(i AS BIGINT))", "NULL", "i = 8"),
      },
      payments: {
        payment_id: bad("CAST(i AS INTEGER)", "CAST(i AS INTEGER)", "false"),
        order_id: bad(orderId("i"), orderId("i"), "false"),
        amount: bad("CAST(i * 10.5 AS DECIMAL(12,2))", "CAST(i * 10.5 AS DECIMAL(12,2))", "false"),
        _loaded_at: bad("CAST(now() AS TIMESTAMP)", "CAST(now() AS TIMESTAMP) - INTERVAL 3 DAY", "true"),
      },
    };
    for (const [table, cols] of Object.entries(columns)) {
      for (const [folder, which] of [
        ["manifest-good", "good"],
        ["manifest-bad", "bad"],
      ] as const) {
        const select = Object.entries(cols)
          .map(([name, c]) => `${c[which]} AS ${name}`)
          .join(", ");
        await writeData(join(dir, folder, `${table}.parquet`), `SELECT ${select} FROM range(1, 21) t(i)`);
      }
    }

    const good = await testRun(writeContract(contract, "manifest-good.odcs.yaml", "manifest-good"));
    expect(notPassed(good.results)).toEqual({});
    expect(good.code).toBe(0);
    // Every converted test ran: the keys name them.
    expect(Object.keys(good.results)).toEqual(
      expect.arrayContaining([
        "customers.customer_id.unique",
        "customers.email.required",
        "customers.segment.quality.0.invalidValues",
        "orders.order_id.pattern",
        "orders.total.minimum",
        "orders.total.maximum",
        "orders.quality.0.sql",
        "orders.quality.1.duplicateValues",
        "orders.quality.2.rowCount",
        "sla.freshness.payments._loaded_at",
      ]),
    );

    const failing = await testRun(writeContract(contract, "manifest-bad.odcs.yaml", "manifest-bad"));
    expect(failing.code).toBe(1);
    expect(notPassed(failing.results)).toEqual({
      "customers.customer_id.unique": "failed",
      "customers.primaryKey": "failed",
      "customers.email.required": "failed",
      "customers.segment.quality.0.invalidValues": "failed",
      "orders.order_id.unique": "failed",
      "orders.order_id.pattern": "failed",
      "orders.status.quality.0.invalidValues": "failed",
      "orders.total.minimum": "failed",
      "orders.ordered_at.quality.0.nullValues": "warning",
      "orders.quality.0.sql": "failed",
      "orders.quality.1.duplicateValues": "failed",
      "sla.freshness.payments._loaded_at": "failed",
    });
  });
});

describe("a dbt schema.yml's tests run as quanta test", () => {
  it("passes on good data and fails the right checks on bad data", async () => {
    const contract = await importDbt(join(testdata, "schema.yml"));
    for (const folder of ["yml-good", "yml-bad"]) mkdirSync(join(dir, folder));
    const data = (broken: boolean) => ({
      customers: `SELECT CAST(i AS BIGINT) AS customer_id,
          ${broken ? "CASE WHEN i = 2 THEN 'nope' ELSE 'c' || i || '@example.com' END" : "'c' || i || '@example.com'"} AS email,
          ['retail','business','vip'][1 + i % 3] AS segment,
          CAST(${broken ? "i - 3" : "i"} AS INTEGER) AS lifetime_orders
        FROM range(1, 11) t(i)`,
      orders: `SELECT ${orderId("i")} AS order_id, CAST(1 + i % 10 AS BIGINT) AS customer_id,
          ${broken ? "CASE WHEN i = 1 THEN 'lost' ELSE 'placed' END" : "'placed'"} AS status,
          CAST(i * 3.5 AS DECIMAL(12,2)) AS total,
          CAST(${broken ? "i + 5" : "1 + i % 3"} AS INTEGER) AS priority,
          CAST(now() AS TIMESTAMP) - to_hours(CAST(i AS BIGINT)) ${broken ? "- INTERVAL 5 DAY" : ""} AS ordered_at
        FROM range(1, 31) t(i)`,
      raw_customers: `SELECT CAST(${broken ? "NULLIF(i, 4)" : "i"} AS INTEGER) AS id, 'c' || i || '@example.com' AS email
        FROM range(1, 11) t(i)`,
    });
    for (const [folder, broken] of [
      ["yml-good", false],
      ["yml-bad", true],
    ] as const) {
      for (const [table, select] of Object.entries(data(broken))) {
        await writeData(join(dir, folder, `${table}.parquet`), select);
      }
    }

    const good = await testRun(writeContract(contract, "yml-good.odcs.yaml", "yml-good"));
    expect(notPassed(good.results)).toEqual({});
    expect(good.code).toBe(0);

    const failing = await testRun(writeContract(contract, "yml-bad.odcs.yaml", "yml-bad"));
    expect(failing.code).toBe(1);
    expect(notPassed(failing.results)).toEqual({
      "customers.email.pattern": "failed",
      "customers.lifetime_orders.minimum": "failed",
      "orders.status.quality.0.invalidValues": "warning",
      "orders.priority.quality.0.invalidValues": "failed",
      "raw_customers.id.required": "failed",
      "sla.freshness.orders.ordered_at": "failed",
    });
  });
});

describe("dbt export, checked by DuckDB, PostgreSQL and a YAML parser", () => {
  async function exported(fixture: string, dialect: string) {
    const src = SourceDocument.parse(readFileSync(join(core, "testdata", fixture), "utf8"), fixture);
    const result = await exportWithFormat(dbt(), src, { dialect });
    const text = (path: string) => {
      const f = result.files.find((x) => x.path === path);
      if (!f) throw new Error(`no ${path}`);
      return String(f.content);
    };
    const schema = parse(text("models/schema.yml")) as {
      models: { name: string; columns: { name: string; data_type: string }[] }[];
    };
    const sources = parse(text("models/sources.yml")) as { sources: { name: string }[] };
    expect(result.files.filter((f) => f.path.endsWith(".sql")).length).toBe(schema.models.length * 2);
    return { result, text, schema, source: sources.sources[0]?.name ?? "" };
  }

  const quote = (n: string) => `"${n.replaceAll('"', '""')}"`;

  /**
   * Per model: the table its schema.yml declares (every data type must be the warehouse's), one
   * row, and the staging SQL with `{{ source() }}` rendered as dbt would, to that table.
   */
  function statements(e: Awaited<ReturnType<typeof exported>>) {
    return e.schema.models.map((model) => {
      const table = `src_${model.name}`;
      const staging = e.text(`models/staging/stg_${model.name}.sql`);
      const sql = staging.replace(`{{ source('${e.source}', '${model.name}') }}`, quote(table));
      expect(sql).not.toContain("{{");
      return {
        model,
        setup: [
          `CREATE TABLE ${quote(table)} (${model.columns.map((c) => `${quote(c.name)} ${c.data_type}`).join(", ")})`,
          `INSERT INTO ${quote(table)} DEFAULT VALUES`,
        ],
        sql,
      };
    });
  }

  it("rich: DuckDB creates every model's table from its data types and runs the staging SQL", async () => {
    const e = await exported("rich.odcs.yaml", "duckdb");
    const instance = await DuckDBInstance.create(":memory:");
    const conn = await instance.connect();
    try {
      for (const { model, setup, sql } of statements(e)) {
        for (const statement of setup) await conn.run(statement);
        const reader = await conn.runAndReadAll(sql);
        expect(reader.columnNames()).toEqual(model.columns.map((c) => c.name));
      }
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });

  it("hostile: DuckDB's case-blind column names are reported", async () => {
    const e = await exported("hostile.odcs.yaml", "duckdb");
    expect(e.result.issues.filter((i) => i.code === "dbt-column-collision").map((i) => [i.line, i.message])).toEqual([
      [43, '"Order Date" and "order date" are the same column in duckdb, which ignores case in column names'],
    ]);
  });

  describe.skipIf(postgresSkipReason())("in PostgreSQL", () => {
    it.each(["rich.odcs.yaml", "hostile.odcs.yaml"])(
      "%s: PostgreSQL creates every model's table and runs the quoted staging SQL",
      async (fixture) => {
        const e = await exported(fixture, "postgres");
        const db = await createTestDatabase("dbt_export");
        const client = new pg.Client({ connectionString: db.url });
        await client.connect();
        try {
          for (const { model, setup, sql } of statements(e)) {
            for (const statement of setup) await client.query(statement);
            const result = await client.query(sql);
            expect(result.fields.map((f) => f.name)).toEqual(model.columns.map((c) => c.name));
          }
        } finally {
          await client.end();
          await db.drop();
        }
      },
    );
  });
});

describe("quanta import and export --format dbt", () => {
  it("imports a manifest and writes a dbt project folder", async () => {
    const imported = await quanta(
      "import",
      "--format",
      "dbt",
      join(testdata, "manifest.json"),
      "-o",
      "from-manifest.odcs.yaml",
    );
    expect(imported.code).toBe(0);
    expect((await quanta("lint", "from-manifest.odcs.yaml")).code).toBe(0);
    const exported = await quanta(
      "export",
      "--format",
      "dbt",
      "from-manifest.odcs.yaml",
      "--dialect",
      "duckdb",
      "-o",
      "project",
    );
    expect(exported.code).toBe(0);
    const schema = parse(readFileSync(join(dir, "project/models/schema.yml"), "utf8"));
    expect(schema.models.map((m: { name: string }) => m.name)).toEqual(["customers", "orders", "payments"]);
    expect(readFileSync(join(dir, "project/models/staging/stg_orders.sql"), "utf8")).toContain(
      // The imported contract has no server: the source is named after the contract (the dbt project).
      "from {{ source('webshop', 'orders') }}",
    );
  });
});
