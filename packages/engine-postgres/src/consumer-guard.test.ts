import { describe, expect, it } from "vitest";
import { judgeConsumerPlan, judgeConsumerText, judgeRowFilter } from "./consumer-guard.js";

const verdict = (v: { ok: true } | { ok: false; reason: string }) => (v.ok ? "ok" : v.reason);

describe("judgeConsumerText", () => {
  it.each([
    ["SELECT count(*), pg_catalog.lower(name) FROM customers", "ok"],
    ['SELECT "pg_catalog".upper(x), x::pg_catalog.numeric(10, 2) FROM t', "ok"],
    ["SELECT extract(year FROM d), substring(s FROM 1 FOR 2) FROM t", "ok"],
    ["SELECT 'pg_get_viewdef(x)', '(' FROM t", "ok"],
    ["SELECT public.leak()", "function public.leak() is not one of PostgreSQL's built-in functions (pg_catalog)"],
    ['SELECT "Public"."f"(1)', "function Public.f() is not one of PostgreSQL's built-in functions (pg_catalog)"],
    [
      "SELECT 1 OPERATOR(public.===) 2",
      "operators of schema public are not PostgreSQL's built-in operators (pg_catalog)",
    ],
    ["SELECT pg_get_viewdef('v')", "function pg_get_viewdef() reads the catalog, not the rows the port serves"],
    [
      "SELECT has_table_privilege('t', 'select')",
      "function has_table_privilege() reads the privileges of the catalog, not the rows the port serves",
    ],
    ["SELECT pg_table_is_visible(1)", "function pg_table_is_visible() reads the catalog, not the rows the port serves"],
    [
      "SELECT pg_total_relation_size('t')",
      "function pg_total_relation_size() reads storage statistics, not the rows the port serves",
    ],
    ["SELECT TS_STAT('SELECT 1')", "function ts_stat is not allowed"],
    ["SELECT 1) UNION (SELECT 2", "a closing parenthesis has no opening one"],
    ["SELECT ((1)", "the SQL has an unclosed parenthesis"],
    ["SELECT pg_sleep(10)", "function pg_sleep is not allowed"],
  ])("%j → %s", (sql, expected) => {
    expect(verdict(judgeConsumerText(sql))).toBe(expected);
  });
});

describe("judgeRowFilter", () => {
  it.each([
    ["region = 'EU' AND amount > 0", "ok"],
    ["created_at::timestamp with time zone > now() - interval '1 day'", "ok"],
    ["a) OR (true", "a closing parenthesis has no opening one"],
    ["(a", "the SQL has an unclosed parenthesis"],
    ["id IN (SELECT id FROM other)", "a row filter is an expression over the dataset's columns, not a subquery"],
    ["EXISTS (TABLE other)", "a row filter is an expression over the dataset's columns, not a subquery"],
    ["a = 1; DELETE FROM t", "exactly one statement is allowed, found 2"],
    // Alone on its lines: a trailing comment ends with the filter.
    ["a = 1 -- ) OR (true", "ok"],
  ])("%j → %s", (filter, expected) => {
    expect(verdict(judgeRowFilter(filter))).toBe(expected);
  });
});

describe("judgeConsumerPlan", () => {
  const scan = (relation: string, extra = {}) => ({
    "Node Type": "Seq Scan",
    "Relation Name": relation,
    Schema: "s",
    ...extra,
  });
  const plan = (...children: object[]) => [{ Plan: { "Node Type": "Limit", Plans: children } }];

  it("lets tables be read only inside the datasets' own CTEs", () => {
    const datasets = new Set(["CTE quanta_1_0"]);
    const inside = scan("t", { "Parent Relationship": "InitPlan", "Subplan Name": "CTE quanta_1_0" });
    expect(
      verdict(judgeConsumerPlan(plan(inside, { "Node Type": "CTE Scan", "CTE Name": "quanta_1_0" }), datasets)),
    ).toBe("ok");
    expect(verdict(judgeConsumerPlan(plan(inside, scan("t")), datasets))).toBe(
      "the query reads s.t, which is not one of the port's datasets",
    );
    const mine = scan("secret", { "Parent Relationship": "InitPlan", "Subplan Name": "CTE quanta_1_0x" });
    expect(verdict(judgeConsumerPlan(plan(mine), datasets))).toBe(
      "the query reads s.secret, which is not one of the port's datasets",
    );
    expect(verdict(judgeConsumerPlan(plan({ "Node Type": "ModifyTable", Operation: "Delete" }), datasets))).toBe(
      "the statement writes (Delete)",
    );
  });
});
