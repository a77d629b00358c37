import { unitSeconds } from "../duration-units.js";
import { nonEmpty as str } from "../read.js";
import type {
  Check,
  CheckSeverity,
  CheckType,
  Dimension,
  Metric,
  Operator,
  SqlValue,
  Threshold,
  Unit,
  Violation,
} from "./check.js";
import { operators } from "./check.js";
import { stringFormats } from "./string-formats.js";

type Obj = Record<string, unknown>;

export interface BuildChecksOptions {
  /** Only checks of this schema object (by `name` or `physicalName`). */
  schema?: string;
}

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const num = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isFinite(v)
    ? v
    : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))
      ? Number(v)
      : undefined;
const isScalar = (v: unknown): v is SqlValue => v === null || ["string", "number", "boolean"].includes(typeof v);

/** Contract severities that only warn; anything else (error, critical, missing …) fails the run. */
const warningSeverities = new Set(["info", "warning", "warn", "minor", "low"]);
const severityOf = (rule: Obj): CheckSeverity =>
  warningSeverities.has(String(rule.severity ?? "").toLowerCase()) ? "warning" : "error";

/** ODCS v3.0 `rule:` names and DCS-style spellings → v3.1 library metrics. */
const metricAliases: Record<string, LibraryMetric> = {
  nullValues: "nullValues",
  nullCheck: "nullValues",
  missingValues: "missingValues",
  invalidValues: "invalidValues",
  validValues: "invalidValues",
  duplicateValues: "duplicateValues",
  duplicateCount: "duplicateValues",
  rowCount: "rowCount",
};
type LibraryMetric = "nullValues" | "missingValues" | "invalidValues" | "duplicateValues" | "rowCount";

const libraryDimensions: Record<LibraryMetric, Dimension> = {
  nullValues: "completeness",
  missingValues: "completeness",
  invalidValues: "conformity",
  duplicateValues: "uniqueness",
  rowCount: "completeness",
};

/** Threshold when a library rule states no operator: "none of them" (row count: "some rows"). */
const defaultThresholds: Record<LibraryMetric, Threshold> = {
  nullValues: { operator: "mustBe", value: 0 },
  missingValues: { operator: "mustBe", value: 0 },
  invalidValues: { operator: "mustBe", value: 0 },
  duplicateValues: { operator: "mustBe", value: 0 },
  rowCount: { operator: "mustBeGreaterThan", value: 0 },
};

/** SLA properties measured from the data: SLI name → which end of the element column ages. */
const slaMeasures: Record<string, { type: CheckType; of: "max" | "min" }> = {
  latency: { type: "freshness", of: "max" },
  freshness: { type: "freshness", of: "max" },
  retention: { type: "retention", of: "min" },
};

/** The operator a rule states (first one found), or an explanation of what is wrong with it. */
export function thresholdOf(rule: Obj): Threshold | { error: string } | undefined {
  const stated = operators.filter((op) => rule[op] !== undefined);
  if (stated.length === 0) return undefined;
  if (stated.length > 1) return { error: `more than one operator: ${stated.join(", ")}` };
  const operator = stated[0] as Operator;
  const value = rule[operator];
  if (operator === "mustBeBetween" || operator === "mustNotBeBetween") {
    const pair = asArray(value).map(num);
    if (pair.length !== 2 || pair[0] === undefined || pair[1] === undefined)
      return { error: `${operator} needs two numbers, got ${JSON.stringify(value)}` };
    return { operator, value: [Math.min(pair[0], pair[1]), Math.max(pair[0], pair[1])] };
  }
  if (operator === "mustBe" || operator === "mustNotBe") {
    if (!isScalar(value)) return { error: `${operator} needs a value, got ${JSON.stringify(value)}` };
    return { operator, value };
  }
  const n = num(value);
  if (n === undefined) return { error: `${operator} needs a number, got ${JSON.stringify(value)}` };
  return { operator, value: n };
}

class Builder {
  readonly checks: Check[] = [];
  private readonly keys = new Map<string, number>();

  key(parts: readonly (string | undefined)[]): string {
    const base = parts.filter((p) => p !== undefined).join(".");
    const n = (this.keys.get(base) ?? 0) + 1;
    this.keys.set(base, n);
    return n === 1 ? base : `${base}.${n}`;
  }

  push(check: Check): void {
    this.checks.push(check);
  }
}

/**
 * Every check an ODCS contract (plain parsed value) promises: schema shape, property constraints,
 * quality rules, SLA freshness/retention. Never throws; rules it cannot read become `invalid` checks.
 */
