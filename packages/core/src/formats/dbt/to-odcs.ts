import type { Path } from "../../issues.js";
import type { LogicalType } from "../../spec/odcs/model.js";
import { logicalTypeOf } from "../contract-view.js";
import { type ConvertContext, type CustomProperty, compact, type JsonObject } from "../convert-context.js";
import type { DbtColumn, DbtConstraint, DbtRelation, DbtTest } from "./dbt-model.js";

const temporal = new Set<LogicalType>(["date", "timestamp", "time"]);

/** A property being built from a dbt column, with what the tests add to it. */
interface PropertyDraft {
  column: DbtColumn;
  logicalType: LogicalType | undefined;
  required?: boolean;
  unique?: boolean;
  primaryKeyPosition?: number;
  options: JsonObject;
  relationships: JsonObject[];
  quality: JsonObject[];
}

/** What a test's handler may change: the property (a column test) and the object's own rules. */
interface TestTarget {
  property: PropertyDraft | undefined;
  objectQuality: JsonObject[];
  objectName: string;
  /** The contract's `slaProperties` (freshness from `dbt_utils.recency`). */
  sla: JsonObject[];
}

type TestHandler = (ctx: ConvertContext, test: DbtTest, target: TestTarget) => void;

/**
 * Converts dbt models and source tables to ODCS schema objects. Data tests and contract
 * constraints become what Quanta runs: `required`, `unique`, keys, `logicalTypeOptions`, library
 * metrics and SQL rules; a test with no executable equivalent is a warning at its own line.
 */
export function relationsToObjects(
  ctx: ConvertContext,
  relations: readonly DbtRelation[],
  sla: JsonObject[] = [],
): JsonObject[] {
  const taken = new Set<string>();
  return relations.map((relation) => {
    let name = typeof relation.meta.odcs_name === "string" ? relation.meta.odcs_name : relation.name;
    // A source table may share its name with a model built from it.
    if (taken.has(name) && relation.sourceName !== undefined) name = `${relation.sourceName}_${name}`;
    taken.add(name);
    return relationToObject(ctx, relation, name, sla);
  });
}

function relationToObject(ctx: ConvertContext, relation: DbtRelation, name: string, sla: JsonObject[]): JsonObject {
  const drafts = relation.columns.map(
    (column): PropertyDraft => ({
      column,
      logicalType: column.dataType === undefined ? undefined : dbtLogicalType(column.dataType),
      options: {},
      relationships: [],
      quality: [],
    }),
  );
  const byName = (columnName: string) =>
    drafts.find((d) => d.column.name === columnName) ??
    drafts.find((d) => d.column.name.toLowerCase() === columnName.toLowerCase());
  const objectQuality: JsonObject[] = [];
  let pkCount = 0;
  const markPk = (draft: PropertyDraft) => {
    if (draft.primaryKeyPosition === undefined) draft.primaryKeyPosition = ++pkCount;
  };

  for (const draft of drafts) {
    for (const constraint of draft.column.constraints) {
      columnConstraint(ctx, constraint, draft, objectQuality, () => markPk(draft));
    }
  }
  for (const constraint of relation.constraints) {
    modelConstraint(ctx, constraint, byName, objectQuality, markPk);
  }
  for (const draft of drafts) {
    for (const test of draft.column.tests) {
      runHandler(ctx, test, { property: draft, objectQuality, objectName: name, sla });
    }
  }
  for (const test of relation.tests) {
    // A model-level test naming one column (`column_name:` argument) is that column's test.
    const columnName = typeof test.args.column_name === "string" ? test.args.column_name : undefined;
    const property = columnName === undefined ? undefined : byName(columnName);
    runHandler(ctx, test, { property, objectQuality, objectName: name, sla });
  }

  if (relation.freshness) {
    const { field, count, period, path } = relation.freshness;
    const unit = dateparts[period.toLowerCase()];
    if (unit) sla.push({ property: "freshness", value: count, unit, element: `${name}.${field}` });
    else ctx.warn(path, "dbt-unmapped", `freshness period ${JSON.stringify(period)} is not second … year; dropped`);
  }

  const custom: CustomProperty[] = [];
  if (relation.materialized !== undefined) custom.push({ property: "dbtMaterialized", value: relation.materialized });
  if (relation.contractEnforced !== undefined) {
    custom.push({ property: "dbtContractEnforced", value: relation.contractEnforced });
  }
  if (relation.sourceName !== undefined) custom.push({ property: "dbtSource", value: relation.sourceName });
  if (relation.database !== undefined) custom.push({ property: "dbtDatabase", value: relation.database });
  if (relation.schema !== undefined) custom.push({ property: "dbtSchema", value: relation.schema });
  custom.push(...metaProperties(relation.meta, ["odcs_name"]));

  return compact({
    name,
    physicalName: relation.physicalName ?? (name !== relation.name ? relation.name : undefined),
    logicalType: "object",
    physicalType: relation.materialized === "view" ? "view" : "table",
    description: relation.description?.trimEnd(),
    tags: relation.tags,
    properties: drafts.map(propertyOf),
    quality: objectQuality,
    customProperties: custom,
  });
}

