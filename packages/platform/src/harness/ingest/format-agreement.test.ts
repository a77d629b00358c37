import { DuckDBInstance } from "@duckdb/node-api";
import { type BaseDialect, buildChecks, DuckDbDialect, type MetricCheck, PostgresDialect } from "@quanta/core";
import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RowValidator } from "./row-validator.js";

/**
 * One table of values for every built-in format and for contract patterns, with the verdict each
 * must get. The ingest validator (JavaScript) and the contract tests (the check's SQL in DuckDB and
 * in PostgreSQL) are each run over it: all three must give the expected verdict, so ingest can
 * never quarantine what the contract tests pass, or store what they fail.
 */
const rules: { name: string; options: Record<string, string>; valid: string[]; invalid: string[] }[] = [
  {
    name: "email",
    options: { format: "email" },
    valid: ["liam.meijer0@example.com", "a@b.co", "first+tag@sub.example.org", "ünïcode@例え.jp"],
    invalid: ["not an email", "a@b", "@example.com", "a@@b.com", "a b@c.com", "a\t@b.com", "a@b.com\n", "a@b.com "],
  },
  {
    name: "uuid",
    options: { format: "uuid" },
    valid: ["123e4567-e89b-12d3-a456-426614174000", "123E4567-E89B-12D3-A456-426614174000"],
    invalid: [
      "123e4567e89b12d3a456426614174000",
      "g23e4567-e89b-12d3-a456-426614174000",
      "123e4567-e89b-12d3-a456-42661417400",
      " 123e4567-e89b-12d3-a456-426614174000",
    ],
  },
  {
    name: "uri",
    options: { format: "uri" },
    valid: ["https://example.com/a?b=1", "mailto:a@b.io", "urn:isbn:0451450523", "x+y.z-w:"],
    invalid: ["example.com", "1http://x", "http://a b", "://x", "http://a\nb"],
  },
  {
    name: "date",
    options: { format: "date" },
    valid: ["2024-02-29", "2023-12-31", "2000-02-29", "2024-04-30"],
    invalid: ["2023-02-29", "1900-02-29", "2024-02-30", "2024-04-31", "2024-13-01", "2024-00-10", "2024-1-01"],
  },
  {
    name: "date-time",
    options: { format: "date-time" },
    valid: ["2024-02-29T10:00:00Z", "2024-12-31 23:59:59.5+01:00", "2024-06-30t12:00:00", "2016-12-31T23:59:60Z"],
    invalid: ["2024-02-30T10:00:00Z", "2024-06-31T00:00:00Z", "2024-01-01T24:00:00", "2024-01-01", "2024-01-01T10:00"],
  },
  {
    name: "time",
    options: { format: "time" },
    valid: ["10:00:00", "23:59:59.999Z", "00:00:00+05:30", "12:30:00-0800"],
    invalid: ["24:00:00", "10:00", "1:00:00", "10:60:00", "10:00:00 "],
  },
  {
    name: "ipv4",
    options: { format: "ipv4" },
    valid: ["192.168.0.1", "0.0.0.0", "255.255.255.255"],
    invalid: ["256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4.5", "1.2.3.a"],
  },
  {
    name: "hostname",
    options: { format: "hostname" },
    valid: ["example.com", "a", "xn--bcher-kva.example", "a-b.c", `${"a".repeat(63)}.com`],
    invalid: ["-a.com", "a-.com", "a..b", "ex ample.com", `${"a".repeat(64)}.com`, "a_b.com"],
  },
  {
    name: "pattern",
    options: { pattern: "^ORD-[0-9]{8}$" },
    valid: ["ORD-10004711"],
    invalid: ["ord-10004711", "ORD-1000471", "ORD-100047110"],
  },
  {
    name: "pattern_unanchored",
    options: { pattern: "[0-9]" },
    valid: ["abc1", "7"],
    invalid: ["abc", ""],
  },
  {
    name: "pattern_posix",
    options: { pattern: "^[[:upper:]][[:alnum:]_]*[[:punct:]]?$" },
    valid: ["Abc_1", "A", "Zz!"],
    invalid: ["abc", "A-b", "1A"],
  },
  {
    name: "pattern_escapes",
    options: { pattern: "^\\d{3}\\s\\w+$" },
    valid: ["123 abc", "000\tx_1"],
    invalid: ["12 abc", "123abc", "123 a-b"],
  },
  {
    name: "pattern_bracket",
    options: { pattern: "^[]a[-]+$" },
    valid: ["]a[", "-a"],
    invalid: ["b", "]b"],
  },
];