export function buildChecks(contract: unknown, options: BuildChecksOptions = {}): Check[] {
  const b = new Builder();
  if (!isObj(contract)) return b.checks;
  const objects = asArray(contract.schema).filter(isObj);
  for (const object of objects) {
    const name = str(object.name);
    const table = str(object.physicalName) ?? name;
    if (table === undefined) continue;
    if (options.schema !== undefined && options.schema !== name && options.schema !== table) continue;
    buildObject(b, object, table);
  }
  for (const sla of asArray(contract.slaProperties).filter(isObj)) buildSla(b, sla, objects, options);
  return b.checks;
}

function buildObject(b: Builder, object: Obj, table: string): void {
  b.push({
    kind: "schema",
    key: b.key([table, "objectExists"]),
    name: `${table} exists`,
    type: "objectExists",
    dimension: "completeness",
    schema: table,
    severity: "error",
    expect: { kind: "object" },
  });
  const properties = asArray(object.properties).filter(isObj);
  const pk: { column: string; position: number }[] = [];
  for (const [i, property] of properties.entries()) {
    const column = str(property.physicalName) ?? str(property.name);
    if (column === undefined) continue;
    buildProperty(b, property, table, column);
    if (property.primaryKey === true) pk.push({ column, position: num(property.primaryKeyPosition) ?? 1000 + i });
  }
  if (pk.length > 0) {
    const columns = pk.sort((x, y) => x.position - y.position).map((p) => p.column);
    const label = columns.join(", ");
    b.push({
      kind: "metric",
      key: b.key([table, "primaryKey"]),
      name: `${table} primary key (${label}) is unique`,
      type: "primaryKey",
      dimension: "uniqueness",
      schema: table,
      ...(columns.length === 1 ? { property: columns[0] } : {}),
      severity: "error",
      metric: { kind: "duplicateCount", properties: columns },
      threshold: { operator: "mustBe", value: 0 },
      unit: "rows",
    });
    for (const column of columns) {
      b.push({
        kind: "metric",
        key: b.key([table, column, "primaryKey", "notNull"]),
        name: `${table}.${column} (primary key) has no nulls`,
        type: "primaryKey",
        dimension: "completeness",
        schema: table,
        property: column,
        severity: "error",
        metric: { kind: "nullCount", property: column },
        threshold: { operator: "mustBe", value: 0 },
        unit: "rows",
      });
    }
  }
  for (const [i, rule] of asArray(object.quality).entries()) buildQuality(b, rule, table, undefined, i);
}

/** logicalTypeOptions key → the violation it forbids and how the check is reported. */
const optionRules: Record<
  string,
  { type: CheckType; dimension: Dimension; violation: (v: unknown, o: Obj) => Violation | string; says: string }
> = {
  minimum: {
    type: "minimum",
    dimension: "accuracy",
    says: ">=",
    violation: (v, o) => bound(v, (value) => ({ kind: "lessThan", value, exclusive: o.exclusiveMinimum === true })),
  },
  maximum: {
    type: "maximum",
    dimension: "accuracy",
    says: "<=",
    violation: (v, o) => bound(v, (value) => ({ kind: "greaterThan", value, exclusive: o.exclusiveMaximum === true })),
  },
  exclusiveMinimum: {
    type: "exclusiveMinimum",
    dimension: "accuracy",
    says: ">",
    violation: (v) => bound(v, (value) => ({ kind: "lessThan", value, exclusive: true })),
  },
  exclusiveMaximum: {
    type: "exclusiveMaximum",
    dimension: "accuracy",
    says: "<",
    violation: (v) => bound(v, (value) => ({ kind: "greaterThan", value, exclusive: true })),
  },
  minLength: {
    type: "minLength",
    dimension: "conformity",
    says: "length >=",
    violation: (v) => count(v, (length) => ({ kind: "shorterThan", length })),
  },
  maxLength: {
    type: "maxLength",
    dimension: "conformity",
    says: "length <=",
    violation: (v) => count(v, (length) => ({ kind: "longerThan", length })),
  },
  minItems: {
    type: "minItems",
    dimension: "conformity",
    says: "items >=",
    violation: (v) => count(v, (n) => ({ kind: "fewerItemsThan", count: n })),
  },
  maxItems: {
    type: "maxItems",
    dimension: "conformity",
    says: "items <=",
    violation: (v) => count(v, (n) => ({ kind: "moreItemsThan", count: n })),
  },
  pattern: {
    type: "pattern",
    dimension: "conformity",
    says: "matches",
    violation: (v) =>
      typeof v === "string" && v !== ""
        ? { kind: "notMatching", pattern: v }
        : `pattern must be a string, got ${JSON.stringify(v)}`,
  },
  multipleOf: {
    type: "multipleOf",
    dimension: "accuracy",
    says: "multiple of",
    violation: (v) => {
      const n = num(v);
      return n !== undefined && n > 0
        ? { kind: "notMultipleOf", value: n }
        : `multipleOf must be a positive number, got ${JSON.stringify(v)}`;
    },
  },
};

