import type { Path } from "../../issues.js";
import { type ConvertContext, compact, isObject, type JsonObject } from "../convert-context.js";
import { countRule, isLogicalTypeName, type QualityItem, sqlIdentifier, sqlLiteral } from "../sodacl/quality-items.js";
import { logicalOf } from "../sodacl/soda-checks.js";

/** The expectations of a suite, whichever GX version wrote it, or why it is not one. */
export interface SuiteShape {
  readonly name: string;
  readonly expectations: unknown[];
  readonly version: "0" | "1";
}

/** GX 0.x (`expectation_suite_name`) or 1.x (`name`) suite with an `expectations` list. */
export function suiteShape(ctx: ConvertContext, value: unknown): SuiteShape | undefined {
  if (!isObject(value)) {
    ctx.error([], "gx-not-suite", "a Great Expectations suite is a JSON object with `expectations`");
    return undefined;
  }
  const legacy = typeof value.expectation_suite_name === "string";
  const name = legacy ? value.expectation_suite_name : value.name;
  if (typeof name !== "string") {
    ctx.error(
      [],
      "gx-not-suite",
      "not a Great Expectations suite: it needs `expectation_suite_name` (GX 0.x) or `name` (GX 1.x)",
    );
    return undefined;
  }
  if (!Array.isArray(value.expectations)) {
    ctx.error(
      value.expectations === undefined ? [] : ["expectations"],
      "gx-not-suite",
      "a Great Expectations suite needs an `expectations` list",
    );
    return undefined;
  }
  return { name, expectations: value.expectations, version: legacy ? "0" : "1" };
}

/** The expectations of a list (a suite's, or those a DCS rule carries) → quality items. */
export function convertExpectations(ctx: ConvertContext, list: readonly unknown[], path: Path): QualityItem[] {
  const items: QualityItem[] = [];
  list.forEach((entry, i) => {
    items.push(...convertExpectation(ctx, entry, [...path, i]));
  });
  return items;
}

type Kwargs = JsonObject;

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const bound = (v: unknown): number | string | undefined =>
  num(v) ?? (typeof v === "string" && v.trim() !== "" ? v : undefined);

/** `mostly: 0.95` → at most 5 % of the rows may break the expectation. */
function mostlyThreshold(
  ctx: ConvertContext,
  kwargs: Kwargs,
  path: Path,
): { rule: JsonObject; percent: boolean } | undefined {
  const mostly = kwargs.mostly;
  if (mostly === undefined || mostly === null || mostly === 1) return { rule: { mustBe: 0 }, percent: false };
  if (typeof mostly !== "number" || mostly < 0 || mostly > 1) {
    ctx.warn([...path, "kwargs", "mostly"], "gx-expectation-invalid", "mostly must be a number from 0 to 1");
    return undefined;
  }
  return { rule: { mustBeLessOrEqualTo: Number(((1 - mostly) * 100).toFixed(10)) }, percent: true };
}

/** Bounds of a `…_to_be_between` expectation → an ODCS threshold on the measured value. */
function boundsThreshold(kwargs: Kwargs): JsonObject | undefined {
  const min = num(kwargs.min_value);
  const max = num(kwargs.max_value);
  const strictMin = kwargs.strict_min === true;
  const strictMax = kwargs.strict_max === true;
  if (min !== undefined && max !== undefined && !strictMin && !strictMax) return { mustBeBetween: [min, max] };
  if (min !== undefined && max === undefined)
    return { [strictMin ? "mustBeGreaterThan" : "mustBeGreaterOrEqualTo"]: min };
  if (max !== undefined && min === undefined) return { [strictMax ? "mustBeLessThan" : "mustBeLessOrEqualTo"]: max };
  return undefined;
}

type Converter = (ctx: ConvertContext, kwargs: Kwargs, path: Path, meta: JsonObject) => QualityItem[] | string;

