import type { SqlValue } from "../../checks/check.js";
import type { Dialect } from "../../dialect/dialect.js";
import { DuckDbDialect } from "../../dialect/duckdb/duckdb-dialect.js";
import { PostgresDialect } from "../../dialect/postgres/postgres-dialect.js";
import type { Issue } from "../../issues.js";
import { guardSql } from "../../lint/sql-guard.js";
import { slugify } from "../../slug.js";
import type { LogicalType } from "../../spec/odcs/model.js";
import { compact, type JsonObject } from "../convert-context.js";
import type {
  DataInspectionRequest,
  ImportResult,
  InspectedColumn,
  InspectedData,
  InspectedDataset,
} from "../format.js";
import { snakeCase } from "../names.js";
import { inputIssue } from "../text-source.js";
import { defaultMaxValues } from "./limits.js";

/** The tag, custom property and severity that mark a rule as observed in the data, not declared. */
export const suggestedTag = "suggested";
export const suggestedProperty = { property: "suggested", value: true } as const;

export interface InferSettings {
  readonly request: DataInspectionRequest;
  /** The day the data was read, `YYYY-MM-DD`: the evidence suggestions cite. */
  readonly observedOn: string;
  /** The file (location) issues name. */
  readonly file: string;
  readonly maxValues?: number;
}

/** The engine's own type names are read by its dialect: the same table `quanta test` checks types with. */
const dialects: Record<DataInspectionRequest["source"], Dialect> = {
  parquet: new DuckDbDialect(),
  csv: new DuckDbDialect(),
  json: new DuckDbDialect(),
  duckdb: new DuckDbDialect(),
  postgres: new PostgresDialect(),
};

const titles: Record<DataInspectionRequest["source"], string> = {
  parquet: "Parquet files",
  csv: "CSV files",
  json: "JSON files",
  duckdb: "DuckDB database",
  postgres: "PostgreSQL",
};

const plainName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Contract names for engine names: a plain identifier stays, anything else (spaces, dots,
 * unicode) becomes snake_case, unique among its siblings, and the engine's name is kept as
 * `physicalName`, which Quanta's checks use. ODCS references (`to: object.property`) need the
 * plain form.
 */
function contractNames(names: readonly string[]): string[] {
  const taken = new Set(names.filter((n) => plainName.test(n)));
  return names.map((name) => {
    if (plainName.test(name)) return name;
    const base = snakeCase(name).replace(/^(?=\d)/, "_") || "column";
    let candidate = base;
    for (let i = 2; taken.has(candidate); i++) candidate = `${base}_${i}`;
    taken.add(candidate);
    return candidate;
  });
}

/** Logical types whose observed smallest and largest value make a range worth suggesting. */
const ranged = new Set<LogicalType>(["integer", "number", "date", "timestamp"]);
/** Logical types whose few observed values make a value set worth suggesting. */
const enumerable = new Set<LogicalType>(["string", "integer"]);

const count = (n: number) => n.toLocaleString("en-US");
const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

/** A literal both DuckDB and PostgreSQL read: numbers bare, anything else a quoted string. */
function literal(value: SqlValue): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  return `'${String(value).replaceAll("'", "''")}'`;
}

const isNumber = (v: SqlValue | undefined): v is number => typeof v === "number" && Number.isFinite(v);
/** A value a range rule can hold: a finite number, or text without NUL (dates, timestamps). */
const isBound = (v: SqlValue | undefined): v is number | string =>
  isNumber(v) || (typeof v === "string" && v !== "" && !v.includes("\0"));

interface Evidence {
  rows: number;
  on: string;
}

/** One quality rule marked as a suggestion: tagged, flagged, a warning until someone adopts it. */
function suggestion(rule: JsonObject, why: string, evidence: Evidence): JsonObject {
  return {
    ...rule,
    description: `Suggested: ${why}, observed in ${plural(evidence.rows, "row")} on ${evidence.on}.`,
    severity: "warning",
    tags: [suggestedTag],
    customProperties: [{ ...suggestedProperty }],
  };
}