function bound(v: unknown, make: (value: number | string) => Violation): Violation | string {
  // exclusiveMinimum: true (the v3.0 boolean form) modifies `minimum` and has no bound of its own.
  if (typeof v === "boolean") return "";
  const n = num(v);
  if (n !== undefined) return make(n);
  if (typeof v === "string" && v !== "") return make(v);
  return `expected a number or a date, got ${JSON.stringify(v)}`;
}

function count(v: unknown, make: (n: number) => Violation): Violation | string {
  const n = num(v);
  return n !== undefined && Number.isInteger(n) && n >= 0
    ? make(n)
    : `expected a non-negative integer, got ${JSON.stringify(v)}`;
}

const stringLike = new Set(["string", undefined]);

function buildProperty(b: Builder, property: Obj, table: string, column: string): void {
  const base = { schema: table, property: column } as const;
  b.push({
    kind: "schema",
    key: b.key([table, column, "propertyExists"]),
    name: `${table}.${column} exists`,
    type: "propertyExists",
    dimension: "completeness",
    ...base,
    severity: "error",
    expect: { kind: "property", property: column },
  });
  const logicalType = str(property.logicalType);
  const physicalType = str(property.physicalType);
  if (logicalType !== undefined || physicalType !== undefined) {
    b.push({
      kind: "schema",
      key: b.key([table, column, "propertyType"]),
      name: `${table}.${column} has type ${[logicalType, physicalType].filter(Boolean).join(" / ")}`,
      type: "propertyType",
      dimension: "conformity",
      ...base,
      severity: "error",
      expect: {
        kind: "type",
        property: column,
        ...(logicalType ? { logicalType } : {}),
        ...(physicalType ? { physicalType } : {}),
      },
    });
  }
  const zero: Threshold = { operator: "mustBe", value: 0 };
  if (property.required === true) {
    b.push({
      kind: "metric",
      key: b.key([table, column, "required"]),
      name: `${table}.${column} is required (no nulls)`,
      type: "required",
      dimension: "completeness",
      ...base,
      severity: "error",
      metric: { kind: "nullCount", property: column },
      threshold: zero,
      unit: "rows",
    });
  }
  if (property.unique === true) {
    b.push({
      kind: "metric",
      key: b.key([table, column, "unique"]),
      name: `${table}.${column} is unique`,
      type: "unique",
      dimension: "uniqueness",
      ...base,
      severity: "error",
      metric: { kind: "duplicateCount", properties: [column] },
      threshold: zero,
      unit: "rows",
    });
  }
  const options = isObj(property.logicalTypeOptions) ? property.logicalTypeOptions : {};
  for (const [option, value] of Object.entries(options)) {
    const rule = optionRules[option];
    if (option === "format") {
      // Date/time formats (yyyy-MM-dd) describe rendering, not a string column's content.
      if (!stringLike.has(logicalType)) continue;
      buildFormat(b, table, column, value);
      continue;
    }
    if (rule === undefined) continue;
    const violation = rule.violation(value, options);
    if (violation === "") continue;
    const key = b.key([table, column, rule.type]);
    const common = {
      key,
      name: `${table}.${column} ${rule.says} ${JSON.stringify(value)}`,
      type: rule.type,
      dimension: rule.dimension,
      ...base,
      severity: "error" as const,
    };
    b.push(
      typeof violation === "string"
        ? { ...common, kind: "invalid", reason: `logicalTypeOptions.${option}: ${violation}` }
        : {
            ...common,
            kind: "metric",
            metric: { kind: "violationCount", property: column, violation },
            threshold: zero,
            unit: "rows",
          },
    );
  }
  for (const [i, rule] of asArray(property.quality).entries()) buildQuality(b, rule, table, column, i);
}