const columnAggregates: Readonly<Record<string, (col: string) => string>> = {
  expect_column_min_to_be_between: (c) => `MIN(${c})`,
  expect_column_max_to_be_between: (c) => `MAX(${c})`,
  expect_column_mean_to_be_between: (c) => `CAST(AVG(${c}) AS DOUBLE PRECISION)`,
  expect_column_sum_to_be_between: (c) => `SUM(${c})`,
  expect_column_unique_value_count_to_be_between: (c) => `COUNT(DISTINCT ${c})`,
};

function columnOf(kwargs: Kwargs): string | undefined {
  return typeof kwargs.column === "string" && kwargs.column !== "" ? kwargs.column : undefined;
}

function columnListOf(kwargs: Kwargs, key: string): string[] | undefined {
  const list = kwargs[key];
  return Array.isArray(list) && list.length > 0 && list.every((c) => typeof c === "string")
    ? (list as string[])
    : undefined;
}

/** Expectation type → converter; an error text when the kwargs cannot be read. */
const converters: Readonly<Record<string, Converter>> = {
  expect_column_values_to_not_be_null: (ctx, kwargs, path) => {
    const column = columnOf(kwargs);
    const t = mostlyThreshold(ctx, kwargs, path);
    if (!column || !t) return "needs `column` (and `mostly` from 0 to 1)";
    const rule = compact({ type: "library", metric: "nullValues", ...t.rule, unit: t.percent ? "percent" : undefined });
    return [{ path, property: column, rule, ...(t.percent ? {} : { constraint: { required: true } }) }];
  },
  expect_column_values_to_be_unique: (ctx, kwargs, path, meta) => {
    const column = columnOf(kwargs);
    const t = mostlyThreshold(ctx, kwargs, path);
    if (!column || !t) return "needs `column` (and `mostly` from 0 to 1)";
    const rule = compact({
      type: "library",
      metric: "duplicateValues",
      ...t.rule,
      unit: t.percent ? "percent" : undefined,
    });
    if (meta.primaryKey === true && !t.percent)
      return [{ path, primaryKey: [column], rule: { ...rule, arguments: { properties: [column] } } }];
    return [{ path, property: column, rule, ...(t.percent ? {} : { constraint: { unique: true } }) }];
  },
  expect_compound_columns_to_be_unique: (ctx, kwargs, path, meta) => {
    const columns = columnListOf(kwargs, "column_list");
    const t = mostlyThreshold(ctx, kwargs, path);
    if (!columns || !t) return "needs `column_list` (and `mostly` from 0 to 1)";
    const rule = compact({
      type: "library",
      metric: "duplicateValues",
      arguments: { properties: columns },
      ...t.rule,
      unit: t.percent ? "percent" : undefined,
    });
    return [{ path, rule, ...(meta.primaryKey === true && !t.percent ? { primaryKey: columns } : {}) }];
  },
  expect_column_values_to_be_in_set: (ctx, kwargs, path) => {
    const column = columnOf(kwargs);
    const t = mostlyThreshold(ctx, kwargs, path);
    if (!column || !t || !Array.isArray(kwargs.value_set)) return "needs `column` and `value_set`";
    const rule = compact({
      type: "library",
      metric: "invalidValues",
      arguments: { validValues: kwargs.value_set },
      ...t.rule,
      unit: t.percent ? "percent" : undefined,
    });
    return [{ path, property: column, rule }];
  },
  expect_column_values_to_match_regex: (ctx, kwargs, path, meta) => {
    const column = columnOf(kwargs);
    const t = mostlyThreshold(ctx, kwargs, path);
    if (!column || !t || typeof kwargs.regex !== "string") return "needs `column` and `regex`";
    const rule = compact({
      type: "library",
      metric: "invalidValues",
      arguments: { pattern: kwargs.regex },
      ...t.rule,
      unit: t.percent ? "percent" : undefined,
    });
    const option = typeof meta.format === "string" ? { format: meta.format } : { pattern: kwargs.regex };
    return [
      { path, property: column, rule, ...(t.percent ? {} : { constraint: { options: option, types: ["string"] } }) },
    ];
  },
  expect_column_values_to_be_between: (ctx, kwargs, path) => {
    const column = columnOf(kwargs);
    const t = mostlyThreshold(ctx, kwargs, path);
    const min = bound(kwargs.min_value);
    const max = bound(kwargs.max_value);
    if (!column || !t || (min === undefined && max === undefined))
      return "needs `column` and `min_value` or `max_value`";
    const col = sqlIdentifier(column);
    const strictMin = kwargs.strict_min === true;
    const strictMax = kwargs.strict_max === true;
    const outside = [
      min === undefined ? undefined : `${col} ${strictMin ? "<=" : "<"} ${sqlLiteral(min)}`,
      max === undefined ? undefined : `${col} ${strictMax ? ">=" : ">"} ${sqlLiteral(max)}`,
    ].filter(Boolean);
    const options = compact({
      [strictMin ? "exclusiveMinimum" : "minimum"]: min,
      [strictMax ? "exclusiveMaximum" : "maximum"]: max,
    });
    const numeric = typeof min === "number" || typeof max === "number";
    return [
      {
        path,
        property: column,
        rule: countRule(`${col} IS NOT NULL AND (${outside.join(" OR ")})`, t.rule, t.percent),
        ...(t.percent
          ? {}
          : { constraint: { options, types: numeric ? ["integer", "number"] : ["date", "timestamp"] } }),
      },
    ];
  },
  expect_column_value_lengths_to_be_between: (ctx, kwargs, path) =>
    lengths(ctx, kwargs, path, kwargs.min_value, kwargs.max_value),
  expect_column_value_lengths_to_equal: (ctx, kwargs, path) => lengths(ctx, kwargs, path, kwargs.value, kwargs.value),
  expect_table_row_count_to_be_between: (_ctx, kwargs, path) => {
    const threshold = boundsThreshold(kwargs);
    if (!threshold) return "needs `min_value` or `max_value` (strict bounds only on one side)";
    return [{ path, rule: { type: "library", metric: "rowCount", ...threshold } }];
  },
  expect_table_row_count_to_equal: (_ctx, kwargs, path) => {
    const value = num(kwargs.value);
    if (value === undefined) return "needs a number `value`";
    return [{ path, rule: { type: "library", metric: "rowCount", mustBe: value } }];
  },
  expect_column_to_exist: (_ctx, kwargs, path, meta) => {
    const column = columnOf(kwargs);
    if (!column) return "needs `column`";
    const logicalType =
      typeof meta.logicalType === "string" && isLogicalTypeName(meta.logicalType) ? meta.logicalType : undefined;
    return [{ path, property: column, column: logicalType ? { logicalType } : {} }];
  },
  expect_column_values_to_be_of_type: (_ctx, kwargs, path) => {
    const column = columnOf(kwargs);
    if (!column || typeof kwargs.type_ !== "string") return "needs `column` and `type_`";
    const t = kwargs.type_;
    return [
      {
        path,
        property: column,
        column: isLogicalTypeName(t) ? { logicalType: t } : { physicalType: t, ...logicalOf(t) },
      },
    ];
  },
  expect_table_columns_to_match_ordered_list: (_ctx, kwargs, path) => {
    const columns = columnListOf(kwargs, "column_list");
    if (!columns) return "needs `column_list`";
    return columns.map((c) => ({ path, property: c, column: {} }));
  },
  expect_table_columns_to_match_set: (_ctx, kwargs, path) => {
    const columns = columnListOf(kwargs, "column_set");
    if (!columns) return "needs `column_set`";
    return columns.map((c) => ({ path, property: c, column: {} }));
  },
  ...Object.fromEntries(
    Object.entries(columnAggregates).map(([type, aggregate]): [string, Converter] => [
      type,
      (_ctx, kwargs, path) => {
        const column = columnOf(kwargs);
        const threshold = boundsThreshold(kwargs);
        if (!column || !threshold)
          return "needs `column` and `min_value` or `max_value` (strict bounds only on one side)";
        return [
          {
            path,
            property: column,
            rule: {
              type: "sql",
              description: type,
              query: `SELECT ${aggregate(sqlIdentifier(column))} FROM {object}`,
              ...threshold,
            },
          },
        ];
      },
    ]),
  ),
};

