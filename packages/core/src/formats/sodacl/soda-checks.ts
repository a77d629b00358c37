import type { Path } from "../../issues.js";
import { logicalTypeOf } from "../contract-view.js";
import { type ConvertContext, compact, isObject, type JsonObject } from "../convert-context.js";
import {
  countRule,
  isLogicalTypeName,
  type QualityItem,
  sqlIdentifier,
  sqlLiteral,
  symbolOperators,
} from "./quality-items.js";

/** The checks of one `checks for <table>:` section. */
export interface SodaSection {
  readonly table: string;
  readonly path: Path;
  readonly items: QualityItem[];
}

const sectionKey = /^checks\s+for\s+(.+)$/i;

/**
 * A SodaCL document (`checks for <table>:` sections) → ODCS quality items per table. What ODCS
 * cannot run is kept as a `custom` rule with engine `soda` and a warning at the check's line.
 */
export function convertSodaDocument(ctx: ConvertContext, doc: unknown, path: Path): SodaSection[] {
  if (!isObject(doc)) {
    ctx.error(path, "sodacl-not-checks", "a SodaCL document is a mapping of `checks for <table>:` sections");
    return [];
  }
  const sections: SodaSection[] = [];
  for (const [key, value] of Object.entries(doc)) {
    const match = sectionKey.exec(key.trim());
    if (!match) {
      ctx.warn(
        [...path, key],
        "sodacl-unmapped",
        `${JSON.stringify(key)} is not a \`checks for <table>\` section; it was not converted`,
      );
      continue;
    }
    const table = unquote((match[1] ?? "").trim());
    const sectionPath = [...path, key];
    sections.push({ table, path: sectionPath, items: convertSodaList(ctx, value, sectionPath, table) });
  }
  if (sections.length === 0 && Object.keys(doc).length > 0) {
    ctx.error(path, "sodacl-not-checks", "no `checks for <table>:` section found");
  }
  return sections;
}

/** The list of checks of one section (a table's checks). */
export function convertSodaList(ctx: ConvertContext, value: unknown, path: Path, table: string): QualityItem[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) {
    ctx.error(path, "sodacl-not-checks", "the checks of a section must be a list");
    return [];
  }
  const items: QualityItem[] = [];
  value.forEach((entry, i) => {
    const at = [...path, i];
    if (typeof entry === "string") {
      items.push(...withSource(convertCheck(ctx, entry, undefined, at, [...at], table, entry), entry));
      return;
    }
    if (isObject(entry) && Object.keys(entry).length === 1) {
      const [key, config] = Object.entries(entry)[0] as [string, unknown];
      if (config !== null && config !== undefined && !isObject(config)) {
        ctx.warn([...at, key], "sodacl-check-invalid", "the configuration of a check must be a mapping");
        items.push(keep(at, table, entry));
        return;
      }
      items.push(
        ...withSource(convertCheck(ctx, key, (config ?? {}) as JsonObject, at, [...at, key], table, entry), entry),
      );
      return;
    }
    ctx.warn(
      at,
      "sodacl-check-invalid",
      "a check is a string or a mapping with one key (the check) and its configuration",
    );
    items.push(keep(at, table, entry));
  });
  return items;
}

/**
 * SQL rules keep the check they came from (`customProperties: sodaCheck`), so an export writes
 * the check again rather than a user-defined metric around generated SQL.
 */
function withSource(items: QualityItem[], entry: unknown): QualityItem[] {
  const text = typeof entry === "string" ? entry : isObject(entry) ? Object.keys(entry)[0] : undefined;
  return items.map((item) => {
    if (item.rule?.type !== "sql") return { ...item, source: entry };
    const { type, ...rest } = item.rule;
    // Generated SQL is no name for a check: the check as written is.
    const described = rest.name === undefined && rest.description === undefined ? { description: text } : {};
    return {
      ...item,
      source: entry,
      rule: compact({ type, ...described, ...rest, customProperties: [{ property: "sodaCheck", value: entry }] }),
    };
  });
}

