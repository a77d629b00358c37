import type { AggregateMetric, SqlValue } from "../checks/check.js";
import type { LogicalType } from "../spec/odcs/model.js";

/** ODCS logical types, the vocabulary `propertyType` checks compare engine types against. */
export type { LogicalType } from "../spec/odcs/model.js";

/** Optional SQL features; defaults live in `BaseDialect.capabilities`, a dialect overrides what differs. */
export interface DialectCapabilities {
  /** `count(*) FILTER (WHERE …)`; without it the base class emits `sum(CASE WHEN … THEN 1 ELSE 0 END)`. */
  filterClause: boolean;
  /** `count(DISTINCT (a, b))` over a row value; without it composite keys use a DISTINCT subquery. */
  countDistinctTuple: boolean;
  /** Regular-expression matching (pattern, format, invalidValues.pattern). */
  regex: boolean;
  /** Array-typed columns (minItems/maxItems). */
  arrays: boolean;
  /** Quoted identifiers match columns regardless of case (DuckDB); PostgreSQL is case-sensitive. */
  caseInsensitiveIdentifiers: boolean;
}

/** One aggregate output of a dataset's single scan. */
export interface AggregateItem {
  alias: string;
  metric: AggregateMetric;
}

/**
 * What a profile computes for a column of a given engine type: `numeric` nulls, min, max and
 * mean; `ordered` nulls, min and max; `boolean` nulls and true/false counts; `nullsOnly` what any
 * type allows (structs, lists, JSON, binary, and types the dialect does not know).
 */
export type ProfileShape = "numeric" | "ordered" | "boolean" | "nullsOnly";

/**
 * SQL generation for one engine: pure, no I/O. Most dialects extend `BaseDialect` (PostgreSQL
 * flavoured) and override a few small hooks; callers never branch on `name`.
 */
export interface Dialect {
  readonly name: string;
  readonly capabilities: DialectCapabilities;
  /** Quotes one identifier part; safe for any string (quotes, semicolons, newlines, unicode). */
  quoteIdentifier(name: string): string;
  /** A literal for a scalar; strings always escaped. */
  literal(value: SqlValue): string;
  /** The aggregate SQL expression computing `metric` over the rows of `relation`. */
  metric(metric: AggregateMetric, relation: string): string;
  /** ONE query computing every item over `relation`: the dataset is scanned once. */
  aggregateQuery(relation: string, items: readonly AggregateItem[]): string;
  /** The ODCS logical type an engine column type belongs to, or `undefined` when unknown. */
  logicalTypeOf(engineType: string): LogicalType | undefined;
  /** Whether a column of engine type `actual` satisfies a contract `logicalType`; `undefined` when unknown. */
  logicalTypeAccepts(logicalType: string, actual: string): boolean | undefined;
  /**
   * Whether a contract's `physicalType` names the engine's column type (aliases and case folded);
   * `undefined` when the dialect does not know the declared type and cannot judge.
   */
  physicalTypeMatches(declared: string, actual: string): boolean | undefined;
  /** Which profile aggregates a column of this engine type can take (min/max only where the engine orders it). */
  profileShape(engineType: string): ProfileShape;
}