function lengths(
  ctx: ConvertContext,
  kwargs: Kwargs,
  path: Path,
  minValue: unknown,
  maxValue: unknown,
): QualityItem[] | string {
  const column = columnOf(kwargs);
  const t = mostlyThreshold(ctx, kwargs, path);
  const min = num(minValue);
  const max = num(maxValue);
  if (!column || !t || (min === undefined && max === undefined)) return "needs `column` and a length";
  const col = sqlIdentifier(column);
  const len = `LENGTH(CAST(${col} AS VARCHAR))`;
  const outside = [
    min === undefined ? undefined : `${len} < ${min}`,
    max === undefined ? undefined : `${len} > ${max}`,
  ].filter(Boolean);
  return [
    {
      path,
      property: column,
      rule: countRule(`${col} IS NOT NULL AND (${outside.join(" OR ")})`, t.rule, t.percent),
      ...(t.percent ? {} : { constraint: { options: compact({ minLength: min, maxLength: max }), types: ["string"] } }),
    },
  ];
}

/** The expectation types Quanta runs. */
export const knownExpectations: readonly string[] = Object.keys(converters);

function convertExpectation(ctx: ConvertContext, entry: unknown, path: Path): QualityItem[] {
  if (!isObject(entry)) {
    ctx.warn(
      path,
      "gx-expectation-invalid",
      "an expectation must be an object with a type and kwargs; it was not converted",
    );
    return [];
  }
  const typeKey = typeof entry.expectation_type === "string" ? "expectation_type" : "type";
  const type = entry[typeKey];
  // Kept in the GX 1.x spelling, whichever version wrote it.
  const keep = (): QualityItem => ({
    path,
    rule: {
      type: "custom",
      engine: "great-expectations",
      implementation: compact({ type: entry[typeKey], kwargs: entry.kwargs, meta: entry.meta }),
    },
  });
  if (typeof type !== "string") {
    ctx.warn(
      path,
      "gx-expectation-invalid",
      "an expectation needs `expectation_type` (GX 0.x) or `type` (GX 1.x); it was not converted",
    );
    return [];
  }
  const kwargs = entry.kwargs ?? {};
  if (!isObject(kwargs)) {
    ctx.warn(
      [...path, "kwargs"],
      "gx-expectation-invalid",
      "kwargs must be an object; kept as a great-expectations rule Quanta does not run",
    );
    return [keep()];
  }
  const converter = Object.hasOwn(converters, type) ? converters[type] : undefined;
  if (!converter) {
    ctx.warn(
      [...path, typeKey],
      "gx-expectation-unknown",
      `Quanta does not run ${type}; kept as a great-expectations rule`,
    );
    return [keep()];
  }
  for (const key of ["row_condition", "condition_parser"]) {
    if (kwargs[key] !== undefined && kwargs[key] !== null) {
      ctx.warn(
        [...path, "kwargs", key],
        "gx-expectation-unknown",
        `${key} is not converted; kept as a great-expectations rule`,
      );
      return [keep()];
    }
  }
  const meta = isObject(entry.meta) ? entry.meta : {};
  const made = converter(ctx, kwargs, path, meta);
  if (typeof made === "string") {
    ctx.warn([...path, "kwargs"], "gx-expectation-invalid", `${type} ${made}; kept as a great-expectations rule`);
    return [keep()];
  }
  const notes =
    typeof meta.notes === "string"
      ? meta.notes
      : isObject(meta.notes) && typeof meta.notes.content === "string"
        ? meta.notes.content
        : undefined;
  // SQL rules keep the expectation they came from, so an export writes it again.
  const origin = { type, kwargs, ...(isObject(entry.meta) ? { meta: entry.meta } : {}) };
  return made.map((item) => {
    if (!item.rule) return { ...item, source: entry };
    const sql = item.rule.type === "sql" ? { customProperties: [{ property: "gxExpectation", value: origin }] } : {};
    // Generated SQL is no name for a check: the expectation is.
    const description = notes ?? (item.rule.type === "sql" && item.rule.description === undefined ? type : undefined);
    const rule = compact({ type: item.rule.type, description, ...item.rule, ...sql });
    return { ...item, source: entry, rule };
  });
}