/** The check as it was written, as a rule Quanta keeps but does not run. */
function keep(path: Path, table: string, entry: unknown): QualityItem {
  return { path, rule: { type: "custom", engine: "soda", implementation: { [`checks for ${table}`]: [entry] } } };
}

interface Parsed {
  metric: string;
  args: string[];
  /** Threshold text after the metric, trimmed. */
  rest: string;
}

function parseMetric(text: string): Parsed | undefined {
  const m = /^([A-Za-z_][\w]*)\s*(?:\(([^)]*)\))?\s*(.*)$/s.exec(text.trim());
  if (!m) return undefined;
  return {
    metric: (m[1] ?? "").toLowerCase(),
    args: m[2] === undefined ? [] : splitArgs(m[2]),
    rest: (m[3] ?? "").trim(),
  };
}

/** `a, "b c"` → ["a", "b c"]. */
function splitArgs(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\s*("(?:[^"]|"")*"|'(?:[^']|'')*'|[^,]+)\s*(?:,|$)/g)) {
    const arg = (m[1] ?? "").trim();
    if (arg !== "") out.push(unquote(arg));
  }
  return out;
}

function unquote(text: string): string {
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) return text.slice(1, -1).replaceAll('""', '"');
  if (text.length >= 2 && text.startsWith("'") && text.endsWith("'")) return text.slice(1, -1).replaceAll("''", "'");
  if (text.length >= 2 && text.startsWith("[") && text.endsWith("]")) return text.slice(1, -1);
  return text;
}

type Threshold = { rule: JsonObject; percent: boolean };

const number = /^(-?\d+(?:\.\d+)?)(%?)$/;

/** What passes when a `fail:`/`warn:` condition (which says what fails) does not hold. */
const inverse: Readonly<Record<string, string>> = {
  mustBe: "mustNotBe",
  mustNotBe: "mustBe",
  mustBeLessThan: "mustBeGreaterOrEqualTo",
  mustBeLessOrEqualTo: "mustBeGreaterThan",
  mustBeGreaterThan: "mustBeLessOrEqualTo",
  mustBeGreaterOrEqualTo: "mustBeLessThan",
  mustBeBetween: "mustNotBeBetween",
  mustNotBeBetween: "mustBeBetween",
};

/**
 * `= 0`, `< 5%`, `between 1 and 10`, `not between 1 and 10` → ODCS operator and value. A check's
 * own threshold says what passes; `fail: when …` says what fails, so `when` inverts it.
 */
function parseThreshold(text: string): Threshold | string {
  const t = text.replace(/^when\s+/i, "").trim();
  if (/^when\s/i.test(text.trim())) {
    const passing = parseThreshold(t);
    if (typeof passing === "string") return passing;
    const [[operator, value]] = Object.entries(passing.rule) as [[string, unknown]];
    return { rule: { [inverse[operator] ?? operator]: value }, percent: passing.percent };
  }
  const between = /^(not\s+)?between\s+(\S+)\s+and\s+(\S+)$/i.exec(t);
  if (between) {
    const lo = number.exec(between[2] ?? "");
    const hi = number.exec(between[3] ?? "");
    if (!lo || !hi) return `cannot read the bounds of ${JSON.stringify(t)} (inclusive numbers only)`;
    const pair = [Number(lo[1]), Number(hi[1])].sort((a, b) => a - b);
    return {
      rule: { [between[1] ? "mustNotBeBetween" : "mustBeBetween"]: pair },
      percent: lo[2] === "%" || hi[2] === "%",
    };
  }
  const cmp = /^(==|=|!=|<>|<=|>=|<|>)\s*(\S+)$/.exec(t);
  if (!cmp) return `cannot read the threshold ${JSON.stringify(t)} (use = != < <= > >= or between … and …)`;
  const value = number.exec(cmp[2] ?? "");
  if (!value) return `the threshold value ${JSON.stringify(cmp[2])} is not a number`;
  return { rule: { [symbolOperators[cmp[1] ?? ""] ?? "mustBe"]: Number(value[1]) }, percent: value[2] === "%" };
}

