import { join } from "node:path";
import { InputError } from "@quanta/core";
import { describe, expect, it } from "vitest";
import { DuckDBInstance } from "../duckdb-api.js";
import { tempDir, writeData } from "../test-data.js";
import { columnLineage } from "./column-lineage.js";
import { lineageInputsOf } from "./lineage-inputs.js";
import type { ColumnLineage, LineageInputs, LineageSource } from "./lineage-types.js";

const shop: LineageInputs = {
  tables: {
    orders: ["order_id", "customer_id", "amount", "customer_email", "created_at", "tags"],
    customers: ["customer_id", "segment", "country", "address"],
    refunds: ["refund_id", "order_id", "amount"],
    readings: ["station_id", "measured_at", "temperature", "quality"],
    stations: ["station_id", "name", "elevation"],
  },
  masked: { orders: ["customer_email"] },
};

/** `table.column: DIRECT/IDENTITY, INDIRECT/WINDOW` (`masked` when so): lineage that reads at a glance. */
const show = (s: LineageSource) =>
  `${s.table}.${s.column}: ${s.transformations.map((t) => `${t.type}/${t.subtype}`).join(", ")}${
    s.transformations.some((t) => t.masking) ? " (masked)" : ""
  }`;
const byColumn = (l: ColumnLineage) => Object.fromEntries(l.columns.map((c) => [c.name, c.sources.map(show)]));
const one = (sql: string, inputs: LineageInputs = shop) => columnLineage([{ name: "q", sql }], inputs);

