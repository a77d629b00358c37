// The two products both pipeline benchmarks publish: `bench.orders`, a source-aligned product of
// team "Orders team" whose port `orders` gets its data by upload (a port version in the storage
// Quanta owns), and `bench.customers` of team "Customers team", built by its pipeline from that
// port under an approved data usage agreement. Shared by pipeline-10m.bench.ts and
// trigger-latency.bench.ts.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** A built file of a workspace package (`npx tsc -b` first). */
export function dist(pkg: string, file = "index.js"): string {
  const path = join(root, "packages", pkg, "dist", file);
  if (!existsSync(path)) {
    console.error(`${path} is missing: build first (npx tsc -b)`);
    process.exit(2);
  }
  return path;
}

export const median = (xs: readonly number[]) => quantile(xs, 0.5);
/** The nearest-rank quantile (p95 of 30 samples is the 29th smallest). */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
}

const team = (name: string, owner: string) => `team:
  name: ${name}
  members:
    - username: ${owner}
      role: owner
      dateIn: "2024-01-01"
`;

export const ordersOwner = "owner@orders.example";
export const customersOwner = "owner@customers.example";

/** The source-aligned product: one port, its data uploaded (no server in the contract). */
export const ordersFiles = [
  {
    path: "orders.odps.yaml",
    text: `apiVersion: v1.0.0
kind: DataProduct
id: bench.orders
name: Bench orders
version: 1.0.0
status: active
domain: bench
description:
  purpose: Every order, published by upload, for the pipeline benchmarks.
support:
  - channel: "#orders"
    url: https://chat.example.com/orders
    tool: slack
outputPorts:
  - name: orders
    type: tables
    version: 1.0.0
    contractId: bench.orders.orders
${team("Orders team", ordersOwner)}`,
  },
  {
    path: "contracts/orders.odcs.yaml",
    text: `apiVersion: v3.1.0
kind: DataContract
id: bench.orders.orders
name: Orders
version: 1.0.0
status: active
description:
  purpose: One row per order, for the pipeline benchmarks.
schema:
  - name: orders
    physicalType: table
    quality:
      - metric: rowCount
        mustBeGreaterThan: 0
    properties:
      - name: order_id
        logicalType: integer
        classification: internal
        required: true
        unique: true
      - name: customer_id
        logicalType: integer
        classification: internal
      - name: ordered_at
        logicalType: timestamp
        classification: internal
        required: true
      - name: amount
        logicalType: number
        classification: internal
        logicalTypeOptions:
          minimum: 0
      - name: status
        logicalType: string
        classification: internal
`,
  },
];

export interface BenchPipeline {
  productId: string;
  port: string;
  steps: { name: string; sql: string }[];
  /** The contract's dataset: its properties and quality rules, as ODCS YAML under `schema:`. */
  dataset: string;
}

/**
 * The demo mesh's customer-cohorts pipeline (examples/webshop/customer-cohorts/pipeline.yaml) over
 * these orders: the kept orders (read by both later steps), each customer's cohort month, then per
 * cohort and month since its first order the active customers, orders, revenue and retention.
 * Its contract carries the demo contract's checks.
 */
const cohorts: BenchPipeline = {
  productId: "bench.cohorts",
  port: "cohorts",
  steps: [
    {
      name: "kept_orders",
      sql: `SELECT customer_id, CAST(ordered_at AS DATE) AS order_date, amount
FROM orders
WHERE status NOT IN ('cancelled', 'returned') AND customer_id IS NOT NULL`,
    },
    {
      name: "cohorts",
      sql: `SELECT customer_id, CAST(date_trunc('month', min(order_date)) AS DATE) AS cohort_month
FROM kept_orders
GROUP BY customer_id`,
    },
    {
      name: "monthly_cohorts",
      sql: `WITH sizes AS (
  SELECT cohort_month, count(*) AS cohort_size FROM cohorts GROUP BY cohort_month
),
activity AS (
  SELECT
    c.cohort_month,
    CAST(datediff('month', c.cohort_month, date_trunc('month', o.order_date)) AS INTEGER)
      AS months_since_first_order,
    count(DISTINCT o.customer_id) AS active_customers,
    count(*) AS order_count,
    sum(o.amount) AS revenue
  FROM kept_orders AS o
  JOIN cohorts AS c USING (customer_id)
  GROUP BY c.cohort_month, months_since_first_order
)
SELECT
  a.cohort_month,
  a.months_since_first_order,
  CAST(s.cohort_size AS INTEGER) AS cohort_size,
  CAST(a.active_customers AS INTEGER) AS active_customers,
  CAST(a.order_count AS INTEGER) AS order_count,
  CAST(a.revenue AS DECIMAL(14, 2)) AS revenue,
  round(a.active_customers / s.cohort_size, 4) AS retention_rate,
  CAST(round(a.revenue / a.order_count, 2) AS DECIMAL(12, 2)) AS avg_order_value,
  CAST(now() AT TIME ZONE 'UTC' AS DATE) AS computed_on
FROM activity AS a
JOIN sizes AS s USING (cohort_month)
WHERE s.cohort_size >= 10
ORDER BY a.cohort_month, a.months_since_first_order`,
    },
  ],
  dataset: `  - name: monthly_cohorts
    physicalType: table
    quality:
      - metric: rowCount
        mustBeGreaterThan: 0
      - metric: duplicateValues
        arguments:
          properties: [cohort_month, months_since_first_order]
        mustBe: 0
      - type: sql
        description: a cohort has no more active customers than members, all of them in its first month
        query: |-
          SELECT COUNT(*) FROM {object}
          WHERE active_customers > cohort_size
             OR (months_since_first_order = 0 AND active_customers <> cohort_size)
             OR order_count < active_customers
        mustBe: 0
      - type: sql
        description: cohorts below 10 customers are suppressed
        query: SELECT MIN(cohort_size) FROM {object}
        mustBeGreaterOrEqualTo: 10
    properties:
      - name: cohort_month
        logicalType: date
        classification: internal
        required: true
      - name: months_since_first_order
        logicalType: integer
        classification: internal
        required: true
        logicalTypeOptions:
          minimum: 0
          maximum: 120
      - name: cohort_size
        logicalType: integer
        classification: internal
        required: true
        logicalTypeOptions:
          minimum: 10
      - name: active_customers
        logicalType: integer
        classification: internal
        required: true
        logicalTypeOptions:
          minimum: 1
      - name: order_count
        logicalType: integer
        classification: internal
        required: true
        logicalTypeOptions:
          minimum: 1
      - name: revenue
        logicalType: number
        classification: internal
        required: true
        logicalTypeOptions:
          minimum: 0
      - name: retention_rate
        logicalType: number
        classification: internal
        required: true
        logicalTypeOptions:
          minimum: 0
          maximum: 1
        quality:
          - type: sql
            description: the retention rate matches the counts
            query: SELECT COUNT(*) FROM {object} WHERE ABS({property} - 1.0 * active_customers / cohort_size) > 0.0001
            mustBe: 0
      - name: avg_order_value
        logicalType: number
        classification: internal
        required: true
        logicalTypeOptions:
          minimum: 0
      - name: computed_on
        logicalType: date
        classification: internal
        required: true
`,
};