/** `1d`, `12h`, `1d6h`, `30m` → seconds. */
function parseDuration(text: string): number | undefined {
  const m = /^(?:(\d+(?:\.\d+)?)d)?(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(text.trim());
  if (!m || text.trim() === "") return undefined;
  return Number(m[1] ?? 0) * 86_400 + Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
}

/** Config keys every check may carry that change nothing Quanta runs. */
const descriptive = new Set(["name", "identity", "attributes"]);

/** Config keys of validity and missing values, per metric family. */
const validityKeys = [
  "valid values",
  "valid format",
  "valid regex",
  "valid min",
  "valid max",
  "valid length",
  "valid min length",
  "valid max length",
];
const missingKeys = ["missing values"];

/** SodaCL `valid format` names Quanta can check with a regular expression. */
export const sodaFormats: Readonly<Record<string, string>> = {
  email: "^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$",
  uuid: "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
  integer: "^[-+]?[0-9]+$",
  "positive integer": "^\\+?[0-9]+$",
  "negative integer": "^-[0-9]+$",
  decimal: "^[-+]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)$",
  "date iso 8601": "^[0-9]{4}-[0-9]{2}-[0-9]{2}",
  "ip address": "^([0-9]{1,3}\\.){3}[0-9]{1,3}$",
  "phone number": "^\\+?[0-9 ()./-]{6,}$",
};

/** Aggregates SodaCL computes over one column, as portable SQL. */
const aggregates: Readonly<Record<string, (col: string) => string>> = {
  min: (c) => `MIN(${c})`,
  max: (c) => `MAX(${c})`,
  avg: (c) => `CAST(AVG(${c}) AS DOUBLE PRECISION)`,
  sum: (c) => `SUM(${c})`,
  avg_length: (c) => `CAST(AVG(LENGTH(CAST(${c} AS VARCHAR))) AS DOUBLE PRECISION)`,
  min_length: (c) => `MIN(LENGTH(CAST(${c} AS VARCHAR)))`,
  max_length: (c) => `MAX(LENGTH(CAST(${c} AS VARCHAR)))`,
  stddev: (c) => `CAST(STDDEV_SAMP(${c}) AS DOUBLE PRECISION)`,
  variance: (c) => `CAST(VAR_SAMP(${c}) AS DOUBLE PRECISION)`,
  distinct: (c) => `COUNT(DISTINCT ${c})`,
};

/**
 * One check → items. `key` is the check text, `config` its mapping (when written as a key), `at`
 * the path of the list entry, `keyPath` the path of the check text.
 */
function convertCheck(
  ctx: ConvertContext,
  key: string,
  config: JsonObject | undefined,
  at: Path,
  keyPath: Path,
  table: string,
  entry: unknown,
): QualityItem[] {
  const text = key.trim();
  const cfg = config ?? {};
  const skip = (why: string): QualityItem[] => {
    ctx.warn(keyPath, "sodacl-not-executable", `${why}; kept as a soda rule Quanta does not run`);
    return [keep(at, table, entry)];
  };
  if (cfg.filter !== undefined) return skip("a check with a filter is not converted");
  if (/^schema$/i.test(text)) return schemaCheck(ctx, cfg, at, keyPath, table, entry);
  if (/^failed rows$/i.test(text)) return failedRows(ctx, cfg, at, keyPath, table, entry);
  const reference = /^values\s+in\s+\(([^)]*)\)\s+must\s+exist\s+in\s+(\S+|"[^"]+")\s*\(([^)]*)\)$/i.exec(text);
  if (reference) return referenceCheck(ctx, reference, at, keyPath, table, entry);
  if (
    /^(change|anomaly|distribution|row_count\s+same|reconciliation|group|for each)/i.test(text) ||
    /\bsame as\b/i.test(text)
  ) {
    return skip(`${JSON.stringify(text)} has no ODCS equivalent`);
  }
  const parsed = parseMetric(text);
  if (!parsed) {
    ctx.warn(
      keyPath,
      "sodacl-check-invalid",
      `cannot read the check ${JSON.stringify(text)}; kept as a soda rule Quanta does not run`,
    );
    return [keep(at, table, entry)];
  }
  // The threshold: inline, else `fail: when …` (or `warn: when …` alone, as a warning).
  let thresholdText = parsed.rest;
  let severity: string | undefined;
  if (thresholdText === "") {
    const fail = typeof cfg.fail === "string" ? cfg.fail : undefined;
    const warn = typeof cfg.warn === "string" ? cfg.warn : undefined;
    if (fail !== undefined) {
      thresholdText = fail;
      if (warn !== undefined)
        ctx.warn(
          [...keyPath, "warn"],
          "sodacl-unmapped",
          "ODCS has one threshold per rule; the warn threshold was dropped",
        );
    } else if (warn !== undefined) {
      thresholdText = warn;
      severity = "warning";
    }
  }
  for (const k of Object.keys(cfg)) {
    const known =
      descriptive.has(k) ||
      k === "fail" ||
      k === "warn" ||
      validityKeys.includes(k) ||
      missingKeys.includes(k) ||
      k.endsWith(" query") ||
      k.endsWith(" expression");
    if (!known) ctx.warn([...keyPath, k], "sodacl-unmapped", `the check option ${JSON.stringify(k)} is not converted`);
  }
  const name = typeof cfg.name === "string" ? cfg.name : undefined;
  const finish = (item: QualityItem): QualityItem => {
    if (!item.rule) return item;
    const rule = compact({ type: item.rule.type, name, ...item.rule, severity });
    return { ...item, rule };
  };
  const metric = parsed.metric;
  const column = parsed.args[0];
  const needColumn = (): QualityItem[] | undefined =>
    column === undefined ? skip(`${metric} needs a column: ${metric}(column)`) : undefined;

  // User-defined metrics first: any name with a `<name> query:` or `<name> expression:`.
  const query = cfg[`${metric} query`];
  const expression = cfg[`${metric} expression`];
  if (typeof query === "string" || typeof expression === "string") {
    const threshold = parseThreshold(thresholdText);
    if (typeof threshold === "string") return skip(threshold);
    const sql =
      typeof query === "string" ? query.trim().replace(/;\s*$/, "") : `SELECT ${String(expression)} FROM {object}`;
    return [finish({ path: at, rule: { type: "sql", description: text, query: sql, ...threshold.rule } })];
  }

  if (metric === "freshness") {
    const missing = needColumn();
    if (missing) return missing;
    // `< 1d` says what passes; `fail: when > 1d` says what fails.
    const failing = /^when\s/i.test(thresholdText);
    const m = (failing ? /^(>|>=)\s*(\S+)$/ : /^(<|<=)\s*(\S+)$/).exec(thresholdText.replace(/^when\s+/i, "").trim());
    const seconds = m ? parseDuration(m[2] ?? "") : undefined;
    if (seconds === undefined)
      return skip(`freshness needs a maximum age such as \`< 1d\`; got ${JSON.stringify(thresholdText)}`);
    const strict = failing ? m?.[1] === ">=" : m?.[1] === "<";
    const col = sqlIdentifier((column ?? "").split("::")[0] ?? "");
    return [
      finish({
        path: at,
        property: (column ?? "").split("::")[0],
        rule: {
          type: "sql",
          description: text,
          dimension: "timeliness",
          query: `SELECT EXTRACT(EPOCH FROM (now() - CAST(MAX(${col}) AS TIMESTAMPTZ))) FROM {object}`,
          [strict ? "mustBeLessThan" : "mustBeLessOrEqualTo"]: seconds,
        },
      }),
    ];
  }

  if (thresholdText === "") return skip(`${JSON.stringify(text)} states no threshold`);
  const threshold = parseThreshold(thresholdText);
  if (typeof threshold === "string") {
    ctx.warn(keyPath, "sodacl-check-invalid", `${threshold}; kept as a soda rule Quanta does not run`);
    return [keep(at, table, entry)];
  }
  const zero = threshold.rule.mustBe === 0 && !threshold.percent;

  if (metric === "row_count") {
    if (column !== undefined) return skip("row_count of a column is not converted");
    if (threshold.percent) return skip("a row count is not a percentage");
    return [finish({ path: at, rule: { type: "library", metric: "rowCount", ...threshold.rule } })];
  }

  const percentMetric = /_percent$/.test(metric);
  const family = metric.replace(/_(count|percent)$/, "");
  if ((family === "missing" || family === "invalid" || family === "duplicate") && metric !== family) {
    const missing = needColumn();
    if (missing) return missing;
    if (threshold.percent !== percentMetric && threshold.percent) {
      return skip(`${metric} compares a count; a percentage threshold needs ${family}_percent`);
    }
    const unit = percentMetric ? { unit: "percent" } : {};
    const col = column ?? "";
    if (family === "duplicate") {
      if (isObject(cfg.attributes) && cfg.attributes.primaryKey === true && zero && !percentMetric) {
        const rule = { type: "library", metric: "duplicateValues", arguments: { properties: parsed.args }, mustBe: 0 };
        return [finish({ path: at, primaryKey: parsed.args, rule })];
      }
      const rule = {
        type: "library",
        metric: "duplicateValues",
        ...(parsed.args.length > 1 ? { arguments: { properties: parsed.args } } : {}),
        ...threshold.rule,
        ...unit,
      };
      if (parsed.args.length > 1) return [finish({ path: at, rule, columns: parsed.args })];
      return [finish({ path: at, property: col, rule, ...(zero ? { constraint: { unique: true } } : {}) })];
    }
    if (family === "missing") {
      for (const k of validityKeys)
        if (cfg[k] !== undefined)
          ctx.warn([...keyPath, k], "sodacl-unmapped", `${k} does not apply to ${metric}; it was dropped`);
      const values = cfg["missing values"];
      if (values !== undefined && !Array.isArray(values)) return skip("missing values must be a list");
      const rule = values
        ? { type: "library", metric: "missingValues", arguments: { missingValues: values }, ...threshold.rule, ...unit }
        : { type: "library", metric: "nullValues", ...threshold.rule, ...unit };
      return [
        finish({ path: at, property: col, rule, ...(zero && !values ? { constraint: { required: true } } : {}) }),
      ];
    }
    return invalidCheck(ctx, cfg, at, keyPath, col, threshold, percentMetric, zero, skip).map(finish);
  }

  const aggregate = aggregates[metric];
  if (aggregate) {
    const missing = needColumn();
    if (missing) return missing;
    if (threshold.percent) return skip(`${metric} is not a percentage`);
    return [
      finish({
        path: at,
        property: column,
        rule: {
          type: "sql",
          description: text,
          query: `SELECT ${aggregate(sqlIdentifier(column ?? ""))} FROM {object}`,
          ...threshold.rule,
        },
      }),
    ];
  }
  return skip(
    `Quanta does not know the SodaCL metric ${JSON.stringify(metric)} (and the check defines no \`${metric} query\`)`,
  );
}