function buildFormat(b: Builder, table: string, column: string, format: unknown): void {
  const pattern = typeof format === "string" ? stringFormats[format] : undefined;
  const common = {
    key: b.key([table, column, "format"]),
    name: `${table}.${column} is formatted as ${String(format)}`,
    type: "format" as const,
    dimension: "conformity",
    schema: table,
    property: column,
    severity: "error" as const,
  };
  if (pattern === undefined) {
    b.push({
      ...common,
      kind: "skipped",
      reason: `format ${JSON.stringify(format)} is not checked (known: ${Object.keys(stringFormats).join(", ")})`,
    });
    return;
  }
  b.push({
    ...common,
    kind: "metric",
    metric: { kind: "violationCount", property: column, violation: { kind: "notMatching", pattern } },
    threshold: { operator: "mustBe", value: 0 },
    unit: "rows",
  });
}

function buildQuality(b: Builder, raw: unknown, table: string, column: string | undefined, index: number): void {
  const rule: Obj = isObj(raw) ? raw : {};
  const id = str(rule.id);
  const metricName = str(rule.metric) ?? str(rule.rule);
  const type = str(rule.type) ?? (metricName !== undefined ? "library" : "library");
  const where = column === undefined ? table : `${table}.${column}`;
  const common = {
    ...(id !== undefined ? { id } : {}),
    schema: table,
    ...(column !== undefined ? { property: column } : {}),
    severity: severityOf(rule),
  };
  const label = str(rule.name) ?? str(rule.description);
  const dimension = str(rule.dimension);
  const unit: Unit = rule.unit === "percent" || rule.unit === "%" ? "percent" : "rows";
  const threshold = thresholdOf(rule);
  const key = (kind: string) => b.key([table, column, "quality", id ?? String(index), kind]);

  if (type === "text") {
    b.push({
      ...common,
      kind: "skipped",
      key: key("text"),
      name: label ?? `${where} (text rule)`,
      type: "text",
      dimension: dimension ?? "accuracy",
      reason: "documentation",
    });
    return;
  }
  if (type === "custom") {
    const engine = str(rule.engine) ?? "unknown";
    b.push({
      ...common,
      kind: "skipped",
      key: key("custom"),
      name: label ?? `${where} (${engine} rule)`,
      type: "custom",
      dimension: dimension ?? "accuracy",
      reason: `custom rule for engine "${engine}" is not run by Quanta`,
    });
    return;
  }
  if (type === "sql") {
    const query = str(rule.query);
    const base = {
      ...common,
      key: key("sql"),
      name: label ?? `${where} SQL rule`,
      type: "sql" as const,
      dimension: dimension ?? "accuracy",
    };
    if (query === undefined) b.push({ ...base, kind: "invalid", reason: "sql rule has no query" });
    else if (threshold === undefined)
      b.push({ ...base, kind: "invalid", reason: "sql rule states no operator (mustBe, mustBeLessThan …)" });
    else if ("error" in threshold) b.push({ ...base, kind: "invalid", reason: threshold.error });
    else b.push({ ...base, kind: "sql", query, threshold, unit });
    return;
  }
  if (type !== "library") {
    b.push({
      ...common,
      kind: "invalid",
      key: key("unknown"),
      name: label ?? `${where} rule`,
      type: "custom",
      dimension: dimension ?? "accuracy",
      reason: `unknown quality rule type ${JSON.stringify(rule.type)}`,
    });
    return;
  }
  const metric = metricName !== undefined ? metricAliases[metricName] : undefined;
  if (metric === undefined) {
    b.push({
      ...common,
      kind: "invalid",
      key: key(metricName ?? "metric"),
      name: label ?? `${where} rule`,
      type: "custom",
      dimension: dimension ?? "accuracy",
      reason:
        metricName === undefined
          ? "library rule has no metric"
          : `unknown metric ${JSON.stringify(metricName)} (known: ${Object.keys(libraryDimensions).join(", ")})`,
    });
    return;
  }
  const base = {
    ...common,
    key: key(metric),
    name: label ?? `${where} ${metric}`,
    type: metric,
    dimension: dimension ?? libraryDimensions[metric],
  };
  if (threshold !== undefined && "error" in threshold) {
    b.push({ ...base, kind: "invalid", reason: threshold.error });
    return;
  }
  const made = libraryMetric(metric, column, isObj(rule.arguments) ? rule.arguments : {}, rule);
  if (typeof made === "string") {
    b.push({ ...base, kind: "invalid", reason: made });
    return;
  }
  b.push({
    ...base,
    kind: "metric",
    metric: made,
    threshold: threshold ?? defaultThresholds[metric],
    unit: metric === "rowCount" ? "rows" : unit,
  });
}