/**
 * A lighter pipeline, its output large: the valid orders (cancelled ones and those without a
 * customer dropped, the day derived), then one row per customer (250,000 rows).
 */
const customers: BenchPipeline = {
  productId: "bench.customers",
  port: "customers",
  steps: [
    {
      name: "valid",
      sql: `SELECT order_id, customer_id, ordered_at, CAST(ordered_at AS DATE) AS order_date, status, amount
FROM orders
WHERE status <> 'cancelled' AND customer_id IS NOT NULL`,
    },
    {
      name: "customers",
      sql: `SELECT customer_id, min(order_date) AS first_order_date, max(ordered_at) AS last_ordered_at,
  count(*) AS orders, sum(amount) AS revenue, count(*) FILTER (WHERE status = 'shipped') AS shipped
FROM valid
GROUP BY customer_id`,
    },
  ],
  dataset: `  - name: customers
    physicalType: table
    quality:
      - metric: rowCount
        mustBeGreaterThan: 0
      - type: sql
        description: a customer's shipped orders are among their orders
        query: SELECT count(*) FROM {object} WHERE shipped > orders
        mustBe: 0
    properties:
      - name: customer_id
        logicalType: integer
        classification: internal
        required: true
        unique: true
      - name: first_order_date
        logicalType: date
        classification: internal
        required: true
      - name: last_ordered_at
        logicalType: timestamp
        classification: internal
        required: true
      - name: orders
        logicalType: integer
        classification: internal
        required: true
        logicalTypeOptions:
          minimum: 1
      - name: revenue
        logicalType: number
        classification: internal
        logicalTypeOptions:
          minimum: 0
      - name: shipped
        logicalType: integer
        classification: internal
        logicalTypeOptions:
          minimum: 0
`,
};

export const benchPipelines: Record<string, BenchPipeline> = { cohorts, customers };

const indent = (text: string, by: string) =>
  text
    .split("\n")
    .map((l) => by + l)
    .join("\n");

/** The product built by its pipeline: an input port reading `bench.orders`, one output port. */
export const pipelineFiles = (p: BenchPipeline) => [
  {
    path: "product.odps.yaml",
    text: `apiVersion: v1.0.0
kind: DataProduct
id: ${p.productId}
name: Bench ${p.port}
version: 1.0.0
status: active
domain: bench
description:
  purpose: Built by the product's pipeline from the orders, for the pipeline benchmarks.
support:
  - channel: "#customers"
    url: https://chat.example.com/customers
    tool: slack
inputPorts:
  - name: orders
    version: 1.0.0
    contractId: bench.orders.orders
outputPorts:
  - name: ${p.port}
    type: tables
    version: 1.0.0
    contractId: ${p.productId}.${p.port}
${team("Customers team", customersOwner)}`,
  },
  {
    path: "contracts/output.odcs.yaml",
    text: `apiVersion: v3.1.0
kind: DataContract
id: ${p.productId}.${p.port}
name: Bench ${p.port}
version: 1.0.0
status: active
description:
  purpose: The output of a benchmark pipeline.
schema:
${p.dataset}`,
  },
  {
    path: "pipeline.yaml",
    text: `apiVersion: quanta/v1
kind: Pipeline
outputs:
  - port: ${p.port}
    steps:
${p.steps.map((s) => `      - name: ${s.name}\n        sql: |\n${indent(s.sql, "          ")}`).join("\n")}
`,
  },
];

/**
 * The same SQL by hand: the input port as a CTE over the file, each step a CTE, the last one
 * written by `COPY … TO` as Parquet.
 */
export const handWritten = (p: BenchPipeline, input: string, output: string) =>
  `COPY (
WITH orders AS (SELECT * FROM read_parquet('${input.replaceAll("'", "''")}')),
${p.steps.map((s) => `${s.name} AS (\n${s.sql}\n)`).join(",\n")}
SELECT * FROM ${p.steps[p.steps.length - 1]?.name}
) TO '${output.replaceAll("'", "''")}' (FORMAT parquet)`;