/** `bigint[]`, `array<int64>` (arrays first: `numeric[]` is no number), then Quanta's common reading. */
function dbtLogicalType(dataType: string): LogicalType {
  if (itemTypeOf(dataType) !== undefined || /^\s*array\s*$/i.test(dataType)) return "array";
  return logicalTypeOf({ physicalType: dataType });
}

function itemTypeOf(dataType: string): string | undefined {
  const t = dataType.trim();
  const postfix = /^(.+?)\s*\[\]$/.exec(t);
  if (postfix) return postfix[1];
  return /^array\s*<\s*(.+)\s*>$/i.exec(t)?.[1];
}

function propertyOf(draft: PropertyDraft): JsonObject {
  const { column } = draft;
  const custom: CustomProperty[] = [];
  if (column.quote === true) custom.push({ property: "dbtQuote", value: true });
  custom.push(...metaProperties(column.meta));
  const pk = draft.primaryKeyPosition !== undefined;
  return compact({
    name: column.name,
    description: column.description?.trimEnd(),
    logicalType: draft.logicalType,
    logicalTypeOptions: draft.options,
    physicalType: column.dataType,
    items: itemsOf(column.dataType),
    required: draft.required || pk ? true : undefined,
    unique: draft.unique ? true : undefined,
    primaryKey: pk ? true : undefined,
    primaryKeyPosition: draft.primaryKeyPosition,
    tags: column.tags,
    relationships: draft.relationships,
    quality: draft.quality,
    customProperties: custom,
  });
}

function itemsOf(dataType: string | undefined): JsonObject | undefined {
  const item = dataType === undefined ? undefined : itemTypeOf(dataType);
  return item === undefined ? undefined : { logicalType: dbtLogicalType(item), physicalType: item };
}

function metaProperties(meta: JsonObject, skip: readonly string[] = []): CustomProperty[] {
  return Object.entries(meta)
    .filter(([k]) => !skip.includes(k))
    .map(([property, value]) => ({ property, value }));
}