function invalidCheck(
  ctx: ConvertContext,
  cfg: JsonObject,
  at: Path,
  keyPath: Path,
  column: string,
  threshold: Threshold,
  percent: boolean,
  zero: boolean,
  skip: (why: string) => QualityItem[],
): QualityItem[] {
  const col = sqlIdentifier(column);
  const unit = percent ? { unit: "percent" } : {};
  const values = cfg["valid values"];
  let pattern = typeof cfg["valid regex"] === "string" ? cfg["valid regex"] : undefined;
  const format = cfg["valid format"];
  if (format !== undefined) {
    const known = typeof format === "string" ? sodaFormats[format.toLowerCase()] : undefined;
    if (!known)
      return skip(
        `valid format ${JSON.stringify(format)} is not one Quanta checks (${Object.keys(sodaFormats).join(", ")})`,
      );
    if (pattern !== undefined) return skip("valid format and valid regex together are not converted");
    pattern = known;
  }
  if (values !== undefined && !Array.isArray(values)) return skip("valid values must be a list");
  if (Array.isArray(values) && values.length === 0) return skip("valid values is empty: every value would be invalid");
  const num = (k: string): number | undefined | string => {
    const v = cfg[k];
    if (v === undefined || v === null) return undefined;
    return typeof v === "number"
      ? v
      : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))
        ? Number(v)
        : `${k} must be a number`;
  };
  const bounds: Record<string, number | undefined> = {};
  for (const k of ["valid min", "valid max", "valid length", "valid min length", "valid max length"]) {
    const v = num(k);
    if (typeof v === "string") return skip(v);
    bounds[k] = v;
  }
  for (const k of missingKeys)
    if (cfg[k] !== undefined)
      ctx.warn(
        [...keyPath, k],
        "sodacl-unmapped",
        `${k} with an invalid check is not converted (missing values count as valid)`,
      );
  const conditions: string[] = [];
  const len = `LENGTH(CAST(${col} AS VARCHAR))`;
  if (bounds["valid min"] !== undefined) conditions.push(`${col} < ${bounds["valid min"]}`);
  if (bounds["valid max"] !== undefined) conditions.push(`${col} > ${bounds["valid max"]}`);
  if (bounds["valid length"] !== undefined) conditions.push(`${len} <> ${bounds["valid length"]}`);
  if (bounds["valid min length"] !== undefined) conditions.push(`${len} < ${bounds["valid min length"]}`);
  if (bounds["valid max length"] !== undefined) conditions.push(`${len} > ${bounds["valid max length"]}`);
  if (values === undefined && pattern === undefined && conditions.length === 0) {
    return skip("an invalid check needs valid values, valid format, valid regex, valid min/max or a valid length");
  }
  const items: QualityItem[] = [];
  if (values !== undefined || pattern !== undefined) {
    const args = compact({ validValues: values, pattern });
    const formatName = typeof format === "string" ? format.toLowerCase() : undefined;
    const option = formatName === "email" || formatName === "uuid" ? { format: formatName } : { pattern };
    const constraint = zero && values === undefined ? { options: option, types: ["string"] } : undefined;
    items.push({
      path: at,
      property: column,
      rule: { type: "library", metric: "invalidValues", arguments: args, ...threshold.rule, ...unit },
      ...(constraint ? { constraint } : {}),
    });
  }
  if (conditions.length > 0) {
    if (items.length > 0 && !zero) {
      ctx.warn(
        keyPath,
        "sodacl-split",
        "valid values/regex and valid min/max/length became two rules, each with the threshold",
      );
    }
    const options = compact({
      minimum: bounds["valid min"],
      maximum: bounds["valid max"],
      minLength: bounds["valid min length"] ?? bounds["valid length"],
      maxLength: bounds["valid max length"] ?? bounds["valid length"],
    });
    const numeric = bounds["valid min"] !== undefined || bounds["valid max"] !== undefined;
    const lengths = Object.keys(options).some((k) => k.endsWith("Length"));
    const types = numeric && lengths ? [] : numeric ? ["integer", "number"] : ["string"];
    items.push({
      path: at,
      property: column,
      rule: countRule(`${col} IS NOT NULL AND (${conditions.join(" OR ")})`, threshold.rule, percent),
      ...(zero ? { constraint: { options, types } } : {}),
    });
  }
  return items;
}

