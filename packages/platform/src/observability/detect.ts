/**
 * The pure statistics and comparisons detection rests on (ADR 0038): no I/O, unit-tested.
 */

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Median absolute deviation from the median (unscaled). */
export function mad(values: readonly number[]): number | null {
  const m = median(values);
  if (m === null) return null;
  return median(values.map((v) => Math.abs(v - m)));
}

/** MAD × 1.4826 estimates the standard deviation of normal data: "sensitivity" counts these. */
export const madScale = 1.4826;

export interface VolumeSettings {
  /** How far from the median, in scaled MADs, a value must be to be an anomaly (default 3.5). */
  sensitivity: number;
  /** Points of history needed before anything is judged (default 7). */
  minHistory: number;
}

export const defaultVolumeSettings: VolumeSettings = { sensitivity: 3.5, minHistory: 7 };

export type VolumeVerdict =
  | { verdict: "learning"; points: number; needed: number }
  | {
      verdict: "normal" | "low" | "high";
      value: number;
      median: number;
      mad: number;
      /** Distance from the median in scaled MADs (Infinity when the history never varied and this differs). */
      score: number;
      /** Which history judged it: the same weekday's, or all days'. */
      basis: "weekday" | "all";
      points: number;
    };

/**
 * Judges a value against its own history by robust statistics: the median and MAD of the same
 * weekday's points when there are `minHistory` of them, else of all points; nothing before
 * `minHistory` points. A history that never varied (MAD 0) treats a change of more than 10 % of the
 * median as an anomaly, so a constant series still catches a tenth of its rows.
 */
export function judgeVolume(
  value: number,
  at: Date,
  history: readonly { at: Date | string; value: number }[],
  settings: VolumeSettings = defaultVolumeSettings,
): VolumeVerdict {
  const all = history.map((h) => ({ at: new Date(h.at), value: h.value })).filter((h) => Number.isFinite(h.value));
  if (all.length < settings.minHistory) return { verdict: "learning", points: all.length, needed: settings.minHistory };
  const sameDay = all.filter((h) => h.at.getUTCDay() === at.getUTCDay());
  const basis = sameDay.length >= settings.minHistory ? "weekday" : "all";
  const values = (basis === "weekday" ? sameDay : all).map((h) => h.value);
  const m = median(values) as number;
  const d = mad(values) as number;
  const spread = d * madScale;
  const distance = Math.abs(value - m);
  let score: number;
  if (spread > 0) score = distance / spread;
  else score = distance <= Math.abs(m) * 0.1 ? 0 : Number.POSITIVE_INFINITY;
  const verdict = score <= settings.sensitivity ? "normal" : value < m ? "low" : "high";
  return { verdict, value, median: m, mad: d, score, basis, points: values.length };
}

export interface ColumnShape {
  name: string;
  type: string;
}

export interface SchemaDrift {
  /** In the data, not declared (or not in the last run). */
  added: ColumnShape[];
  /** Declared (or in the last run), not in the data. */
  removed: ColumnShape[];
  retyped: { name: string; from: string; to: string }[];
}

/** Types as engines spell them, folded so `VARCHAR` and `varchar(20)`, `INT8` and `BIGINT` compare equal. */
export function normalType(type: string): string {
  const t = type
    .trim()
    .toLowerCase()
    .replace(/\(.*\)$/, "")
    .trim();
  const aliases: Record<string, string> = {
    int8: "bigint",
    int64: "bigint",
    long: "bigint",
    int4: "integer",
    int32: "integer",
    int16: "smallint",
    int: "integer",
    int2: "smallint",
    float8: "double",
    float64: "double",
    "double precision": "double",
    float4: "real",
    float: "real",
    text: "varchar",
    string: "varchar",
    "character varying": "varchar",
    bool: "boolean",
    numeric: "decimal",
    datetime: "timestamp",
    timestamp_ms: "timestamp",
    timestamp_s: "timestamp",
    "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamptz",
    timestamp_ns: "timestamp",
    timestamp_us: "timestamp",
  };
  return aliases[t] ?? t;
}

/**
 * Compares the columns the data has with the columns expected (names compared case-insensitively).
 * A column whose expected type is unknown ('' — the contract names no physical type) is never retyped.
 */
export function schemaDrift(expected: readonly ColumnShape[], actual: readonly ColumnShape[]): SchemaDrift {
  const key = (n: string) => n.toLowerCase();
  const want = new Map(expected.map((c) => [key(c.name), c]));
  const have = new Map(actual.map((c) => [key(c.name), c]));
  const added = actual.filter((c) => !want.has(key(c.name)));
  const removed = expected.filter((c) => !have.has(key(c.name)));
  const retyped: SchemaDrift["retyped"] = [];
  for (const c of expected) {
    const a = have.get(key(c.name));
    if (!a || c.type === "" || a.type === "") continue;
    if (normalType(c.type) !== normalType(a.type)) retyped.push({ name: c.name, from: c.type, to: a.type });
  }
  return { added, removed, retyped };
}

export const hasDrift = (d: SchemaDrift) => d.added.length + d.removed.length + d.retyped.length > 0;

/** Nearest-rank percentile of `values` (p in 0..100); null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length)));
  return s[rank - 1] as number;
}

export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}