/** The suggested quality rules of one column, from what the scan saw. */
function suggestedRules(
  column: InspectedColumn,
  logical: LogicalType | undefined,
  declaredRequired: boolean,
  observedKey: boolean,
  evidence: Evidence,
  maxValues: number,
): JsonObject[] {
  const rules: JsonObject[] = [];
  const present = evidence.rows - column.nulls;
  if (evidence.rows === 0) return rules;
  if (!declaredRequired && column.nulls === 0)
    rules.push(
      suggestion(
        { name: "observedNoNulls", metric: "nullValues", mustBe: 0, dimension: "completeness" },
        "never null",
        evidence,
      ),
    );
  if (observedKey)
    rules.push(
      suggestion(
        { name: "observedKey", metric: "duplicateValues", mustBe: 0, dimension: "uniqueness" },
        "unique and never null, a candidate key",
        evidence,
      ),
    );
  if (logical !== undefined && ranged.has(logical) && isBound(column.min) && isBound(column.max)) {
    const lo = literal(column.min);
    const hi = literal(column.max);
    rules.push(
      suggestion(
        {
          name: "observedRange",
          type: "sql",
          query: `SELECT count(*) FROM {object} WHERE {property} < ${lo} OR {property} > ${hi}`,
          mustBe: 0,
          dimension: "accuracy",
        },
        `between ${column.min} and ${column.max}`,
        evidence,
      ),
    );
  }
  if (logical === "string" && isNumber(column.minLength) && isNumber(column.maxLength) && present > 0) {
    rules.push(
      suggestion(
        {
          name: "observedLength",
          type: "sql",
          query: `SELECT count(*) FROM {object} WHERE length({property}) < ${column.minLength} OR length({property}) > ${column.maxLength}`,
          mustBe: 0,
          dimension: "conformity",
        },
        column.minLength === column.maxLength
          ? `always ${plural(column.minLength, "character")} long`
          : `${column.minLength} to ${plural(column.maxLength, "character")} long`,
        evidence,
      ),
    );
  }
  const values = column.values?.filter((v) => v !== null);
  // A value set is worth suggesting when values repeat: a column of unique values is no category.
  if (
    logical !== undefined &&
    enumerable.has(logical) &&
    values !== undefined &&
    values.length > 0 &&
    values.length <= maxValues &&
    values.length < present
  ) {
    rules.push(
      suggestion(
        {
          name: "observedValues",
          metric: "invalidValues",
          arguments: { validValues: [...values] },
          mustBe: 0,
          dimension: "conformity",
        },
        `only ${plural(values.length, "distinct value")}`,
        evidence,
      ),
    );
  }
  return rules;
}

/**
 * Turns what an engine saw in real data into an ODCS contract. Declared facts (PostgreSQL's NOT
 * NULL, primary, unique and foreign keys, CHECK constraints, comments) become the contract's
 * promises; facts only observed in the rows (no nulls, unique values, ranges, lengths, a few
 * values) become quality rules marked as suggestions: `tags: [suggested]`, custom property
 * `suggested: true`, `severity: warning` and a description citing the rows and the day.
 */