function schemaCheck(
  ctx: ConvertContext,
  cfg: JsonObject,
  at: Path,
  keyPath: Path,
  table: string,
  entry: unknown,
): QualityItem[] {
  const items: QualityItem[] = [];
  const level = isObject(cfg.fail) ? "fail" : isObject(cfg.warn) ? "warn" : undefined;
  if (!level) {
    ctx.warn(
      keyPath,
      "sodacl-check-invalid",
      "a schema check needs `fail:` or `warn:` with `when …` conditions; kept as a soda rule",
    );
    return [keep(at, table, entry)];
  }
  if (level === "warn" || (isObject(cfg.fail) && isObject(cfg.warn))) {
    ctx.warn(
      [...keyPath, "warn"],
      "sodacl-unmapped",
      "schema warnings become the contract's schema, which Quanta checks as errors",
    );
  }
  const when = cfg[level] as JsonObject;
  for (const [condition, value] of Object.entries(when)) {
    const where = [...keyPath, level, condition];
    if (condition === "when required column missing") {
      if (!Array.isArray(value)) {
        ctx.warn(where, "sodacl-check-invalid", "when required column missing takes a list of columns");
        continue;
      }
      for (const c of value) items.push({ path: where, property: String(c), column: {} });
    } else if (condition === "when wrong column type") {
      if (!isObject(value)) {
        ctx.warn(where, "sodacl-check-invalid", "when wrong column type takes a mapping of column: type");
        continue;
      }
      for (const [c, type] of Object.entries(value)) {
        const t = String(type);
        items.push({
          path: [...where, c],
          property: c,
          column: isLogicalTypeName(t) ? { logicalType: t } : { physicalType: t, ...logicalOf(t) },
        });
      }
    } else {
      ctx.warn(
        where,
        "sodacl-unmapped",
        `the schema condition ${JSON.stringify(condition)} has no ODCS equivalent; it was not converted`,
      );
    }
  }
  return items;
}

