import type { ProductFile } from "../registry/publish-folder.js";

/**
 * Tests only: `shop.revenue` of team "Revenue team", built by its pipeline from port `orders` of
 * `shop.orders` (access/access-fixtures.ts: masks customer_email, serves consented rows only).
 */
export const revenueOdps = (version = "1.0.0") => `apiVersion: v1.0.0
kind: DataProduct
id: shop.revenue
name: Shop revenue
version: ${version}
status: active
domain: shop
description:
  purpose: Revenue of the consented orders, computed by the product's pipeline.
inputPorts:
  - name: orders
    version: 1.0.0
    contractId: shop.orders.orders
outputPorts:
  - name: revenue
    type: tables
    version: 1.0.0
    contractId: shop.revenue.revenue
support:
  - channel: "#revenue"
    url: https://chat.example.com/revenue
    tool: slack
team:
  name: Revenue team
  members:
    - username: rita@revenue.example
      role: owner
      dateIn: "2024-01-01"
`;

export const revenueOdcs = `apiVersion: v3.1.0
kind: DataContract
id: shop.revenue.revenue
name: Revenue
version: 1.0.0
status: active
description:
  purpose: Revenue of consented orders, one row.
schema:
  - name: revenue
    physicalType: table
    quality:
      - metric: rowCount
        mustBeGreaterThan: 0
    properties:
      - name: orders
        logicalType: integer
        classification: internal
        required: true
      - name: revenue
        logicalType: number
        classification: internal
        required: true
        logicalTypeOptions:
          minimum: 0
      - name: sample_email
        logicalType: string
        classification: internal
`;

/** The pipeline: a first step over the input port, a second over the first. */
export const revenuePipeline = (sign = "") => `apiVersion: quanta/v1
kind: Pipeline
outputs:
  - port: revenue
    steps:
      - name: consented
        sql: SELECT order_id, amount, customer_email FROM orders
      - name: totals
        sql: |
          SELECT count(*)::BIGINT AS orders, ${sign}sum(amount) AS revenue, min(customer_email) AS sample_email
          FROM consented
`;

export const revenueFiles = (options: { version?: string; pipeline?: string } = {}): ProductFile[] => [
  { path: "revenue.odps.yaml", text: revenueOdps(options.version) },
  { path: "contracts/revenue.odcs.yaml", text: revenueOdcs },
  { path: "pipeline.yaml", text: options.pipeline ?? revenuePipeline() },
];
