import { randomBytes } from "node:crypto";
import { InputError, PostgresDialect } from "@quanta/core";

const dialect = new PostgresDialect();
export const quote = (name: string): string => dialect.quoteIdentifier(name);

/** One dataset as the consume statement reads it: its name and the SELECT serving it (masked-select.ts). */
export interface ServedDataset {
  name: string;
  select: string;
  /** Row filters apply: the consumer's conditions must not run below them (see `realStatement`). */
  filtered: boolean;
}

/** The consumer's SQL, or every row of the only dataset; trailing semicolons dropped. */
export function consumerSql(names: readonly string[], sql: string | undefined): string {
  if (sql !== undefined && sql.trim() !== "") return sql.trim().replace(/;\s*$/, "");
  const only = names.length === 1 ? names[0] : undefined;
  if (only === undefined) {
    throw new InputError(
      `the port has ${names.length} datasets (${names.join(", ")}); send "sql" to say what to read`,
      { code: "sql-required" },
    );
  }
  return `SELECT * FROM ${quote(only)}`;
}

/**
 * `WITH <datasets> SELECT <outer> FROM (SELECT * FROM (<consumer>) LIMIT n) AS consume_result`: `outer`
 * is given the parenthesized, limited rows and names them `consume_result`. The
 * consumer's text sits alone on its lines, so a trailing comment cannot swallow the wrapper; its
 * parentheses are balanced (the guard), so it cannot close the wrapper's.
 */
function statement(ctes: readonly string[], consumer: string, limit: number, outer: (rows: string) => string): string {
  const rows = `(SELECT * FROM (\n${consumer}\n) AS consume_rows LIMIT ${limit})`;
  return `${ctes.length > 0 ? `WITH ${ctes.join(",\n")}\n` : ""}${outer(rows)}`;
}

const everything = (rows: string) => `SELECT * FROM ${rows} AS consume_result`;

/**
 * The statement that runs. Each dataset is a CTE the planner may inline, so the consumer's
 * conditions reach the table's indexes, except over a filtered dataset: there `OFFSET 0` keeps the
 * consumer's conditions above the row filters (the planner pushes no condition into a subquery
 * with OFFSET), so a condition that fails loudly (`1/0`, a cast whose error quotes the value)
 * cannot run on rows the filters hide.
 */
export function realStatement(
  datasets: readonly ServedDataset[],
  consumer: string,
  limit: number,
  outer: (rows: string) => string = everything,
): string {
  const ctes = datasets.map((d) => `${quote(d.name)} AS (\n${d.select}${d.filtered ? "\nOFFSET 0" : ""}\n)`);
  return statement(ctes, consumer, limit, outer);
}

/**
 * The same consumer text over the same datasets, each dataset's SELECT a MATERIALIZED CTE under a
 * name the consumer cannot know (random per query), which the dataset's name then reads. In its
 * plan the tables the datasets read sit under those CTEs' subplans, and any other table is one the
 * consumer's text named itself (see judgeConsumerPlan). Only planned, never run.
 */
export function judgedStatement(
  datasets: readonly ServedDataset[],
  consumer: string,
  limit: number,
): { sql: string; datasetPlans: Set<string> } {
  const tag = randomBytes(8).toString("hex");
  const fences = datasets.map((_, i) => `quanta_${tag}_${i}`);
  const ctes = datasets.flatMap((d, i) => [
    `${quote(fences[i]!)} AS MATERIALIZED (\n${d.select}\n)`,
    `${quote(d.name)} AS (SELECT * FROM ${quote(fences[i]!)})`,
  ]);
  return {
    sql: statement(ctes, consumer, limit, everything),
    datasetPlans: new Set(fences.map((f) => `CTE ${f}`)),
  };
}
