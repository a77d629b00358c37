import type { ProfileColumn, ProfileDataset } from "../api/types.js";

export interface ProfileRow {
  column: ProfileColumn;
  /** The contract declares the column (false: found in the data only, "not in the contract"). */
  declared: boolean | null;
}

export interface ProfileView {
  rows: ProfileRow[];
  /** Columns the contract declares that the data does not have. */
  missing: string[];
}

const norm = (s: string) => s.trim().toLowerCase();

/**
 * Which columns of the profile the contract declares: a column the data has and the contract does
 * not is flagged, one the contract declares and the data lacks is listed. With no contract to
 * compare (`declared` undefined) nothing is flagged. Data columns keep the data's order.
 */
export function profileView(dataset: ProfileDataset, declared: readonly string[] | undefined): ProfileView {
  const wanted = declared ? new Set(declared.map(norm)) : undefined;
  const seen = new Set(dataset.columns.map((c) => norm(c.name)));
  const rows = dataset.columns.map((column) => {
    const own = (column as ProfileColumn & { declared?: unknown }).declared;
    const flag = typeof own === "boolean" ? own : wanted ? wanted.has(norm(column.name)) : null;
    return { column, declared: flag };
  });
  const missing = declared ? declared.filter((d) => !seen.has(norm(d))) : [];
  return { rows, missing };
}

/** The contract's columns of a dataset, found by its name or physical name (case does not matter). */
export function declaredColumns(
  datasets: readonly { name: string; physicalName: string | null; columns: string[] }[],
  dataset: string,
): string[] | undefined {
  const d = norm(dataset);
  return datasets.find((x) => norm(x.name) === d || (x.physicalName !== null && norm(x.physicalName) === d))?.columns;
}

/** A share as a percentage with precision where it matters: 0 %, 0.04 %, 1.2 %, 100 %. */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return "—";
  const p = rate * 100;
  if (p === 0) return "0 %";
  if (Math.abs(p) < 0.1) return `${Number(p.toPrecision(1))} %`;
  if (Math.abs(p) < 10) return `${Math.round(p * 10) / 10} %`;
  return `${Math.round(p)} %`;
}

/** A number as the profile shows it: grouped, at most 3 decimals; text values as they are. */
export function formatValue(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "string") return v;
  if (!Number.isFinite(v)) return String(v);
  return v.toLocaleString(undefined, { maximumFractionDigits: 3 });
}

/** A count for an axis: 1,200 → 1.2k, 3,400,000 → 3.4M. */
export function formatCount(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${Number((n / 1e9).toPrecision(3))}G`;
  if (a >= 1e6) return `${Number((n / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((n / 1e3).toPrecision(3))}k`;
  return formatValue(n);
}
