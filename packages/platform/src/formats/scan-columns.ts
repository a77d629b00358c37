import type { ColumnInfo, Connection, InspectedColumn, SqlValue } from "@quanta/core";

/** Aggregates per statement: PostgreSQL allows 1,664 result columns, and a wide table must still scan. */
const itemsPerScan = 1_000;

/** What the scan found in one dataset. */
export interface ScannedDataset {
  rowCount: number;
  columns: InspectedColumn[];
}

interface ColumnPlan {
  info: ColumnInfo;
  nulls: string;
  distinct?: string;
  min?: string;
  max?: string;
  minLength?: string;
  maxLength?: string;
}

const numberOf = (v: SqlValue | undefined): number | undefined => {
  if (v === null || v === undefined || v === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};

/**
 * Reads what a contract can be inferred from, per column: nulls, distinct values, smallest and
 * largest value, shortest and longest text, all in one aggregate query over the dataset (split only
 * when a very wide table would pass the engine's limit on result columns); then, only for columns
 * with at most `maxValues` distinct values, those values in one more query. The SQL is written with
 * the connection's own dialect and runs through the connection, whichever engine it is.
 */
export async function scanColumns(
  conn: Connection,
  relation: string,
  columns: readonly ColumnInfo[],
  maxValues: number,
): Promise<ScannedDataset> {
  const d = conn.dialect;
  const items: string[] = ["count(*) AS n"];
  const plans = columns.map((info, i): ColumnPlan => {
    const q = d.quoteIdentifier(info.name);
    const shape = d.profileShape(info.type);
    const logical = d.logicalTypeOf(info.type);
    const plan: ColumnPlan = { info, nulls: `z${i}` };
    items.push(`${d.metric({ kind: "nullCount", property: info.name }, relation)} AS z${i}`);
    if (shape === "nullsOnly") return plan;
    plan.distinct = `d${i}`;
    items.push(`count(DISTINCT ${q}) AS d${i}`);
    if (shape === "numeric") {
      plan.min = `lo${i}`;
      plan.max = `hi${i}`;
      items.push(`min(${q}) AS lo${i}`, `max(${q}) AS hi${i}`);
    } else if (shape === "ordered" && logical !== "string") {
      // Dates and timestamps as the engine spells them, so a rule can hand them back to it unchanged.
      plan.min = `lo${i}`;
      plan.max = `hi${i}`;
      items.push(`CAST(min(${q}) AS VARCHAR) AS lo${i}`, `CAST(max(${q}) AS VARCHAR) AS hi${i}`);
    }
    if (logical === "string") {
      plan.minLength = `ln${i}`;
      plan.maxLength = `lx${i}`;
      items.push(`min(length(CAST(${q} AS VARCHAR))) AS ln${i}`, `max(length(CAST(${q} AS VARCHAR))) AS lx${i}`);
    }
    return plan;
  });
  const row: Record<string, SqlValue> = {};
  for (let at = 0; at < items.length; at += itemsPerScan) {
    const part = items.slice(at, at + itemsPerScan);
    const [got] = await conn.run(`SELECT\n  ${part.join(",\n  ")}\nFROM ${relation}`);
    Object.assign(row, got ?? {});
  }
  const rowCount = numberOf(row.n) ?? 0;
  const scanned = plans.map((p): InspectedColumn => {
    const at = (alias: string | undefined) => (alias === undefined ? undefined : row[alias]);
    const out: Record<string, unknown> = {
      name: p.info.name,
      type: p.info.type,
      nulls: numberOf(at(p.nulls)) ?? 0,
    };
    if (p.info.nullable !== undefined) out.nullable = p.info.nullable;
    const distinct = numberOf(at(p.distinct));
    if (distinct !== undefined) out.distinct = distinct;
    for (const key of ["min", "max"] as const) {
      const v = at(p[key]);
      if (v !== undefined && v !== null) out[key] = v;
    }
    const minLength = numberOf(at(p.minLength));
    const maxLength = numberOf(at(p.maxLength));
    if (minLength !== undefined) out.minLength = minLength;
    if (maxLength !== undefined) out.maxLength = maxLength;
    return out as unknown as InspectedColumn;
  });
  // Value sets: only where the distinct count is small, so no engine gathers a large column's values.
  const wanted = scanned
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => {
      const logical = d.logicalTypeOf(c.type);
      return (
        maxValues > 0 &&
        (logical === "string" || logical === "integer") &&
        c.distinct !== undefined &&
        c.distinct > 0 &&
        c.distinct <= maxValues
      );
    });
  if (wanted.length > 0) {
    const sample = wanted.map(
      ({ c, i }) =>
        `${d.metric({ kind: "invalidSample", property: c.name, validValues: [], limit: maxValues + 1 }, relation)} AS v${i}`,
    );
    const [got] = await conn.run(`SELECT\n  ${sample.join(",\n  ")}\nFROM ${relation}`);
    for (const { c, i } of wanted) {
      const text = got?.[`v${i}`];
      if (typeof text !== "string") continue;
      const parsed = JSON.parse(text) as unknown;
      if (!Array.isArray(parsed) || parsed.length > maxValues) continue;
      const integer = d.logicalTypeOf(c.type) === "integer";
      const values = parsed
        .filter((v): v is string | number => typeof v === "string" || typeof v === "number")
        .map((v) => (integer ? Number(v) : String(v)));
      values.sort((a, b) => (typeof a === "number" && typeof b === "number" ? a - b : a < b ? -1 : a > b ? 1 : 0));
      (c as { values?: SqlValue[] }).values = values;
    }
  }
  return { rowCount, columns: scanned };
}

/**
 * The first column observed unique and never null, when some is (integers and text only: a
 * unique amount or timestamp is chance, not a key). An observation, offered as a suggestion.
 */
export function observedKey(conn: Connection, scanned: ScannedDataset): string | undefined {
  if (scanned.rowCount < 2) return undefined;
  return scanned.columns.find((c) => {
    const logical = conn.dialect.logicalTypeOf(c.type);
    return (logical === "integer" || logical === "string") && c.nulls === 0 && c.distinct === scanned.rowCount;
  })?.name;
}