/** `ref('customers')`, `ref("pkg", "customers")`, `source('raw', 'customers')` → `customers`. */
export function referencedRelation(to: unknown): string | undefined {
  if (typeof to !== "string") return undefined;
  const m = /^\s*(?:\{\{\s*)?(ref|source)\s*\(\s*(.*?)\s*\)\s*(?:\}\})?\s*$/.exec(to);
  if (!m) return /^[A-Za-z_][\w$]*$/.test(to.trim()) ? to.trim() : undefined;
  const args = [...(m[2] ?? "").matchAll(/(['"])(.*?)\1/g)].map((a) => a[2] ?? "");
  const positional = args.filter((_, i) => !/\bv\s*=|version\s*=/.test(m[2]?.split(",")[i] ?? ""));
  return positional[positional.length - 1];
}

function foreignKey(
  ctx: ConvertContext,
  to: unknown,
  field: unknown,
  path: Path,
): { type: "foreignKey"; to: string } | undefined {
  const target = referencedRelation(to);
  const column = typeof field === "string" ? field : Array.isArray(field) && field.length === 1 ? field[0] : undefined;
  if (target === undefined || typeof column !== "string") {
    ctx.warn(
      path,
      "dbt-unmapped",
      `reference ${JSON.stringify(to)} (${JSON.stringify(field)}) is not a table and column ODCS can point at; dropped`,
    );
    return undefined;
  }
  return { type: "foreignKey", to: `${target}.${column}` };
}

function checkRule(expression: string, name: string | undefined): JsonObject {
  return compact({
    type: "sql",
    name,
    description: `dbt check constraint: ${expression}`,
    query: `SELECT COUNT(*) FROM {object} WHERE NOT (${expression})`,
    mustBe: 0,
  });
}

function columnConstraint(
  ctx: ConvertContext,
  constraint: DbtConstraint,
  draft: PropertyDraft,
  objectQuality: JsonObject[],
  markPk: () => void,
): void {
  const c = constraint.value;
  switch (c.type) {
    case "not_null":
      draft.required = true;
      return;
    case "unique":
      draft.unique = true;
      return;
    case "primary_key":
      markPk();
      return;
    case "foreign_key": {
      const toColumns =
        c.to_columns ?? (typeof c.expression === "string" ? parseExpressionColumns(c.expression) : undefined);
      const to = c.to ?? (typeof c.expression === "string" ? c.expression.split("(")[0]?.trim() : undefined);
      const fk = foreignKey(ctx, to, toColumns, constraint.path);
      if (fk) draft.relationships.push(fk);
      return;
    }
    case "check":
      if (typeof c.expression === "string" && c.expression.trim() !== "") {
        objectQuality.push(checkRule(c.expression, typeof c.name === "string" ? c.name : undefined));
        return;
      }
      break;
    default:
      break;
  }
  ctx.warn(
    constraint.path,
    "dbt-constraint-unmapped",
    `constraint ${JSON.stringify(c.type)} has no ODCS equivalent; dropped`,
  );
}

function modelConstraint(
  ctx: ConvertContext,
  constraint: DbtConstraint,
  byName: (name: string) => PropertyDraft | undefined,
  objectQuality: JsonObject[],
  markPk: (draft: PropertyDraft) => void,
): void {
  const c = constraint.value;
  const columns = Array.isArray(c.columns) ? c.columns.filter((x): x is string => typeof x === "string") : [];
  const drafts = columns.map((n) => ({ n, d: byName(n) }));
  const missing = drafts.filter((x) => !x.d).map((x) => x.n);
  if (missing.length > 0) {
    ctx.warn(
      constraint.path,
      "dbt-constraint-unmapped",
      `constraint names columns that are not declared: ${missing.join(", ")}; dropped`,
    );
    return;
  }
  const found = drafts.map((x) => x.d as PropertyDraft);
  switch (c.type) {
    case "primary_key":
      if (found.length > 0) {
        for (const d of found) markPk(d);
        return;
      }
      break;
    case "not_null":
      if (found.length > 0) {
        for (const d of found) d.required = true;
        return;
      }
      break;
    case "unique":
      if (found.length === 1 && found[0]) {
        found[0].unique = true;
        return;
      }
      if (found.length > 1) {
        objectQuality.push({
          type: "library",
          metric: "duplicateValues",
          arguments: { properties: columns },
          mustBe: 0,
        });
        return;
      }
      break;
    case "foreign_key": {
      const toColumns = Array.isArray(c.to_columns) ? c.to_columns : [];
      const target = referencedRelation(c.to);
      if (found.length === 1 && found[0]) {
        const fk = foreignKey(ctx, c.to, toColumns, constraint.path);
        if (fk) found[0].relationships.push(fk);
        return;
      }
      if (found.length > 1 && target !== undefined && toColumns.length === found.length) {
        // A composite key has no property-level form; each column points at its counterpart.
        found.forEach((d, i) => {
          d.relationships.push({ type: "foreignKey", to: `${target}.${String(toColumns[i])}` });
        });
        ctx.warn(constraint.path, "dbt-constraint-split", "a composite foreign key became one relationship per column");
        return;
      }
      break;
    }
    case "check":
      if (typeof c.expression === "string" && c.expression.trim() !== "") {
        objectQuality.push(checkRule(c.expression, typeof c.name === "string" ? c.name : undefined));
        return;
      }
      break;
    default:
      break;
  }
  ctx.warn(
    constraint.path,
    "dbt-constraint-unmapped",
    `constraint ${JSON.stringify(c.type)} has no ODCS equivalent; dropped`,
  );
}

/** `customers (id)` → ["id"] (the `expression` form of a foreign key before dbt 1.9). */
function parseExpressionColumns(expression: string): string[] | undefined {
  const m = /\(([^)]*)\)\s*$/.exec(expression);
  return m?.[1]
    ?.split(",")
    .map((s) => s.trim().replace(/^"|"$/g, ""))
    .filter(Boolean);
}

function severityOf(test: DbtTest): string | undefined {
  return typeof test.config.severity === "string" && test.config.severity.toLowerCase() === "warn"
    ? "warning"
    : undefined;
}

function runHandler(ctx: ConvertContext, test: DbtTest, target: TestTarget): void {
  const handler = handlers[test.name];
  const label = test.namespace ? `${test.namespace}.${test.name}` : test.name;
  if (!handler) {
    ctx.warn(test.path, "dbt-test-unmapped", `data test ${label} has no executable ODCS equivalent; not converted`);
    return;
  }
  if (typeof test.config.where === "string") {
    ctx.warn(
      test.path,
      "dbt-test-where",
      `${label} tests only rows where ${test.config.where}; the contract checks every row`,
    );
  }
  for (const key of ["warn_if", "error_if"]) {
    if (test.config[key] !== undefined) {
      ctx.warn(
        test.path,
        "dbt-test-threshold",
        `${label} ${key}: ${String(test.config[key])} is not kept; the rule fails on any failing row`,
      );
    }
  }
  handler(ctx, test, target);
}

/** Needs a column: reports a model-level use of a column test. */
function needProperty(ctx: ConvertContext, test: DbtTest, target: TestTarget): PropertyDraft | undefined {
  if (target.property) return target.property;
  ctx.warn(test.path, "dbt-test-unmapped", `${test.name} needs a column; it is not under one, so not converted`);
  return undefined;
}

function bad(ctx: ConvertContext, test: DbtTest, why: string): void {
  ctx.warn(test.argsPath, "dbt-test-unmapped", `${test.name}: ${why}; not converted`);
}

function withSeverity(rule: JsonObject, test: DbtTest): JsonObject {
  const severity = severityOf(test);
  return severity ? { ...rule, severity } : rule;
}

const notNull: TestHandler = (ctx, test, target) => {
  const p = needProperty(ctx, test, target);
  if (!p) return;
  // A warn-only test cannot be `required` (which fails the run): it stays a rule with its severity.
  if (severityOf(test)) p.quality.push(withSeverity({ type: "library", metric: "nullValues", mustBe: 0 }, test));
  else p.required = true;
};

const unique: TestHandler = (ctx, test, target) => {
  const p = needProperty(ctx, test, target);
  if (!p) return;
  if (severityOf(test)) p.quality.push(withSeverity({ type: "library", metric: "duplicateValues", mustBe: 0 }, test));
  else p.unique = true;
};

/** `quote: false` values are SQL literals: numbers and booleans are read as such. */
function literalValues(values: unknown[], quote: unknown): unknown[] {
  if (quote !== false) return values;
  return values.map((v) => {
    if (typeof v !== "string") return v;
    if (/^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v);
    if (/^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === "true";
    return v;
  });
}

const valueSet =
  (key: string): TestHandler =>
  (ctx, test, target) => {
    const p = needProperty(ctx, test, target);
    if (!p) return;
    const values = test.args[key];
    if (!Array.isArray(values) || values.length === 0) return bad(ctx, test, `${key} must be a list of values`);
    p.quality.push(
      withSeverity(
        {
          type: "library",
          metric: "invalidValues",
          arguments: { validValues: literalValues(values, test.args.quote) },
          mustBe: 0,
        },
        test,
      ),
    );
  };

const relationships: TestHandler = (ctx, test, target) => {
  const p = needProperty(ctx, test, target);
  if (!p) return;
  const fk = foreignKey(ctx, test.args.to, test.args.field, test.argsPath);
  if (fk && !p.relationships.some((r) => r.to === fk.to)) p.relationships.push(fk);
};

function bound(value: unknown): number | string | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "") {
    const n = Number(value);
    return Number.isFinite(n) ? n : value;
  }
  return undefined;
}

/** A SQL literal of a bound: numbers as they are, anything else as a quoted string. */
function sqlLiteral(value: number | string): string {
  return typeof value === "number" ? String(value) : `'${value.replaceAll("'", "''")}'`;
}

/** Ranges: `logicalTypeOptions` where the column's type takes them, else an SQL rule. */
const between =
  (minKey: string, maxKey: string, strictKey: string): TestHandler =>
  (ctx, test, target) => {
    const p = needProperty(ctx, test, target);
    if (!p) return;
    const min = bound(test.args[minKey]);
    const max = bound(test.args[maxKey]);
    if (min === undefined && max === undefined) return bad(ctx, test, `it states neither ${minKey} nor ${maxKey}`);
    // dbt_utils.accepted_range says `inclusive` (default true); dbt_expectations says `strictly`.
    const strict = strictKey === "inclusive" ? test.args.inclusive === false : test.args[strictKey] === true;
    const type = p.logicalType;
    const temporalType = type !== undefined && temporal.has(type);
    const numeric = type === "integer" || type === "number";
    const fits =
      !severityOf(test) &&
      ((numeric && [min, max].every((b) => b === undefined || typeof b === "number")) || temporalType);
    if (fits) {
      const as = (b: number | string) => (temporalType ? String(b) : b);
      if (min !== undefined) p.options[strict ? "exclusiveMinimum" : "minimum"] = as(min);
      if (max !== undefined) p.options[strict ? "exclusiveMaximum" : "maximum"] = as(max);
      return;
    }
    const lo = strict ? ">" : ">=";
    const hi = strict ? "<" : "<=";
    const conditions = [
      min !== undefined ? `{property} ${lo} ${sqlLiteral(min)}` : undefined,
      max !== undefined ? `{property} ${hi} ${sqlLiteral(max)}` : undefined,
    ].filter(Boolean);
    p.quality.push(
      withSeverity(
        {
          type: "sql",
          description: `dbt test ${test.name}`,
          query: `SELECT COUNT(*) FROM {object} WHERE {property} IS NOT NULL AND NOT (${conditions.join(" AND ")})`,
          mustBe: 0,
        },
        test,
      ),
    );
  };

const lengthBetween: TestHandler = (ctx, test, target) => {
  const p = needProperty(ctx, test, target);
  if (!p) return;
  const min = bound(test.args.min_value);
  const max = bound(test.args.max_value);
  if (p.logicalType !== "string" && p.logicalType !== undefined) return bad(ctx, test, "lengths apply to strings");
  if (typeof min !== "number" && typeof max !== "number")
    return bad(ctx, test, "it states no numeric min_value or max_value");
  p.logicalType ??= "string";
  if (typeof min === "number") p.options.minLength = min;
  if (typeof max === "number") p.options.maxLength = max;
};

const regex: TestHandler = (ctx, test, target) => {
  const p = needProperty(ctx, test, target);
  if (!p) return;
  const pattern = test.args.regex;
  if (typeof pattern !== "string" || pattern === "") return bad(ctx, test, "regex must be a string");
  if (test.args.flags !== undefined && test.args.flags !== "") {
    ctx.warn(test.argsPath, "dbt-test-flags", `regex flags ${JSON.stringify(test.args.flags)} are not kept`);
  }
  if (p.logicalType === "string" && !severityOf(test) && p.options.pattern === undefined) p.options.pattern = pattern;
  else
    p.quality.push(withSeverity({ type: "library", metric: "invalidValues", arguments: { pattern }, mustBe: 0 }, test));
};

const rowCount: TestHandler = (ctx, test, target) => {
  const min = bound(test.args.min_value);
  const max = bound(test.args.max_value);
  if (typeof min !== "number" && typeof max !== "number")
    return bad(ctx, test, "it states no numeric min_value or max_value");
  const strict = test.args.strictly === true;
  const rule: JsonObject = { type: "library", metric: "rowCount" };
  if (typeof min === "number" && typeof max === "number") rule.mustBeBetween = strict ? [min + 1, max - 1] : [min, max];
  else if (typeof min === "number") rule[strict ? "mustBeGreaterThan" : "mustBeGreaterOrEqualTo"] = min;
  else if (typeof max === "number") rule[strict ? "mustBeLessThan" : "mustBeLessOrEqualTo"] = max;
  target.objectQuality.push(withSeverity(rule, test));
};

const rowCountEqual: TestHandler = (ctx, test, target) => {
  const value = bound(test.args.value);
  if (typeof value !== "number") return bad(ctx, test, "value must be a number");
  target.objectQuality.push(withSeverity({ type: "library", metric: "rowCount", mustBe: value }, test));
};

const combination =
  (key: string): TestHandler =>
  (ctx, test, target) => {
    const columns = test.args[key];
    if (!Array.isArray(columns) || columns.length === 0 || !columns.every((c) => typeof c === "string")) {
      return bad(ctx, test, `${key} must be a list of column names`);
    }
    target.objectQuality.push(
      withSeverity({ type: "library", metric: "duplicateValues", arguments: { properties: columns }, mustBe: 0 }, test),
    );
  };

const expressionIsTrue: TestHandler = (ctx, test, target) => {
  const expression = test.args.expression;
  if (typeof expression !== "string" || expression.trim() === "") return bad(ctx, test, "expression must be SQL text");
  // Under a column, dbt_utils prefixes the expression with the column: `expression: ">= 0"`.
  const subject = target.property ? "{property} " : "";
  const rule = withSeverity(
    {
      type: "sql",
      description: `dbt test ${test.name}: ${expression}`,
      query: `SELECT COUNT(*) FROM {object} WHERE NOT (${subject}${expression})`,
      mustBe: 0,
    },
    test,
  );
  (target.property?.quality ?? target.objectQuality).push(rule);
};

/** dbt date parts → the units of an ODCS freshness SLA. */
const dateparts: Readonly<Record<string, string>> = {
  second: "s",
  minute: "m",
  hour: "h",
  day: "d",
  week: "w",
  month: "mo",
  year: "y",
};

/** `dbt_utils.recency` (the newest `field` at most `interval` `datepart`s old) → a freshness SLA. */
const recency: TestHandler = (ctx, test, target) => {
  const field = typeof test.args.field === "string" ? test.args.field : target.property?.column.name;
  const unit = dateparts[String(test.args.datepart ?? "").toLowerCase()];
  const interval = bound(test.args.interval);
  if (field === undefined || unit === undefined || typeof interval !== "number") {
    return bad(ctx, test, "it needs field, a datepart (second … year) and a numeric interval");
  }
  if (severityOf(test)) ctx.warn(test.path, "dbt-test-severity", "an SLA has no severity: it fails the run");
  target.sla.push({ property: "freshness", value: interval, unit, element: `${target.objectName}.${field}` });
};

const handlers: Readonly<Record<string, TestHandler>> = {
  not_null: notNull,
  unique,
  accepted_values: valueSet("values"),
  relationships,
  // dbt_utils
  accepted_range: between("min_value", "max_value", "inclusive"),
  unique_combination_of_columns: combination("combination_of_columns"),
  expression_is_true: expressionIsTrue,
  recency,
  // dbt_expectations
  expect_column_values_to_not_be_null: notNull,
  expect_column_values_to_be_unique: unique,
  expect_column_values_to_be_in_set: valueSet("value_set"),
  expect_column_values_to_be_between: between("min_value", "max_value", "strictly"),
  expect_column_value_lengths_to_be_between: lengthBetween,
  expect_column_values_to_match_regex: regex,
  expect_table_row_count_to_be_between: rowCount,
  expect_table_row_count_to_equal: rowCountEqual,
  expect_compound_columns_to_be_unique: combination("column_list"),
};

export const convertedTests = Object.keys(handlers);