describe("column lineage over DuckDB's parse tree", () => {
  it("follows the revenue pipeline (pipeline-fixtures.ts) through both steps, masking included", async () => {
    const lineage = await columnLineage(
      [
        { name: "consented", sql: "SELECT order_id, amount, customer_email FROM orders" },
        {
          name: "totals",
          sql: "SELECT count(*)::BIGINT AS orders, sum(amount) AS revenue, min(customer_email) AS sample_email\nFROM consented",
        },
      ],
      { tables: { orders: ["order_id", "amount", "customer_email"] }, masked: { orders: ["customer_email"] } },
    );
    expect(byColumn(lineage)).toEqual({
      orders: [],
      revenue: ["orders.amount: DIRECT/AGGREGATION"],
      sample_email: ["orders.customer_email: DIRECT/AGGREGATION (masked)"],
    });
    expect(lineage.dataset).toEqual([]);
    expect(lineage.issues).toEqual([]);
  });

  it("follows a CTE, a USING join, GROUP BY an alias, a window and ORDER BY", async () => {
    const lineage = await one(`
      WITH daily AS (
        SELECT station_id, date_trunc('day', measured_at) AS day, avg(temperature) AS avg_temp
        FROM readings WHERE quality = 'ok' GROUP BY station_id, day
      )
      SELECT s.name AS station, d.day, d.avg_temp,
             avg(d.avg_temp) OVER (PARTITION BY station_id ORDER BY d.day ROWS 6 PRECEDING) AS week_avg
      FROM daily d JOIN stations s USING (station_id)
      ORDER BY station, d.day`);
    expect(byColumn(lineage)).toEqual({
      station: ["stations.name: DIRECT/IDENTITY"],
      day: ["readings.measured_at: DIRECT/TRANSFORMATION"],
      avg_temp: ["readings.temperature: DIRECT/AGGREGATION"],
      week_avg: [
        "readings.temperature: DIRECT/AGGREGATION",
        "readings.station_id: INDIRECT/WINDOW",
        "readings.measured_at: INDIRECT/WINDOW",
      ],
    });
    expect(lineage.dataset.map(show).sort()).toEqual([
      "readings.measured_at: INDIRECT/GROUP_BY, INDIRECT/SORT",
      "readings.quality: INDIRECT/FILTER",
      "readings.station_id: INDIRECT/GROUP_BY, INDIRECT/JOIN",
      "stations.name: INDIRECT/SORT",
      "stations.station_id: INDIRECT/JOIN",
    ]);
    expect(lineage.issues).toEqual([]);
  });

  it("follows VALUES lists and ORDER BY ALL", async () => {
    const lineage = await one(
      "SELECT v.label, r.amount FROM refunds r JOIN (VALUES (1, 'one'), (2, 'two')) v(id, label) ON v.id = r.refund_id ORDER BY ALL",
    );
    expect(byColumn(lineage)).toEqual({ label: [], amount: ["refunds.amount: DIRECT/IDENTITY"] });
    expect(byColumn(await one("SELECT #3 AS third FROM refunds"))).toEqual({
      third: ["refunds.amount: DIRECT/IDENTITY"],
    });
    expect(lineage.dataset.map(show)).toEqual(["refunds.refund_id: INDIRECT/JOIN", "refunds.amount: INDIRECT/SORT"]);
  });

  it("marks a value hashed on the way as masking, through later steps", async () => {
    const lineage = await columnLineage(
      [
        { name: "keys", sql: "SELECT md5(customer_id::VARCHAR) AS customer_key, amount FROM orders" },
        { name: "out", sql: "SELECT upper(customer_key) AS k, amount FROM keys" },
      ],
      shop,
    );
    expect(byColumn(lineage)).toEqual({
      k: ["orders.customer_id: DIRECT/TRANSFORMATION (masked)"],
      amount: ["orders.amount: DIRECT/IDENTITY"],
    });
  });

  it("computes a FULL join's USING column from both sides", async () => {
    const lineage = await one("SELECT order_id, r.amount AS refunded FROM orders FULL JOIN refunds r USING (order_id)");
    expect(byColumn(lineage)).toEqual({
      order_id: ["orders.order_id: DIRECT/TRANSFORMATION", "refunds.order_id: DIRECT/TRANSFORMATION"],
      refunded: ["refunds.amount: DIRECT/IDENTITY"],
    });
  });

  it("reads a join's ON condition, table aliases and port.dataset names", async () => {
    const lineage = await one(
      `SELECT o.order_id, c.segment, o.amount * 1.2 AS gross
       FROM orders.orders AS o LEFT JOIN customers c ON o.customer_id = c.customer_id AND c.country <> 'XX'`,
      { tables: { "orders.orders": ["order_id", "customer_id", "amount"], customers: shop.tables.customers ?? [] } },
    );
    expect(byColumn(lineage)).toEqual({
      order_id: ["orders.orders.order_id: DIRECT/IDENTITY"],
      segment: ["customers.segment: DIRECT/IDENTITY"],
      gross: ["orders.orders.amount: DIRECT/TRANSFORMATION"],
    });
    expect(lineage.dataset.map(show)).toEqual([
      "orders.orders.customer_id: INDIRECT/JOIN",
      "customers.customer_id: INDIRECT/JOIN",
      "customers.country: INDIRECT/JOIN",
    ]);
  });

  it("expands *, * EXCLUDE / REPLACE, t.* and a USING column once", async () => {
    expect(
      byColumn(await one("SELECT * EXCLUDE (customer_email, tags) REPLACE (round(amount, 2) AS amount) FROM orders")),
    ).toEqual({
      order_id: ["orders.order_id: DIRECT/IDENTITY"],
      customer_id: ["orders.customer_id: DIRECT/IDENTITY"],
      amount: ["orders.amount: DIRECT/TRANSFORMATION"],
      created_at: ["orders.created_at: DIRECT/IDENTITY"],
    });
    const joined = await one("SELECT * FROM customers JOIN orders USING (customer_id)");
    expect(joined.columns.map((c) => c.name)).toEqual([
      "customer_id",
      "segment",
      "country",
      "address",
      "order_id",
      "amount",
      "customer_email",
      "created_at",
      "tags",
    ]);
    expect(byColumn(joined).customer_email).toEqual(["orders.customer_email: DIRECT/IDENTITY (masked)"]);
    const renamed = await one(
      "SELECT * EXCLUDE (o.tags, c.address) RENAME (c.segment AS kind) FROM orders o JOIN customers c USING (customer_id)",
    );
    expect(renamed.columns.map((c) => c.name)).toEqual([
      "order_id",
      "customer_id",
      "amount",
      "customer_email",
      "created_at",
      "kind",
      "country",
    ]);
    expect(byColumn(renamed).kind).toEqual(["customers.segment: DIRECT/IDENTITY"]);
    const qualified = await one("SELECT c.*, o.amount FROM orders o, customers c WHERE o.customer_id = c.customer_id");
    expect(qualified.columns.map((c) => c.name)).toEqual(["customer_id", "segment", "country", "address", "amount"]);
  });

  it("follows a star through earlier steps", async () => {
    const lineage = await columnLineage(
      [
        { name: "clean", sql: "SELECT * EXCLUDE (tags) FROM orders WHERE amount > 0" },
        { name: "out", sql: "SELECT * REPLACE (upper(customer_email) AS customer_email) FROM clean" },
      ],
      shop,
    );
    expect(byColumn(lineage).customer_email).toEqual(["orders.customer_email: DIRECT/TRANSFORMATION (masked)"]);
    expect(byColumn(lineage).amount).toEqual(["orders.amount: DIRECT/IDENTITY"]);
    expect(lineage.dataset.map(show)).toEqual(["orders.amount: INDIRECT/FILTER"]);
  });

  it("merges the sides of a UNION by position, and EXCEPT filters", async () => {
    expect(
      byColumn(await one("SELECT order_id, amount FROM orders UNION ALL SELECT refund_id, -amount FROM refunds")),
    ).toEqual({
      order_id: ["orders.order_id: DIRECT/IDENTITY", "refunds.refund_id: DIRECT/IDENTITY"],
      amount: ["orders.amount: DIRECT/IDENTITY", "refunds.amount: DIRECT/TRANSFORMATION"],
    });
    const byName = await one(
      "SELECT amount, order_id FROM orders UNION BY NAME SELECT order_id, refund_id FROM refunds",
    );
    expect(byColumn(byName)).toEqual({
      amount: ["orders.amount: DIRECT/IDENTITY"],
      order_id: ["orders.order_id: DIRECT/IDENTITY", "refunds.order_id: DIRECT/IDENTITY"],
      refund_id: ["refunds.refund_id: DIRECT/IDENTITY"],
    });
    const except = await one("SELECT order_id FROM orders EXCEPT SELECT order_id FROM refunds");
    expect(byColumn(except)).toEqual({ order_id: ["orders.order_id: DIRECT/IDENTITY"] });
    expect(except.dataset.map(show)).toEqual(["refunds.order_id: INDIRECT/FILTER"]);
  });

  it("tells CASE conditions from values, casts and scalar subqueries", async () => {
    const lineage = await one(`
      SELECT CASE WHEN amount > 100 THEN 'big' ELSE 'small' END AS size,
             CASE WHEN amount > 100 THEN customer_id END AS big_customer,
             CAST(order_id AS VARCHAR) AS id, created_at::DATE AS day,
             (SELECT max(r.amount) FROM refunds r WHERE r.order_id = o.order_id) AS biggest_refund
      FROM orders o`);
    expect(byColumn(lineage)).toEqual({
      size: ["orders.amount: INDIRECT/CONDITIONAL"],
      big_customer: ["orders.customer_id: DIRECT/TRANSFORMATION", "orders.amount: INDIRECT/CONDITIONAL"],
      id: ["orders.order_id: DIRECT/TRANSFORMATION"],
      day: ["orders.created_at: DIRECT/TRANSFORMATION"],
      biggest_refund: [
        "refunds.amount: DIRECT/AGGREGATION",
        "refunds.order_id: INDIRECT/FILTER",
        "orders.order_id: INDIRECT/FILTER",
      ],
    });
  });

  it("reads IN and EXISTS subqueries, QUALIFY and HAVING as filters", async () => {
    const lineage = await one(`
      SELECT customer_id, count(*) AS orders, sum(amount) FILTER (WHERE amount > 0) AS paid
      FROM orders
      WHERE customer_id IN (SELECT customer_id FROM customers WHERE segment = 'b2b')
        AND EXISTS (SELECT 1 FROM refunds WHERE refunds.order_id = orders.order_id)
      GROUP BY customer_id
      HAVING max(created_at) > DATE '2026-01-01'
      QUALIFY row_number() OVER (ORDER BY sum(amount) DESC) <= 10`);
    expect(byColumn(lineage)).toEqual({
      customer_id: ["orders.customer_id: DIRECT/IDENTITY"],
      orders: [],
      paid: ["orders.amount: DIRECT/AGGREGATION, INDIRECT/FILTER"],
    });
    expect(lineage.dataset.map(show).sort()).toEqual([
      "customers.customer_id: INDIRECT/FILTER",
      "customers.segment: INDIRECT/FILTER",
      "orders.amount: INDIRECT/FILTER",
      "orders.created_at: INDIRECT/FILTER",
      "orders.customer_id: INDIRECT/FILTER, INDIRECT/GROUP_BY",
      "orders.order_id: INDIRECT/FILTER",
      "refunds.order_id: INDIRECT/FILTER",
    ]);
  });

  it("GROUP BY ALL groups by the columns that are not aggregates; DISTINCT ON groups too", async () => {
    const all = await one("SELECT segment, country, count(*) AS n FROM customers GROUP BY ALL");
    expect(all.dataset.map(show)).toEqual([
      "customers.segment: INDIRECT/GROUP_BY",
      "customers.country: INDIRECT/GROUP_BY",
    ]);
    const distinct = await one(
      "SELECT DISTINCT ON (customer_id) customer_id, amount FROM orders ORDER BY customer_id, created_at DESC",
    );
    expect(distinct.dataset.map(show)).toEqual([
      "orders.customer_id: INDIRECT/GROUP_BY, INDIRECT/SORT",
      "orders.created_at: INDIRECT/SORT",
    ]);
    const positions = await one(
      "SELECT country, sum(elevation) FROM customers JOIN stations ON true GROUP BY 1 ORDER BY 2",
    );
    expect(positions.columns.map((c) => c.name)).toEqual(["country", "sum(elevation)"]);
    expect(positions.dataset.map(show)).toEqual([
      "customers.country: INDIRECT/GROUP_BY",
      "stations.elevation: INDIRECT/SORT",
    ]);
  });

  it("names an unaliased expression as DuckDB does, so a later step can read it by that name", async () => {
    const lineage = await columnLineage(
      [
        { name: "a", sql: "SELECT amount * 2, count(*) OVER () FROM orders" },
        { name: "b", sql: 'SELECT "(amount * 2)" AS doubled, "count() OVER ()" AS n FROM a' },
      ],
      shop,
    );
    expect(byColumn(lineage)).toEqual({ doubled: ["orders.amount: DIRECT/TRANSFORMATION"], n: [] });
    expect(lineage.issues).toEqual([]);
  });

  it("does not take a lambda's parameter for a column; follows struct fields and ROLLUP", async () => {
    const lineage = await one(
      "SELECT list_transform(tags, t -> upper(t)) AS tags, address.city AS city FROM orders JOIN customers USING (customer_id) GROUP BY ROLLUP (tags, city)",
    );
    expect(byColumn(lineage)).toEqual({
      tags: ["orders.tags: DIRECT/TRANSFORMATION"],
      city: ["customers.address: DIRECT/TRANSFORMATION"],
    });
    expect(lineage.issues).toEqual([]);
  });

  it("follows a recursive CTE and a lateral subquery", async () => {
    const recursive = await one(`
      WITH RECURSIVE chain(id, depth) AS (
        SELECT order_id, 0 FROM orders
        UNION ALL SELECT id, depth + 1 FROM chain WHERE depth < 3
      ) SELECT id FROM chain`);
    expect(byColumn(recursive)).toEqual({ id: ["orders.order_id: DIRECT/IDENTITY"] });
    const lateral = await one(
      "SELECT c.customer_id, l.total FROM customers c, (SELECT sum(amount) AS total FROM orders o WHERE o.customer_id = c.customer_id) l",
    );
    expect(byColumn(lateral).total).toEqual(["orders.amount: DIRECT/AGGREGATION"]);
  });

  it("marks a column it cannot place as unknown, as an issue, instead of failing", async () => {
    const lineage = await columnLineage(
      [
        { name: "consented", sql: "SELECT order_id, amout FROM orders" },
        { name: "totals", sql: "SELECT order_id, amout * 2 AS twice, nothing FROM consented" },
      ],
      shop,
    );
    expect(lineage.columns.map((c) => [c.name, c.unknown])).toEqual([
      ["order_id", []],
      ["twice", ["consented: amout"]],
      ["nothing", ["totals: nothing"]],
    ]);
    expect(lineage.issues).toEqual([
      {
        code: "unknown-column",
        statement: "consented",
        message: 'column "amout" is not a column of orders',
      },
      {
        code: "unknown-column",
        statement: "totals",
        message: 'column "nothing" is not a column of consented',
      },
    ]);
  });

  it("names a table it does not know, ambiguous columns and what it does not follow", async () => {
    const unknown = await one("SELECT x FROM nowhere");
    expect(unknown.issues.map((i) => i.code)).toEqual(["unknown-table"]);
    expect(byColumn(unknown)).toEqual({ x: ["nowhere.x: DIRECT/IDENTITY"] });
    const ambiguous = await one("SELECT amount FROM orders, refunds");
    expect(ambiguous.issues.map((i) => i.code)).toEqual(["ambiguous-column"]);
    const columns = await one("SELECT COLUMNS('amount') FROM orders");
    expect(columns.issues.map((i) => i.message)).toEqual(["COLUMNS(…) is not followed: name the columns"]);
    const inside = await one("SELECT max(COLUMNS(*)) FROM orders");
    expect(inside.issues.map((i) => i.code)).toEqual(["unsupported"]);
    const fn = await one("SELECT * FROM read_csv('/etc/passwd')");
    expect(fn.issues.map((i) => i.code)).toEqual(["unsupported"]);
  });

  it("refuses what is not one SELECT with a clear error, never running it", async () => {
    const refused = async (sql: string) =>
      one(sql).then(
        () => "accepted",
        (e: unknown) => (e instanceof InputError ? `${e.code}: ${e.message}` : `broke: ${String(e)}`),
      );
    expect(await refused("DROP TABLE orders")).toBe(
      'lineage-not-select: statement "q" is not a SELECT: column lineage follows SELECT statements only',
    );
    expect(await refused("COPY orders TO '/tmp/out.csv'")).toMatch(/^lineage-not-select/);
    expect(await refused("SELECT 1; DROP TABLE orders")).toMatch(/^lineage-not-select/);
    expect(await refused("SELECT 1; SELECT 2")).toBe(
      'lineage-not-select: statement "q" holds 2 statements; column lineage takes one SELECT',
    );
    expect(await refused("SELEC amount FROM orders")).toMatch(/^lineage-parse-error: statement "q" does not parse:/);
    expect(await refused("'); DROP TABLE orders; --")).toMatch(/^lineage-parse-error/);
    expect(await refused("ATTACH '/tmp/x.db'")).toMatch(/^lineage-not-select/);
    expect(await refused("")).toMatch(/^lineage-not-select/);
    await expect(columnLineage([], shop)).rejects.toThrow("at least one statement");
  });

  it("reads an agreement's row filters as filters on the rows of whatever reads the table", async () => {
    const lineage = await columnLineage(
      [
        { name: "consented", sql: "SELECT order_id, amount FROM orders" },
        { name: "totals", sql: "SELECT sum(amount) AS revenue FROM consented" },
      ],
      { ...shop, rowFilters: { orders: ["analytical_consent = true AND Region IN ('EU', 'UK')"], refunds: ["x > 0"] } },
    );
    expect(lineage.dataset.map(show)).toEqual([
      "orders.analytical_consent: INDIRECT/FILTER",
      "orders.Region: INDIRECT/FILTER",
    ]);
  });

  it("answers many callers at once on its one parser", async () => {
    const all = await Promise.all(
      Array.from({ length: 20 }, (_, i) => one(`SELECT amount + ${i} AS a${i} FROM orders WHERE order_id > ${i}`)),
    );
    expect(all.map((l) => l.columns[0]?.name)).toEqual(Array.from({ length: 20 }, (_, i) => `a${i}`));
  });

  it("takes the inputs' columns, masks and row filters from the run's views (lineageInputsOf)", async () => {
    const dir = tempDir("quanta-lineage-");
    const file = await writeData(
      join(dir, "orders.parquet"),
      "SELECT i AS order_id, i * 10.0 AS amount, 'c' || i || '@example.com' AS customer_email, i % 2 = 0 AS consent FROM range(4) t(i)",
    );
    const view = { files: [file], format: "parquet", masked: ["customer_email"], rowFilters: ["consent"] };
    const inputs = await lineageInputsOf([
      { name: "orders", schema: "orders", ...view },
      { name: "orders", ...view },
    ]);
    expect(inputs).toEqual({
      tables: {
        "orders.orders": ["order_id", "amount", "customer_email", "consent"],
        orders: ["order_id", "amount", "customer_email", "consent"],
      },
      masked: { "orders.orders": ["customer_email"], orders: ["customer_email"] },
      rowFilters: { "orders.orders": ["consent"], orders: ["consent"] },
    });
    const lineage = await one("SELECT o.customer_email FROM orders.orders o", inputs);
    expect(byColumn(lineage)).toEqual({ customer_email: ["orders.orders.customer_email: DIRECT/IDENTITY (masked)"] });
    expect(lineage.dataset.map(show)).toEqual(["orders.orders.consent: INDIRECT/FILTER"]);
  });

  it("names the output columns as DuckDB does when it runs the same SQL", async () => {
    const instance = await DuckDBInstance.create(":memory:");
    const conn = await instance.connect();
    await conn.run(
      "CREATE TABLE orders(order_id INT, customer_id INT, amount DOUBLE, customer_email VARCHAR, created_at TIMESTAMP, tags VARCHAR[])",
    );
    await conn.run(
      "CREATE TABLE customers(customer_id INT, segment VARCHAR, country VARCHAR, address STRUCT(city VARCHAR))",
    );
    await conn.run("CREATE TABLE refunds(refund_id INT, order_id INT, amount DOUBLE)");
    const corpus = [
      "SELECT * FROM orders NATURAL JOIN refunds",
      "SELECT * FROM orders FULL JOIN refunds USING (order_id)",
      "SELECT * EXCLUDE (o.tags, c.address) RENAME (c.segment AS kind) FROM orders o JOIN customers c USING (customer_id)",
      "SELECT * REPLACE (amount * 2 AS amount) FROM refunds",
      "SELECT amount * 2, count(*) OVER (), sum(amount) OVER (PARTITION BY customer_id), amount::INTEGER, 'x', o.amount FROM orders o",
      "SELECT customer_id, count(*), max(amount) FILTER (WHERE amount > 0), list(DISTINCT order_id) FROM orders GROUP BY ALL",
      "SELECT CASE WHEN amount > 1 THEN 'a' END, amount BETWEEN 1 AND 2, coalesce(amount, 0), address.city FROM orders, customers",
      "WITH c(a, b) AS (SELECT order_id, amount FROM orders) SELECT * FROM c",
      "SELECT COLUMNS(*) FROM refunds ORDER BY ALL",
      "SELECT #3, #1 FROM refunds",
      "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(n, s) JOIN refunds ON refund_id = n",
      "SELECT * FROM (VALUES (1, 'a')) v",
      "SELECT amount, order_id FROM orders UNION BY NAME SELECT order_id, refund_id FROM refunds",
      "SELECT order_id AS id FROM orders UNION SELECT refund_id FROM refunds",
      "SELECT l.* FROM customers c, (SELECT sum(amount) AS total, count(*) FROM orders o WHERE o.customer_id = c.customer_id) l",
    ];
    for (const sql of corpus) {
      const ran = (await conn.runAndReadAll(`SELECT * FROM (${sql}) LIMIT 0`)).columnNames();
      const lineage = await one(sql);
      expect({ sql, names: lineage.columns.map((c) => c.name) }).toEqual({ sql, names: ran });
      expect({ sql, issues: lineage.issues }).toEqual({ sql, issues: [] });
    }
    conn.closeSync();
  });
});
