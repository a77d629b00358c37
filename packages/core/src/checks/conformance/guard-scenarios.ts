import type { CheckScenario } from "./scenario.js";

/** Where the COPY attempt would write: an engine's test proves the file never appears. */
export const guardCopyTarget = "/tmp/quanta-guard-copy-never-written.csv";

/** SQL rules a contract might carry to write, escape or stall: id → query (placeholders resolved per engine). */
export const hostileQueries: Record<string, string> = {
  insert: "INSERT INTO {object} SELECT * FROM {object}",
  update: "UPDATE {object} SET amount = 0",
  delete: "DELETE FROM {object}",
  drop: "DROP TABLE {object}",
  create: "CREATE TABLE stolen AS SELECT * FROM {object}",
  truncate: "TRUNCATE {object}",
  copyOut: `COPY {object} TO '${guardCopyTarget}'`,
  copySelect: `COPY (SELECT * FROM {object}) TO '${guardCopyTarget}'`,
  selectInto: "SELECT * INTO stolen FROM {object}",
  writingCte: "WITH gone AS (DELETE FROM {object} RETURNING 1) SELECT count(*) FROM gone",
  twoStatements: "SELECT count(*) FROM {object}; DELETE FROM {object}",
  hiddenSecond: "SELECT count(*) FROM {object} WHERE note <> ';' ; DROP TABLE {object} --",
  set: "SET statement_timeout = 0",
  setConfig:
    "SELECT count(*) FROM {object} WHERE set_config('default_transaction_read_only', 'off', false) IS NOT NULL",
  readFile: "SELECT length(pg_read_file('PG_VERSION'))",
  readFileQualified: "SELECT length(pg_catalog.pg_read_file('PG_VERSION'))",
  readFileQuoted: `SELECT length("pg_read_file"('PG_VERSION'))`,
  readFileObfuscated: "SeLeCt/**/length(PG_READ_FILE /* x */ ('PG_VERSION'))",
  lsDir: "SELECT count(*) FROM pg_ls_dir('.')",
  dblink: "SELECT count(*) FROM dblink('dbname=postgres', 'DELETE FROM ledger') AS t(n int)",
  queryToXml: "SELECT query_to_xml('DELETE FROM {object} RETURNING 1', true, true, '')",
  passwords: "SELECT count(*) FROM pg_authid",
  lockRows: "SELECT count(*) FROM (SELECT * FROM {object} FOR UPDATE) AS locked",
};

/** SQL rules that would hold the engine for minutes. */
export const stallQueries: Record<string, string> = {
  sleep: "SELECT count(*) FROM {object} WHERE pg_sleep(30) IS NOT NULL",
  sleepMs: "SELECT count(*) FROM {object} WHERE sleep_ms(30000) IS NOT NULL",
};

const ledger: CheckScenario["data"] = {
  ledger: {
    columns: [
      { name: "id", type: "integer" },
      { name: "amount", type: "decimal" },
      { name: "note", type: "text" },
    ],
    rows: [
      [1, 10, "a"],
      [2, 20, "b; DROP TABLE ledger; --"],
      [3, 30, null],
    ],
  },
};

function refusing(name: string, queries: Record<string, string>): CheckScenario {
  return {
    name,
    data: ledger,
    contract: {
      apiVersion: "v3.1.0",
      kind: "DataContract",
      id: "guard",
      version: "1.0.0",
      status: "active",
      schema: [
        {
          name: "ledger",
          properties: [{ name: "id", logicalType: "integer" }],
          quality: [
            ...Object.entries(queries).map(([id, query]) => ({ id, type: "sql", query, mustBe: 0 })),
            { id: "stillThere", type: "sql", query: "SELECT count(*) FROM {object} /* ; DROP TABLE x */", mustBe: 3 },
            {
              id: "semicolonInText",
              type: "sql",
              query: "SELECT count(*) FROM {object} WHERE note LIKE '%;%'",
              mustBe: 1,
            },
          ],
        },
      ],
    },
    expect: {
      ...Object.fromEntries(Object.keys(queries).map((id) => [`ledger.quality.${id}.sql`, "error" as const])),
      "ledger.quality.stillThere.sql": { result: "passed", value: 3 },
      "ledger.quality.semicolonInText.sql": { result: "passed", value: 1 },
    },
  };
}

/**
 * The read-only guard, run by every engine: each hostile rule ends `error` (refused, never run),
 * and a plain count afterwards still sees every row. Engines' tests add their own proofs (no
 * file written or read, the table intact from outside).
 */
export const guardScenarios: CheckScenario[] = [
  refusing("contract SQL that writes or escapes is refused", hostileQueries),
  refusing("contract SQL that stalls the engine is refused", stallQueries),
];
