import type { AggregateItem, Dialect } from "../dialect/dialect.js";
import type { AggregateMetric, Metric, MetricCheck } from "./check.js";
import type { ColumnInfo, ColumnStatistics } from "./connection.js";
import { type ProfilePlan, planProfile } from "./profile.js";
import { sampleMetric } from "./samples.js";

/** One dataset's single scan: every metric of its checks as one aggregate query. */
export interface DatasetPlan {
  schema: string;
  relation: string;
  /** Distinct metrics; `rowCount` always first (alias `m0`), for percentages. */
  items: AggregateItem[];
  /** Check key → alias of its metric. */
  aliasOf: Map<string, string>;
  /**
   * Check key → the metric sampling its offending values (see `sampleMetric`). Not in the scan:
   * it runs only after its check failed, so a passing run pays nothing for it.
   */
  sampleOf: Map<string, Metric>;
  /** The checks' aggregate query (what each check reports as its `sql`). */
  sql: string;
  /**
   * With a profile: the aggregates only the profile needs (aliases `p0`, `p1` …; those a check
   * already computes are shared, not repeated), how to read them, and the ONE query computing
   * checks and profile together, the statement that runs. Without it the checks run alone.
   */
  profile?: { items: AggregateItem[]; plan: ProfilePlan; sql: string };
}

export const rowCountAlias = "m0";

const metricKey = (m: AggregateMetric): string => JSON.stringify(m);

/** The columns of a dataset to profile in its scan (as introspection found them). */
export type ProfileColumns = ReadonlyMap<string, readonly ColumnInfo[]>;
/** Per dataset, per column: what the engine keeps without a scan (see `Connection.columnStatistics`). */
export type DatasetStatistics = ReadonlyMap<string, ReadonlyMap<string, ColumnStatistics>>;

/**
 * Groups metric checks by dataset and gives each dataset ONE aggregate query; checks sharing a
 * metric (required + nullValues on the same column) share its expression. With `profiles`, each
 * dataset named there also gets its profile's aggregates in that same query (a dataset with no
 * metric check gets a query of its own: its only scan). Figures `statistics` state exactly are
 * taken from there and left out of the query.
 */
export function planChecks(
  checks: readonly MetricCheck[],
  dialect: Dialect,
  relation: (schema: string) => string,
  profiles?: ProfileColumns,
  statistics?: DatasetStatistics,
): DatasetPlan[] {
  type Draft = DatasetPlan & { byMetric: Map<string, string> };
  const plans = new Map<string, Draft>();
  const planOf = (schema: string): Draft => {
    let plan = plans.get(schema);
    if (plan === undefined) {
      plan = {
        schema,
        relation: relation(schema),
        items: [{ alias: rowCountAlias, metric: { kind: "rowCount" } }],
        aliasOf: new Map(),
        sampleOf: new Map(),
        sql: "",
        byMetric: new Map([[metricKey({ kind: "rowCount" }), rowCountAlias]]),
      };
      plans.set(schema, plan);
    }
    return plan;
  };
  for (const check of checks) {
    const plan = planOf(check.schema);
    const k = metricKey(check.metric);
    let alias = plan.byMetric.get(k);
    if (alias === undefined) {
      alias = `m${plan.items.length}`;
      plan.items.push({ alias, metric: check.metric });
      plan.byMetric.set(k, alias);
    }
    plan.aliasOf.set(check.key, alias);
    const sample = sampleMetric(check);
    if (sample !== undefined) plan.sampleOf.set(check.key, sample);
  }
  for (const [schema, columns] of profiles ?? []) {
    const plan = planOf(schema);
    const items: AggregateItem[] = [];
    const item = (metric: AggregateMetric): string => {
      const k = metricKey(metric);
      let alias = plan.byMetric.get(k);
      if (alias === undefined) {
        alias = `p${items.length}`;
        items.push({ alias, metric });
        plan.byMetric.set(k, alias);
      }
      return alias;
    };
    const mine = checks.filter((c) => c.schema === schema);
    const profilePlan = planProfile(
      columns,
      mine,
      dialect,
      item,
      (metric) => plan.byMetric.get(metricKey(metric)),
      (c) => plan.aliasOf.get(c.key),
      statistics?.get(schema),
    );
    plan.profile = { items, plan: profilePlan, sql: "" };
  }
  return [...plans.values()].map(({ byMetric: _, ...plan }) => ({
    ...plan,
    sql: dialect.aggregateQuery(plan.relation, plan.items),
    ...(plan.profile
      ? {
          profile: {
            ...plan.profile,
            sql: dialect.aggregateQuery(plan.relation, [...plan.items, ...plan.profile.items]),
          },
        }
      : {}),
  }));
}
