import { describe, expect, test } from "vitest";
import { SourceDocument } from "../spec/source.js";
import { lintDocument } from "./lint-document.js";
import { guardSql, substitutePlaceholders } from "./sql-guard.js";

const codes = (sql: string) => guardSql(sql).map((p) => `${p.offset} ${p.code}`);

describe("guardSql", () => {
  test.each([
    "SELECT COUNT(*) FROM {object} WHERE {property} IS NULL",
    "select count(*) from ${table} where ${column} < 0",
    "WITH x AS (SELECT 1 AS a) SELECT COUNT(*) FROM x",
    "SELECT COUNT(*) FILTER (WHERE x IS NULL) FROM t -- trailing ; in a comment",
    "SELECT COUNT(*) FROM t WHERE note = 'DELETE FROM t; DROP TABLE t';",
    "select count(*) from {model} where {field}::date > '2020-01-01'",
  ])("accepts %s", (sql) => {
    expect(guardSql(sql)).toEqual([]);
  });

  test("keeps offsets: placeholders are replaced by identifiers of the same length", () => {
    const sql = "SELECT {property} FROM ${table}";
    expect(substitutePlaceholders(sql)).toHaveLength(sql.length);
    expect(substitutePlaceholders(sql)).toBe("SELECT q_________ FROM q_______");
  });

  test.each([
    ["DELETE FROM t", "0 sql-not-read-only"],
    ["  insert into t values (1)", "2 sql-not-read-only"],
    ["UPDATE t SET a = 1", "0 sql-not-read-only"],
    ["DROP TABLE t", "0 sql-not-read-only"],
    ["CREATE TABLE x AS SELECT 1", "0 sql-not-read-only"],
    ["ATTACH 'other.db'", "0 sql-not-read-only"],
    ["COPY t TO '/tmp/x.csv'", "0 sql-not-read-only"],
    ["PRAGMA table_info('t')", "0 sql-not-read-only"],
    ["SET search_path = x", "0 sql-not-read-only"],
    ["INSTALL httpfs", "0 sql-not-read-only"],
    ["LOAD httpfs", "0 sql-not-read-only"],
    ["CALL pragma_version()", "0 sql-not-read-only"],
    ["WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "11 sql-not-read-only"],
    ["SELECT * INTO backup FROM t", "9 sql-select-into"],
    ["SELECT * FROM read_csv('/etc/passwd')", "14 sql-file-access"],
    ["SELECT COUNT(*) FROM read_parquet('s3://x/*.parquet')", "21 sql-file-access"],
    ["SELECT read_json('x.json')", "7 sql-file-access"],
    ["SELECT read_text('x')", "7 sql-file-access"],
    ["SELECT pg_read_file('/etc/passwd')", "7 sql-file-access"],
    ["SELECT COUNT(*) FROM 'data.csv'", "21 sql-file-access"],
    ["SELECT COUNT(*) FROM t WHERE", "28 sql-syntax-error"],
    ["   ", "0 sql-syntax-error"],
  ])("refuses %s", (sql, expected) => {
    expect(codes(sql)).toEqual([expected]);
  });

  test("refuses several statements", () => {
    expect(codes("SELECT 1; DROP TABLE t")).toEqual(["10 sql-multiple-statements", "10 sql-not-read-only"]);
    expect(codes("SELECT 1; SELECT 2")).toEqual(["10 sql-multiple-statements"]);
  });

  test("syntax errors say what was found and expected", () => {
    expect(guardSql("SELECT COUNT(*) FRM t")[0]?.message).toMatch(/^SQL syntax error at "t" \(expected .*FROM/);
  });
});

describe("SQL quality rules in a contract", () => {
  const contract = (quality: string) => `apiVersion: v3.1.0
kind: DataContract
id: c
version: 1.0.0
status: active
schema:
  - name: orders
    quality:
${quality}`;
  const lint = (quality: string) =>
    lintDocument(SourceDocument.parse(contract(quality), "c.odcs.yaml"))
      .filter((i) => i.code.startsWith("sql-"))
      .map((i) => `${i.line}:${i.column} ${i.code}`);

  test("a parse error inside a literal block points at the exact line and column in the file", () => {
    expect(
      lint(`      - type: sql
        query: |
          SELECT COUNT(*)
          FROM {object}
          WHERE amount <
        mustBe: 0
`),
    ).toEqual(["13:25 sql-syntax-error"]);
  });

  test("a forbidden function in a single-line query points at the function", () => {
    expect(
      lint(`      - type: sql
        query: "SELECT COUNT(*) FROM read_csv('x.csv')"
        mustBe: 0
`),
    ).toEqual(["10:38 sql-file-access"]);
    expect(
      lint(`      - type: sql
        query: SELECT COUNT(*) FROM t; DELETE FROM t
        mustBe: 0
`),
    ).toEqual(["10:40 sql-multiple-statements", "10:40 sql-not-read-only"]);
  });

  test("a folded query falls back to the value with the position inside the query", () => {
    const issues = lintDocument(
      SourceDocument.parse(
        contract(`      - type: sql
        query: >
          SELECT COUNT(*)
          FROM read_csv('x')
        mustBe: 0
`),
        "c.odcs.yaml",
      ),
    ).filter((i) => i.code === "sql-file-access");
    expect(issues.map((i) => `${i.line}:${i.column} ${i.message}`)).toEqual([
      "10:16 function read_csv() reads files, other databases or server state; it is not allowed in a quality query (query line 1, column 22)",
    ]);
  });

  test("placeholders that are unknown or out of scope", () => {
    expect(
      lint(`      - type: sql
        query: SELECT COUNT(*) FROM {tabel} WHERE {property} IS NULL
        mustBe: 0
`),
    ).toEqual(["10:37 sql-placeholder-unknown", "10:51 sql-placeholder-out-of-scope"]);
  });
});
