import type { Path } from "../../issues.js";
import { type ConvertContext, compact, isObject, type JsonObject } from "../convert-context.js";

/**
 * One check of a quality language (SodaCL, Great Expectations) converted to what ODCS can run,
 * before it is placed on a contract. `rule` is always present except for pure schema facts and is
 * in property-level form when `property` is set (library metrics without `{property}`); an importer
 * that owns the properties may prefer `constraint` (required, unique, logicalTypeOptions), which
 * says the same thing in the contract's own words.
 */
export interface QualityItem {
  /** Where the check was written, for issues. */
  readonly path: Path;
  /** The column the check is about. */
  readonly property?: string;
  readonly rule?: JsonObject;
  readonly constraint?: Constraint;
  /** A column the check requires (schema checks), with the type it must have. */
  readonly column?: { logicalType?: string; physicalType?: string };
  /** `table.column` the property's values must exist in. */
  readonly reference?: string;
  /** The check as it was written (kept as a `custom` rule where no executable form fits). */
  readonly source?: unknown;
  /** Columns of the object's primary key, in key order (the rule then checks their uniqueness). */
  readonly primaryKey?: readonly string[];
  /** Columns an object-level rule names (a multi-column uniqueness): the object must have them. */
  readonly columns?: readonly string[];
}

export interface Constraint {
  readonly required?: true;
  readonly unique?: true;
  /** logicalTypeOptions, valid only for properties of one of `types`. */
  readonly options?: JsonObject;
  readonly types?: readonly string[];
}

/** ODCS operator of a comparison symbol as quality languages write it. */
export const symbolOperators: Readonly<Record<string, string>> = {
  "=": "mustBe",
  "==": "mustBe",
  "!=": "mustNotBe",
  "<>": "mustNotBe",
  "<": "mustBeLessThan",
  "<=": "mustBeLessOrEqualTo",
  ">": "mustBeGreaterThan",
  ">=": "mustBeGreaterOrEqualTo",
};

export const operatorSymbols: Readonly<Record<string, string>> = {
  mustBe: "=",
  mustNotBe: "!=",
  mustBeLessThan: "<",
  mustBeLessOrEqualTo: "<=",
  mustBeGreaterThan: ">",
  mustBeGreaterOrEqualTo: ">=",
  // v3.0 spellings a normalized contract may still carry.
  mustBeLessThanOrEqualTo: "<=",
  mustBeGreaterThanOrEqualTo: ">=",
};

/** The one operator and value of an ODCS rule, if it has one. */
export function thresholdOfRule(rule: JsonObject): { operator: string; value: unknown } | undefined {
  for (const operator of [...Object.keys(operatorSymbols), "mustBeBetween", "mustNotBeBetween"]) {
    if (rule[operator] !== undefined) return { operator, value: rule[operator] };
  }
  return undefined;
}

/** A SQL identifier, double-quoted (portable to DuckDB and PostgreSQL), quotes doubled. */
export function sqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function sqlLiteral(value: unknown): string {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (value === null) return "NULL";
  return `'${String(value).replaceAll("'", "''")}'`;
}

/**
 * A sql rule counting the rows where `condition` holds, or their percentage of all rows (one scan,
 * 0 for an empty table).
 */
export function countRule(condition: string, threshold: JsonObject, percent: boolean): JsonObject {
  const query = percent
    ? `SELECT CASE WHEN COUNT(*) = 0 THEN 0 ELSE 100.0 * SUM(CASE WHEN ${condition} THEN 1 ELSE 0 END) / COUNT(*) END FROM {object}`
    : `SELECT COUNT(*) FROM {object} WHERE ${condition}`;
  return compact({ type: "sql", query, ...threshold, unit: percent ? "percent" : undefined });
}

/** The condition a library rule counts, for `column`, or undefined when SQL cannot say it portably. */
function libraryCondition(rule: JsonObject, column: string): string | undefined {
  const col = sqlIdentifier(column);
  const args = isObject(rule.arguments) ? rule.arguments : {};
  switch (rule.metric) {
    case "nullValues":
      return `${col} IS NULL`;
    case "missingValues": {
      const values = (Array.isArray(args.missingValues) ? args.missingValues : []).filter((v) => v !== null);
      return values.length === 0
        ? `${col} IS NULL`
        : `(${col} IS NULL OR ${col} IN (${values.map(sqlLiteral).join(", ")}))`;
    }
    case "invalidValues": {
      // A regular expression has no spelling both DuckDB and PostgreSQL read.
      if (args.pattern !== undefined || !Array.isArray(args.validValues)) return undefined;
      const values = args.validValues.filter((v) => v !== null);
      return values.length === 0 ? `${col} IS NOT NULL` : `${col} NOT IN (${values.map(sqlLiteral).join(", ")})`;
    }
    default:
      return undefined;
  }
}

/**
 * The rule of an item as it must be written on the schema object (not under its property): column
 * metrics become sql rules naming the column, duplicates name their properties. Undefined (with a
 * warning) when that cannot be said portably; the caller keeps the original then.
 */