/** Library metric + arguments → the IR metric, or why it cannot be built. */
function libraryMetric(metric: LibraryMetric, column: string | undefined, args: Obj, rule: Obj): Metric | string {
  const needsColumn = `${metric} needs a property (put the rule under a property)`;
  switch (metric) {
    case "rowCount":
      return { kind: "rowCount" };
    case "nullValues":
      return column === undefined ? needsColumn : { kind: "nullCount", property: column };
    case "missingValues": {
      if (column === undefined) return needsColumn;
      const values = asArray(args.missingValues ?? rule.missingValues);
      if (!values.every(isScalar)) return "arguments.missingValues must be a list of scalars";
      return { kind: "missingCount", property: column, values };
    }
    case "invalidValues": {
      if (column === undefined) return needsColumn;
      const valid = args.validValues ?? rule.validValues;
      const pattern = args.pattern ?? rule.pattern;
      if (valid === undefined && pattern === undefined)
        return "invalidValues needs arguments.validValues or arguments.pattern";
      if (valid !== undefined && !(Array.isArray(valid) && valid.every(isScalar)))
        return "arguments.validValues must be a list of scalars";
      if (pattern !== undefined && (typeof pattern !== "string" || pattern === ""))
        return "arguments.pattern must be a string";
      return {
        kind: "invalidCount",
        property: column,
        ...(valid !== undefined ? { validValues: valid as SqlValue[] } : {}),
        ...(pattern !== undefined ? { pattern: pattern as string } : {}),
      };
    }
    case "duplicateValues": {
      const listed = asArray(args.properties);
      if (listed.length > 0) {
        if (!listed.every((p) => typeof p === "string" && p !== ""))
          return "arguments.properties must be a list of property names";
        return { kind: "duplicateCount", properties: listed as string[] };
      }
      return column === undefined
        ? "duplicateValues on a schema object needs arguments.properties"
        : { kind: "duplicateCount", properties: [column] };
    }
  }
}

function buildSla(b: Builder, sla: Obj, objects: Obj[], options: BuildChecksOptions): void {
  const sli = str(sla.property);
  const measure = sli !== undefined ? slaMeasures[sli] : undefined;
  const element = str(sla.element);
  if (sli === undefined || measure === undefined || element === undefined) return;
  const id = str(sla.id);
  for (const part of element
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean)) {
    const dot = part.lastIndexOf(".");
    const only = objects.length === 1 ? objects[0] : undefined;
    const table =
      dot > 0 ? part.slice(0, dot) : only !== undefined ? (str(only.physicalName) ?? str(only.name)) : undefined;
    const column = dot > 0 ? part.slice(dot + 1) : part;
    const known = objects.find((o) => o.name === table || o.physicalName === table);
    if (options.schema !== undefined && known?.name !== options.schema && table !== options.schema) continue;
    const tableName = known !== undefined ? (str(known.physicalName) ?? str(known.name) ?? table) : table;
    const value = num(sla.value);
    const unit = str(sla.unit)?.toLowerCase() ?? "d";
    const seconds = unitSeconds[unit];
    const common = {
      key: b.key(["sla", id ?? sli, part]),
      ...(id !== undefined ? { id } : {}),
      name: `${sli} of ${part} within ${String(sla.value)} ${unit}`,
      type: measure.type,
      dimension: sli,
      ...(tableName !== undefined ? { schema: tableName } : {}),
      property: column,
      severity: "error" as const,
    };
    if (tableName === undefined)
      b.push({
        ...common,
        kind: "invalid",
        reason: `element ${JSON.stringify(part)} names no schema object (use object.column)`,
      });
    else if (value === undefined || value < 0)
      b.push({
        ...common,
        kind: "invalid",
        reason: `${sli} value must be a non-negative number, got ${JSON.stringify(sla.value)}`,
      });
    else if (seconds === undefined)
      b.push({
        ...common,
        kind: "invalid",
        reason: `unknown unit ${JSON.stringify(sla.unit)} (use s, m, h, d, w, mo, y)`,
      });
    else
      b.push({
        ...common,
        kind: "metric",
        schema: tableName,
        metric: { kind: "ageSeconds", property: column, of: measure.of },
        threshold: { operator: "mustBeLessOrEqualTo", value: value * seconds },
        unit: "rows",
      });
  }
}