function failedRows(
  ctx: ConvertContext,
  cfg: JsonObject,
  at: Path,
  keyPath: Path,
  table: string,
  entry: unknown,
): QualityItem[] {
  const name = typeof cfg.name === "string" ? cfg.name : undefined;
  const condition = cfg["fail condition"];
  const query = cfg["fail query"];
  for (const k of Object.keys(cfg)) {
    if (!descriptive.has(k) && k !== "fail condition" && k !== "fail query")
      ctx.warn([...keyPath, k], "sodacl-unmapped", `the check option ${JSON.stringify(k)} is not converted`);
  }
  if (typeof condition === "string") {
    return [
      {
        path: at,
        rule: compact({
          type: "sql",
          name,
          description: `failed rows: ${condition}`,
          query: `SELECT COUNT(*) FROM {object} WHERE ${condition}`,
          mustBe: 0,
        }),
      },
    ];
  }
  if (typeof query === "string") {
    return [
      {
        path: at,
        rule: compact({
          type: "sql",
          name,
          description: "failed rows",
          query: `SELECT COUNT(*) FROM (${query.trim().replace(/;\s*$/, "")}) AS failed_rows`,
          mustBe: 0,
        }),
      },
    ];
  }
  ctx.warn(
    keyPath,
    "sodacl-check-invalid",
    "failed rows needs a `fail condition` or a `fail query`; kept as a soda rule",
  );
  return [keep(at, table, entry)];
}

