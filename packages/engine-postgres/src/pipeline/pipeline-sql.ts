import { randomBytes } from "node:crypto";
import { PostgresDialect } from "@quanta/core";

const dialect = new PostgresDialect();
const quote = (name: string): string => dialect.quoteIdentifier(name);

/** One input as a step's statements read it: its name and the SELECT serving it masked and filtered. */
export interface ServedInput {
  name: string;
  select: string;
  /** Row filters apply: the step's conditions must not run below them (`OFFSET 0`, see consume-sql.ts). */
  filtered: boolean;
}

/** The step's own text alone on its lines, so a trailing comment cannot swallow the wrapper. */
const wrapped = (sql: string) => `SELECT * FROM (\n${sql.trim().replace(/;\s*$/, "")}\n) AS quanta_step`;

/** `WITH <inputs> `: each input a CTE the planner may inline, fenced by OFFSET 0 when filtered. */
export function withInputs(inputs: readonly ServedInput[]): string {
  if (inputs.length === 0) return "";
  const ctes = inputs.map((d) => `${quote(d.name)} AS (\n${d.select}${d.filtered ? "\nOFFSET 0" : ""}\n)`);
  return `WITH ${ctes.join(",\n")}\n`;
}

/**
 * What the guard plans for a step (never runs): each input's SELECT and each earlier step's table a
 * MATERIALIZED CTE under a name the step cannot know, read by the name the step knows. Any table
 * in the plan outside those CTEs is one the step's text named itself (judgeConsumerPlan).
 */
export function judgedStep(
  inputs: readonly ServedInput[],
  earlier: readonly string[],
  sql: string,
): { sql: string; fences: Set<string> } {
  const tag = randomBytes(8).toString("hex");
  const sources = [
    ...inputs.map((d) => ({ name: d.name, select: d.select })),
    ...earlier.map((name) => ({ name, select: `SELECT * FROM pg_temp.${quote(name)}` })),
  ];
  const fences = sources.map((_, i) => `quanta_${tag}_${i}`);
  const ctes = sources.flatMap((s, i) => [
    `${quote(fences[i] as string)} AS MATERIALIZED (\n${s.select}\n)`,
    `${quote(s.name)} AS (SELECT * FROM ${quote(fences[i] as string)})`,
  ]);
  return {
    sql: `EXPLAIN (VERBOSE, FORMAT JSON) ${ctes.length > 0 ? `WITH ${ctes.join(",\n")}\n` : ""}${wrapped(sql)}`,
    fences: new Set(fences.map((f) => `CTE ${f}`)),
  };
}

/** The step's table, made from its plan alone (`WITH NO DATA` runs nothing), before the transaction turns read-only. */
export function createStepTable(inputs: readonly ServedInput[], step: { name: string; sql: string }): string {
  return `CREATE TEMP TABLE ${quote(step.name)} ON COMMIT DROP AS ${withInputs(inputs)}${wrapped(step.sql)}\nWITH NO DATA`;
}

/** Fills the step's table: allowed in a READ ONLY transaction, the table being temporary. */
export function fillStepTable(inputs: readonly ServedInput[], step: { name: string; sql: string }): string {
  return `${withInputs(inputs)}INSERT INTO pg_temp.${quote(step.name)}\n${wrapped(step.sql)}`;
}

export const countInput = (input: ServedInput): string =>
  `SELECT count(*) AS n FROM (\n${input.select}\n) AS quanta_input`;

/**
 * Every row of `relation` as one JSON object (`row_to_json`), `numeric` values as JSON strings: a
 * JSON number is read as a double, which would round a DECIMAL's digits past the fifteenth.
 */
function rowsAsJson(relation: string, columns: readonly { name: string; type: string }[]): string {
  const list = columns.map((c) =>
    /^numeric\b/.test(c.type) ? `${quote(c.name)}::text AS ${quote(c.name)}` : quote(c.name),
  );
  return `SELECT row_to_json(quanta_row)::text FROM (SELECT ${list.join(", ")} FROM ${relation}) AS quanta_row`;
}

export const stepRowsAsJson = (step: string, columns: readonly { name: string; type: string }[]): string =>
  rowsAsJson(`pg_temp.${quote(step)}`, columns);
export const inputRowsAsJson = (input: ServedInput, columns: readonly { name: string; type: string }[]): string =>
  rowsAsJson(`(\n${input.select}\n) AS quanta_input`, columns);

/** The columns of a step's table, in order, with their types as `format_type` prints them. */
export const stepColumnsSql = `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = pg_catalog.to_regclass('pg_temp.' || pg_catalog.quote_ident($1)) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`;