export function objectLevelRule(ctx: ConvertContext, item: QualityItem): JsonObject | undefined {
  const rule = item.rule;
  if (!rule) return undefined;
  if (item.property === undefined) return rule;
  if (rule.type === "sql") {
    return { ...rule, query: String(rule.query).replaceAll("{property}", sqlIdentifier(item.property)) };
  }
  if (rule.type !== "library" || rule.metric === "rowCount") return rule;
  if (rule.metric === "duplicateValues") {
    return { ...rule, arguments: { properties: [item.property] } };
  }
  const condition = libraryCondition(rule, item.property);
  if (condition === undefined) {
    ctx.warn(
      item.path,
      "quality-not-portable",
      `this check on ${item.property} can only run under that property (a regular expression has no portable SQL); kept as a rule Quanta does not run`,
    );
    return undefined;
  }
  const t = thresholdOfRule(rule);
  const sql = countRule(condition, t ? { [t.operator]: t.value } : { mustBe: 0 }, rule.unit === "percent");
  return compact({
    type: "sql",
    name: rule.name,
    description: rule.description ?? describe(item.source),
    dimension: rule.dimension,
    severity: rule.severity,
    ...sql,
  });
}

/** The check as written, short: a SodaCL line, or an expectation's type. */
function describe(source: unknown): string | undefined {
  if (typeof source === "string") return source;
  if (!isObject(source)) return undefined;
  const type = source.expectation_type ?? source.type;
  if (typeof type === "string") return type;
  const keys = Object.keys(source);
  return keys.length === 1 ? keys[0] : undefined;
}

/** ODCS logical types a schema check's type name can stand for directly. */
const logicalNames = new Set([
  "string",
  "integer",
  "number",
  "boolean",
  "date",
  "timestamp",
  "time",
  "object",
  "array",
]);

/** Lower case only: `DATE` is an engine's type name, `date` the contract's logical type. */
export function isLogicalTypeName(type: string): boolean {
  return logicalNames.has(type);
}

/**
 * Places items on one schema object the way an importer that owns the properties does: a property
 * per named column (in first-mention order, after those already there), constraints where the
 * property's type allows them, every other rule under its property or on the object.
 */
export function placeItems(object: JsonObject, items: readonly QualityItem[]): void {
  const properties: JsonObject[] = Array.isArray(object.properties) ? (object.properties as JsonObject[]) : [];
  const byName = new Map(properties.map((p) => [String(p.name), p]));
  const propertyOf = (name: string): JsonObject => {
    let p = byName.get(name);
    if (!p) {
      p = { name };
      byName.set(name, p);
      properties.push(p);
    }
    return p;
  };
  for (const item of items) {
    for (const name of item.columns ?? []) propertyOf(name);
    if (item.property === undefined) continue;
    const p = propertyOf(item.property);
    if (item.column?.logicalType && p.logicalType === undefined) p.logicalType = item.column.logicalType;
    if (item.column?.physicalType && p.physicalType === undefined) p.physicalType = item.column.physicalType;
  }
  const objectRules: JsonObject[] = Array.isArray(object.quality) ? (object.quality as JsonObject[]) : [];
  const otherObjects: string[] = [];
  for (const item of items) {
    if (item.primaryKey) {
      item.primaryKey.forEach((name, i) => {
        const p = propertyOf(name);
        p.primaryKey = true;
        p.primaryKeyPosition = i + 1;
        if (item.primaryKey?.length === 1) p.unique = true;
      });
      continue;
    }
    if (item.property === undefined) {
      if (item.rule) objectRules.push(item.rule);
      continue;
    }
    const p = propertyOf(item.property);
    if (item.reference) {
      p.relationships = [...((p.relationships as JsonObject[]) ?? []), { type: "foreignKey", to: item.reference }];
      otherObjects.push(item.reference);
    }
    const c = item.constraint;
    const type = typeof p.logicalType === "string" ? p.logicalType : undefined;
    if (c && (!c.options || (type !== undefined && (c.types ?? []).includes(type)))) {
      if (c.required) p.required = true;
      if (c.unique) p.unique = true;
      if (c.options) p.logicalTypeOptions = { ...((p.logicalTypeOptions as JsonObject) ?? {}), ...c.options };
      continue;
    }
    if (item.rule) p.quality = [...((p.quality as JsonObject[]) ?? []), item.rule];
  }
  for (const p of properties) {
    const {
      name,
      logicalType,
      physicalType,
      logicalTypeOptions,
      required,
      unique,
      primaryKey,
      primaryKeyPosition,
      relationships,
      quality,
      ...rest
    } = p;
    for (const key of Object.keys(p)) delete p[key];
    Object.assign(
      p,
      compact({
        name,
        logicalType,
        physicalType,
        logicalTypeOptions,
        required,
        unique,
        primaryKey,
        primaryKeyPosition,
        ...rest,
        relationships,
        quality,
      }),
    );
  }
  object.properties = properties;
  if (objectRules.length > 0) object.quality = objectRules;
}

/** `table.column` → its parts (the last dot splits). */
export function splitReference(ref: string): { table: string; column: string } {
  const dot = ref.lastIndexOf(".");
  return { table: ref.slice(0, dot), column: ref.slice(dot + 1) };
}