function referenceCheck(
  ctx: ConvertContext,
  m: RegExpExecArray,
  at: Path,
  keyPath: Path,
  table: string,
  entry: unknown,
): QualityItem[] {
  const from = splitArgs(m[1] ?? "");
  const other = unquote(m[2] ?? "");
  const to = splitArgs(m[3] ?? "");
  if (from.length !== 1 || to.length !== 1) {
    ctx.warn(
      keyPath,
      "sodacl-not-executable",
      "a reference check over several columns is not converted; kept as a soda rule",
    );
    return [keep(at, table, entry)];
  }
  const [col, target] = [from[0] ?? "", to[0] ?? ""];
  const query = `SELECT COUNT(*) FROM {object} AS src WHERE src.${sqlIdentifier(col)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${sqlIdentifier(other)} AS ref WHERE ref.${sqlIdentifier(target)} = src.${sqlIdentifier(col)})`;
  return [
    {
      path: at,
      property: col,
      reference: `${other}.${target}`,
      rule: {
        type: "sql",
        description: `values in ${col} must exist in ${other}.${target}`,
        dimension: "consistency",
        query,
        mustBe: 0,
      },
    },
  ];
}

/** The logical type an engine type name stands for, when it says so clearly. */
export function logicalOf(physicalType: string): { logicalType?: string } {
  const logical = logicalTypeOf({ physicalType });
  if (logical === "string" && !/char|text|string|uuid|clob/i.test(physicalType)) return {};
  return { logicalType: logical };
}

export { sqlLiteral };
