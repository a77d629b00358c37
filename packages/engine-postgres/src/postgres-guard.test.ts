import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { judgePlan, judgeSqlText } from "./postgres-guard.js";

const verdict = (sql: string) => {
  const v = judgeSqlText(sql);
  return v.ok ? "ok" : v.reason;
};

describe("judgeSqlText", () => {
  it.each([
    ["SELECT count(*) FROM t", "ok"],
    ["  (SELECT 1) UNION (SELECT 2);  ", "ok"],
    ["WITH x AS (SELECT 1) SELECT * FROM x", "ok"],
    ["VALUES (1)", "ok"],
    ["SELECT 'DELETE FROM t; DROP TABLE t' AS s", "ok"],
    ["SELECT $$; DROP TABLE t; $$", "ok"],
    ["SELECT $tag$ $$ ; DELETE $$ $tag$", "ok"],
    ["SELECT E'it\\'s; DROP TABLE t' AS s", "ok"],
    ["SELECT 1 /* outer /* nested ; DROP */ still comment ; */", "ok"],
    ["SELECT 1 -- ; DROP TABLE t", "ok"],
    ['SELECT "update", "delete" FROM "insert"', "ok"],
    ["SELECT substring(s FROM 1 FOR 2) FROM t", "ok"],
    ["SELECT t.delete_flag, x.e FROM t, x", "ok"],
    ["SELECT pg_size_pretty(1), lower('pg_read_file(x)')", "ok"],
    ["", "the SQL is empty"],
    ["  ;  ; ", "the SQL is empty"],
    ["SELECT 1; SELECT 2", "exactly one statement is allowed, found 2"],
    ["SELECT 'a'';' ; DROP TABLE t", "exactly one statement is allowed, found 2"],
    ["SELECT E'\\'' ; DROP TABLE t", "exactly one statement is allowed, found 2"],
    ["SELECT $x$ a $x$; DROP TABLE t", "exactly one statement is allowed, found 2"],
    ["SELECT 'unterminated", "the SQL has an unterminated string"],
    ["SELECT $a$ never closed", "the SQL has an unterminated dollar-quoted string"],
    ["SELECT 1 /* /* */", "the SQL has an unterminated comment"],
    ['SELECT "x', "the SQL has an unterminated quoted identifier"],
    ["DELETE FROM t", "only a SELECT is allowed, found DELETE"],
    ["EXPLAIN ANALYZE DELETE FROM t", "only a SELECT is allowed, found EXPLAIN"],
    ["BEGIN; DELETE FROM t; COMMIT", "exactly one statement is allowed, found 3"],
    ['"select" 1', 'only a SELECT is allowed, found "select"'],
    ["(((", "only a SELECT is allowed"],
    ["WITH d AS (UPDATE t SET a = 1 RETURNING *) SELECT * FROM d", "UPDATE is not allowed in a contract rule"],
    ["SELECT * INTO copy_of_t FROM t", "INTO is not allowed in a contract rule"],
    ["SELECT * FROM t FOR UPDATE", "row locks (FOR UPDATE/SHARE) are not allowed in a contract rule"],
    ["SELECT * FROM t FOR NO KEY UPDATE", "row locks (FOR UPDATE/SHARE) are not allowed in a contract rule"],
    ["SELECT pg_read_file('/etc/passwd')", "function pg_read_file is not allowed in a contract rule"],
    ["select PG_READ_BINARY_FILE ('x')", "function pg_read_binary_file is not allowed in a contract rule"],
    ["SELECT \"pg_read_file\"('x')", "function pg_read_file is not allowed in a contract rule"],
    ["SELECT pg_catalog.pg_ls_dir('.')", "function pg_ls_dir is not allowed in a contract rule"],
    ["SELECT 1dblink('x', 'y')", "function dblink is not allowed in a contract rule"],
    ["SELECT public.dblink_exec('x', 'DROP TABLE t')", "function dblink_exec is not allowed in a contract rule"],
    ["SELECT lo_import('/etc/passwd')", "function lo_import is not allowed in a contract rule"],
    ["SELECT set_config('a', 'b', false)", "function set_config is not allowed in a contract rule"],
    ["SELECT query_to_xml('DELETE FROM t', true, true, '')", "function query_to_xml is not allowed in a contract rule"],
    ["SELECT pg_terminate_backend(1)", "function pg_terminate_backend is not allowed in a contract rule"],
    ["SELECT pg_sleep_for('1 hour')", "function pg_sleep_for is not allowed in a contract rule"],
    ["SELECT nextval('s')", "function nextval is not allowed in a contract rule"],
    ["SELECT * FROM ts_stat('SELECT v FROM secrets')", "function ts_stat is not allowed in a contract rule"],
    [
      "SELECT ts_rewrite('a'::tsquery, 'SELECT t, s FROM aliases')",
      "function ts_rewrite is not allowed in a contract rule",
    ],
  ])("%j → %s", (sql, expected) => {
    expect(verdict(sql)).toBe(expected);
  });
});