export function inferContract(data: InspectedData, settings: InferSettings): ImportResult {
  const { request, observedOn, file } = settings;
  const maxValues = settings.maxValues ?? defaultMaxValues;
  const dialect = dialects[request.source];
  const issues: Issue[] = [];
  const datasets = data.datasets;
  if (datasets.length === 0) {
    return {
      value: {},
      issues: [inputIssue(file, "data-no-datasets", `no table or file to read at ${file}`)],
    };
  }
  // A file's dataset is a view Quanta names after the object itself, so its name stays as it is.
  const objectNames =
    request.source === "postgres" ? contractNames(datasets.map((d) => d.name)) : datasets.map((d) => d.name);
  const objectOf = new Map(datasets.map((d, i) => [d.name, objectNames[i] as string]));
  const propertyNames = new Map(
    datasets.map((d) => {
      const named = contractNames(d.columns.map((c) => c.name));
      return [d.name, new Map(d.columns.map((c, i) => [c.name, named[i] as string]))];
    }),
  );
  const propertyOf = (table: string, column: string) => propertyNames.get(table)?.get(column) ?? column;
  const schema = datasets.map((dataset, at) => {
    const objectName = objectNames[at] as string;
    const evidence: Evidence = { rows: dataset.rowCount, on: observedOn };
    const declaredKey = dataset.keysObserved ? [] : [...(dataset.primaryKey ?? [])];
    const observedKey = dataset.keysObserved && dataset.primaryKey?.length === 1 ? dataset.primaryKey[0] : undefined;
    const singleUnique = new Set((dataset.uniqueKeys ?? []).filter((k) => k.length === 1).map((k) => k[0] as string));
    const relationships: JsonObject[] = [];
    const outside: JsonObject[] = [];
    for (const fk of dataset.foreignKeys ?? []) {
      const target = objectOf.get(fk.table);
      if (target === undefined) {
        issues.push(
          inputIssue(
            file,
            "data-foreign-key-outside",
            `${dataset.name} (${fk.columns.join(", ")}) references ${fk.table}, which this import does not read; the key is kept in customProperties foreignKeys`,
            "warning",
          ),
        );
        outside.push({ columns: [...fk.columns], table: fk.table, references: [...fk.references] });
        continue;
      }
      const from = fk.columns.map((c) => `${objectName}.${propertyOf(dataset.name, c)}`);
      const to = fk.references.map((c) => `${target}.${propertyOf(fk.table, c)}`);
      relationships.push(
        fk.columns.length === 1 ? { type: "foreignKey", from: from[0], to: to[0] } : { type: "foreignKey", from, to },
      );
    }
    const properties = dataset.columns.map((column) => {
      const enumValues = column.enumValues;
      const logical = enumValues !== undefined ? "string" : dialect.logicalTypeOf(column.type);
      if (logical === undefined)
        issues.push(
          inputIssue(
            file,
            "data-type-unknown",
            `${dataset.name}.${column.name} has type ${column.type}, which has no ODCS logical type; only its physicalType is kept`,
            "warning",
          ),
        );
      const position = declaredKey.indexOf(column.name);
      const required = column.nullable === false || position >= 0;
      const quality = suggestedRules(column, logical, required, observedKey === column.name, evidence, maxValues);
      // An enum type's labels are declared: the value set is a promise, not a suggestion.
      if (enumValues !== undefined)
        quality.unshift({
          name: "declaredValues",
          description: `The labels of enum type ${column.type}, declared in ${titles[request.source]}.`,
          metric: "invalidValues",
          arguments: { validValues: [...enumValues] },
          mustBe: 0,
          dimension: "conformity",
        });
      const name = propertyOf(dataset.name, column.name);
      return compact({
        name,
        physicalName: request.source === "postgres" || name !== column.name ? column.name : undefined,
        description: column.description,
        logicalType: logical,
        physicalType: column.type,
        items: logical === "array" ? itemsOf(dialect, column.type) : undefined,
        required: required ? true : undefined,
        unique: singleUnique.has(column.name) && position < 0 ? true : undefined,
        primaryKey: position >= 0 ? true : undefined,
        primaryKeyPosition: position >= 0 && declaredKey.length > 1 ? position + 1 : undefined,
        quality,
      } as JsonObject);
    });
    const checks: JsonObject[] = [];
    const unchecked: JsonObject[] = [];
    for (const c of dataset.checks ?? []) {
      const query = `SELECT count(*) FROM {object} WHERE NOT (${portableCheck(c.expression)})`;
      const problem = guardSql(query)[0];
      if (problem !== undefined) {
        issues.push(
          inputIssue(
            file,
            "data-check-kept",
            `${dataset.name}: CHECK constraint ${c.name} (${c.expression}) is not SQL Quanta's linter reads (${problem.message}); it is kept in customProperties checkConstraints`,
            "warning",
          ),
        );
        unchecked.push({ name: c.name, expression: c.expression });
        continue;
      }
      checks.push({
        name: c.name,
        description: `CHECK constraint ${c.name} declared in ${titles[request.source]}: ${c.expression}`,
        type: "sql",
        query,
        mustBe: 0,
      });
    }
    const composite = (dataset.uniqueKeys ?? []).filter((k) => k.length > 1);
    const custom: JsonObject[] = [];
    if (composite.length > 0) custom.push({ property: "uniqueKeys", value: composite.map((k) => [...k]) });
    if (outside.length > 0) custom.push({ property: "foreignKeys", value: outside });
    if (unchecked.length > 0) custom.push({ property: "checkConstraints", value: unchecked });
    return compact({
      name: objectName,
      physicalName: dataset.physicalName ?? (objectName !== dataset.name ? dataset.name : undefined),
      physicalType: dataset.physicalType,
      description: dataset.description,
      properties,
      relationships,
      quality: checks,
      customProperties: custom,
    } as JsonObject);
  });
  const first = datasets[0] as InspectedDataset;
  const server = data.server;
  const idBase =
    request.source === "postgres"
      ? [server.database, server.schema].filter((p) => typeof p === "string").join(".")
      : first.name;
  const id = slugify(String(idBase)) || "inferred";
  const value: JsonObject = {
    apiVersion: "v3.1.0",
    kind: "DataContract",
    id,
    name: datasets.length === 1 ? first.name : String(idBase),
    version: "0.1.0",
    status: "draft",
    description: {
      purpose: `Inferred from ${titles[request.source]} at ${describeLocation(request)} on ${observedOn}: ${plural(datasets.length, "dataset")}. Rules tagged "${suggestedTag}" were only observed in the data; review them before relying on them.`,
    },
    servers: [server],
    schema,
  };
  return { value, issues };
}

/**
 * PostgreSQL prints `x IN ('a', 'b')` back as `x = ANY (ARRAY['a'::bpchar, 'b'::bpchar])`; the
 * IN form without the casts is the same condition, and one every SQL reader (Quanta's linter
 * too) understands.
 */
export function portableCheck(expression: string): string {
  return (
    expression
      .replace(/ = ANY \(ARRAY\[([^[\]]*)\]\)/g, " IN ($1)")
      // A text literal's cast to a text type changes nothing a comparison sees (`bpchar` is no SQL standard name).
      .replace(/('(?:[^']|'')*')::(?:bpchar|text|character varying|varchar)\b/g, "$1")
  );
}

/** The element of an array type (`BIGINT[]`, `integer[]`) as ODCS `items`. */
function itemsOf(dialect: Dialect, type: string): JsonObject {
  const element = type.trim().replace(/\[\d*\]$/, "");
  return compact({ logicalType: dialect.logicalTypeOf(element), physicalType: element } as JsonObject);
}

/** The location as a message may show it: a URL's password masked. */
export function describeLocation(request: Pick<DataInspectionRequest, "location">): string {
  return redactUrl(request.location);
}

/** `postgresql://u:secret@h/db` → `postgresql://u:***@h/db`; anything else unchanged. */
export function redactUrl(text: string): string {
  // Greedy to the last `@`: a password may hold `/` or `@` and still be hidden.
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):\S*@/gi, "$1:***@");
}
