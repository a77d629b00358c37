import type { Path } from "../../issues.js";
import type { JsonObject } from "../convert-context.js";

/**
 * What Quanta reads of a dbt project, whichever file it came from (`manifest.json` or a
 * `schema.yml`): each field keeps the path of the node it was read from, so that what does not map
 * is reported at its own line and column.
 */

/** A data test (`not_null`, `accepted_values`, `dbt_utils.unique_combination_of_columns` …). */
export interface DbtTest {
  /** Bare test name, without its package: `unique_combination_of_columns`. */
  name: string;
  /** The package that defines it (`dbt_utils`, `dbt_expectations`); undefined for dbt's own. */
  namespace: string | undefined;
  /** Test arguments (`values`, `to`, `field`, `min_value` …). */
  args: JsonObject;
  /** Test config (`severity`, `where`, …). */
  config: JsonObject;
  /** Where the test is written (its name). */
  path: Path;
  /** The mapping that holds its arguments, for positions of a single argument. */
  argsPath: Path;
}

/** A constraint of a dbt model contract (`type: not_null | unique | primary_key | foreign_key | check`). */
export interface DbtConstraint {
  value: JsonObject;
  path: Path;
}

export interface DbtColumn {
  name: string;
  path: Path;
  dataType: string | undefined;
  description: string | undefined;
  /** `quote: true`: the name is case-sensitive / not a plain identifier in the warehouse. */
  quote: boolean | undefined;
  constraints: DbtConstraint[];
  tests: DbtTest[];
  meta: JsonObject;
  tags: string[];
}

export interface DbtRelation {
  kind: "model" | "source";
  /** Model name, or source table name. */
  name: string;
  path: Path;
  description: string | undefined;
  /** The relation's name in the warehouse when it differs: a model's alias, a source table's identifier. */
  physicalName: string | undefined;
  /** `table`, `view`, `incremental`, `ephemeral` … (models); undefined for sources. */
  materialized: string | undefined;
  contractEnforced: boolean | undefined;
  /** The source a source table belongs to. */
  sourceName: string | undefined;
  database: string | undefined;
  schema: string | undefined;
  columns: DbtColumn[];
  /** Model-level tests (`dbt_utils.unique_combination_of_columns`, row counts …). */
  tests: DbtTest[];
  constraints: DbtConstraint[];
  meta: JsonObject;
  tags: string[];
  /** A source's `freshness` (`error_after`, else `warn_after`) on its `loaded_at_field`. */
  freshness?: DbtFreshness | undefined;
}

export interface DbtFreshness {
  field: string;
  count: number;
  period: string;
  path: Path;
}

/** `dbt_utils.accepted_range` → namespace and bare name. */
export function splitTestName(full: string): { name: string; namespace: string | undefined } {
  const dot = full.lastIndexOf(".");
  return dot > 0 ? { namespace: full.slice(0, dot), name: full.slice(dot + 1) } : { namespace: undefined, name: full };
}

/**
 * A source's freshness: `error_after` (else `warn_after`) of the table's or else the source's
 * `freshness`, on its `loaded_at_field`. Undefined when either is missing or set to null.
 */
export function freshnessOf(
  table: JsonObject,
  source: JsonObject,
  tablePath: Path,
  sourcePath: Path,
): DbtFreshness | undefined {
  const own = table.freshness !== undefined;
  const freshness = own ? table.freshness : source.freshness;
  const field = typeof table.loaded_at_field === "string" ? table.loaded_at_field : source.loaded_at_field;
  if (typeof freshness !== "object" || freshness === null || typeof field !== "string") return undefined;
  const f = freshness as JsonObject;
  for (const key of ["error_after", "warn_after"]) {
    const after = f[key] as JsonObject | undefined;
    if (after && typeof after.count === "number" && typeof after.period === "string") {
      return {
        field,
        count: after.count,
        period: after.period,
        path: [...(own ? tablePath : sourcePath), "freshness"],
      };
    }
  }
  return undefined;
}