const cases = rules.flatMap((r) => [
  ...r.valid.map((value) => ({ rule: r.name, value, valid: true })),
  ...r.invalid.map((value) => ({ rule: r.name, value, valid: false })),
]);

const contract = {
  apiVersion: "v3.1.0",
  kind: "DataContract",
  id: "formats",
  version: "1.0.0",
  status: "active",
  schema: [
    {
      name: "values",
      properties: rules.map((r) => ({ name: r.name, logicalType: "string", logicalTypeOptions: r.options })),
    },
  ],
};

/** The contract tests' check for each rule: the same `buildChecks` output the engines run. */
const checks = new Map(
  buildChecks(contract, { schema: "values" }).flatMap((c) =>
    c.kind === "metric" && c.property !== undefined && (c.type === "format" || c.type === "pattern")
      ? [[c.property, c as MetricCheck] as const]
      : [],
  ),
);

/** Per case: 1 when the check counts the value as a violation, from the check's own aggregate SQL. */
function verdictQuery(d: BaseDialect, id: number, rule: string): string {
  const check = checks.get(rule);
  if (!check) throw new Error(`no check for ${rule}`);
  const relation = `(SELECT value AS ${d.quoteIdentifier(rule)} FROM cases WHERE id = ${id}) AS c`;
  return d.aggregateQuery(relation, [{ alias: "bad", metric: check.metric }]);
}

const expected = cases.map((c) => `${c.rule} ${JSON.stringify(c.value)}: ${c.valid ? "valid" : "invalid"}`);
const verdicts = (valid: boolean[]) =>
  cases.map((c, i) => `${c.rule} ${JSON.stringify(c.value)}: ${valid[i] ? "valid" : "invalid"}`);

describe("string formats: ingest, DuckDB and PostgreSQL give every value the same verdict", () => {
  it("builds a check for every rule", () => {
    expect([...checks.keys()].sort()).toEqual(rules.map((r) => r.name).sort());
  });

  it("the ingest validator", () => {
    const validator = new RowValidator(contract, "values");
    expect(verdicts(cases.map((c) => validator.validate({ [c.rule]: c.value }, "strict").row !== undefined))).toEqual(
      expected,
    );
  });

  it("DuckDB (the contract tests' SQL)", async () => {
    const d = new DuckDbDialect();
    const instance = await DuckDBInstance.create(":memory:");
    const conn = await instance.connect();
    try {
      await conn.run("CREATE TABLE cases (id INTEGER, value VARCHAR)");
      const rows = cases.map((c, i) => `(${i}, ${d.literal(c.value)})`);
      await conn.run(`INSERT INTO cases VALUES ${rows.join(", ")}`);
      const valid: boolean[] = [];
      for (const [i, c] of cases.entries()) {
        const result = await conn.runAndReadAll(verdictQuery(d, i, c.rule));
        valid.push(Number(result.getRows()[0]?.[0]) === 0);
      }
      expect(verdicts(valid)).toEqual(expected);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });

  describe.skipIf(postgresSkipReason())("PostgreSQL", () => {
    let db: { url: string; drop(): Promise<void> } | undefined;
    let client: pg.Client | undefined;
    beforeAll(async () => {
      db = await createTestDatabase("formats");
      client = new pg.Client({ connectionString: db.url });
      await client.connect();
    });
    afterAll(async () => {
      await client?.end();
      await db?.drop();
    });

    it("PostgreSQL (the contract tests' SQL)", async () => {
      const d = new PostgresDialect();
      const c = client as pg.Client;
      await c.query("CREATE TABLE cases (id integer, value text)");
      for (const [i, x] of cases.entries()) await c.query("INSERT INTO cases VALUES ($1, $2)", [i, x.value]);
      const valid: boolean[] = [];
      for (const [i, x] of cases.entries()) {
        const { rows } = await c.query<{ bad: string }>(verdictQuery(d, i, x.rule));
        valid.push(Number(rows[0]?.bad) === 0);
      }
      expect(verdicts(valid)).toEqual(expected);
    });
  });
});
