import type { AggregateItem, Dialect } from "../dialect/dialect.js";
import type { Metric, MetricCheck } from "./check.js";
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
  sql: string;
}

export const rowCountAlias = "m0";

const metricKey = (m: Metric): string => JSON.stringify(m);

/**
 * Groups metric checks by dataset and gives each dataset ONE aggregate query; checks sharing a
 * metric (required + nullValues on the same column) share its expression.
 */
export function planChecks(
  checks: readonly MetricCheck[],
  dialect: Dialect,
  relation: (schema: string) => string,
): DatasetPlan[] {
  const plans = new Map<string, DatasetPlan & { byMetric: Map<string, string> }>();
  for (const check of checks) {
    let plan = plans.get(check.schema);
    if (plan === undefined) {
      plan = {
        schema: check.schema,
        relation: relation(check.schema),
        items: [{ alias: rowCountAlias, metric: { kind: "rowCount" } }],
        aliasOf: new Map(),
        sampleOf: new Map(),
        sql: "",
        byMetric: new Map([[metricKey({ kind: "rowCount" }), rowCountAlias]]),
      };
      plans.set(check.schema, plan);
    }
    const item = (metric: Metric): string => {
      const k = metricKey(metric);
      let alias = plan.byMetric.get(k);
      if (alias === undefined) {
        alias = `m${plan.items.length}`;
        plan.items.push({ alias, metric });
        plan.byMetric.set(k, alias);
      }
      return alias;
    };
    plan.aliasOf.set(check.key, item(check.metric));
    const sample = sampleMetric(check);
    if (sample !== undefined) plan.sampleOf.set(check.key, sample);
  }
  return [...plans.values()].map(({ byMetric: _, ...plan }) => ({
    ...plan,
    sql: dialect.aggregateQuery(plan.relation, plan.items),
  }));
}