describe("judgePlan", () => {
  it("refuses writes, row locks, system catalogs and forbidden table functions in a plan", () => {
    const plan = (node: Record<string, unknown>) => [{ Plan: { "Node Type": "Aggregate", Plans: [node] } }];
    expect(judgePlan(plan({ "Node Type": "Seq Scan", "Relation Name": "t", Schema: "public" }))).toEqual({ ok: true });
    expect(judgePlan(plan({ "Node Type": "ModifyTable", Operation: "Delete" }))).toEqual({
      ok: false,
      reason: "the statement writes (Delete)",
    });
    expect(judgePlan(plan({ "Node Type": "LockRows" })).ok).toBe(false);
    expect(judgePlan(plan({ "Node Type": "Seq Scan", "Relation Name": "pg_authid", Schema: "pg_catalog" }))).toEqual({
      ok: false,
      reason: "reading the system catalog pg_catalog.pg_authid is not allowed",
    });
    expect(judgePlan(plan({ "Node Type": "Function Scan", "Function Name": "pg_ls_dir" })).ok).toBe(false);
  });
});

describe.skipIf(postgresSkipReason())("judgePlan on the server's own plans", () => {
  let db: { url: string; drop(): Promise<void> };
  let client: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase("guard");
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query("CREATE TABLE t (a int); INSERT INTO t VALUES (1), (2)");
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  // What the lexical pass would refuse first, planned anyway: the plan pass stands on its own.
  const explain = async (sql: string) => {
    const { rows } = await client.query(`EXPLAIN (VERBOSE, FORMAT JSON) ${sql}`);
    return judgePlan(rows[0]["QUERY PLAN"]);
  };

  it.each([
    ["SELECT count(*) FROM t", "ok"],
    ["WITH d AS (DELETE FROM t RETURNING a) SELECT count(*) FROM d", "the statement writes (Delete)"],
    [
      "SELECT count(*) FROM (SELECT * FROM t FOR UPDATE) x",
      "row locks (FOR UPDATE/SHARE) are not allowed in a contract rule",
    ],
    ["SELECT count(*) FROM pg_shadow", "reading the system catalog pg_catalog.pg_authid is not allowed"],
    ["SELECT count(*) FROM pg_stat_activity", "function pg_stat_get_activity is not allowed in a contract rule"],
    ["SELECT count(*) FROM information_schema.tables", "reading the system catalog pg_catalog.pg_class is not allowed"],
    ["SELECT count(*) FROM pg_ls_dir('.')", "function pg_ls_dir is not allowed in a contract rule"],
  ])("%s → %s", async (sql, expected) => {
    const v = await explain(sql);
    expect(v.ok ? "ok" : v.reason).toBe(expected);
    expect((await client.query("SELECT count(*)::int AS n FROM t")).rows[0].n).toBe(2);
  });
});
