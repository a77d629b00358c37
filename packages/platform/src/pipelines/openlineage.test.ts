import { describe, expect, it } from "vitest";
import { lineageEvent, lineageRunId } from "./openlineage.js";
import { lineageProblems as problems } from "./openlineage.test-helpers.js";
import type { PipelineOutputResult } from "./pipeline-run-schema.js";

const output: PipelineOutputResult = {
  port: "revenue",
  dataset: "revenue",
  version: 2,
  published: false,
  previous: 1,
  rowsIn: { "orders.orders": 20 },
  rowsOut: 1,
  bytesOut: 600,
  tests: {
    status: "failed",
    checks: [
      {
        checkId: "revenue.revenue.minimum",
        dataset: "revenue",
        status: "failed",
        value: -3000,
        threshold: 0,
        reason: "below 0",
      },
      { checkId: "revenue.rowCount", dataset: "revenue", status: "passed", value: 1, threshold: 0, reason: null },
    ],
  },
  inputs: [
    {
      port: "orders",
      product: "shop.orders",
      upstreamPort: "orders",
      basis: "agreement",
      agreementId: "agr_1",
      contractVersion: "1.0.0",
      masked: ["customer_email"],
      rowFilters: ["analytical_consent = true"],
    },
  ],
};

describe("OpenLineage run events", () => {
  it("are valid RunEvents of the official 2-0-2 schema, facets included", () => {
    const at = new Date("2026-12-03T10:00:00Z");
    const start = lineageEvent({ eventType: "START", productId: "shop.revenue", runId: 7, at, sql: "" });
    const fail = lineageEvent({
      eventType: "FAIL",
      productId: "shop.revenue",
      runId: 7,
      at,
      sql: "SELECT sum(amount) AS revenue FROM orders",
      outputs: [output],
      columns: { revenue: [{ name: "revenue", type: "number" }] },
      reason: "version 2 of port revenue failed 1 of 2 check(s)",
    });
    expect(problems(start)).toEqual([]);
    expect(problems(fail)).toEqual([]);
    expect(fail).toMatchObject({
      eventType: "FAIL",
      job: { namespace: "quanta", name: "shop.revenue.pipeline" },
      inputs: [{ namespace: "quanta", name: "shop.orders.orders" }],
      outputs: [
        {
          name: "shop.revenue.revenue",
          facets: { dataQualityAssertions: { assertions: [{ success: false }, { success: true }] } },
        },
      ],
    });
    expect((start.run as { runId: string }).runId).toBe(lineageRunId("shop.revenue", 7));
    expect(lineageRunId("shop.revenue", 7)).not.toBe(lineageRunId("shop.revenue", 8));
  });

  it("catches an event the schema refuses (the validation is real)", () => {
    expect(
      problems({
        eventType: "START",
        producer: "not a uri",
        run: { runId: "x", facets: {} },
        job: { facets: {} },
        outputs: [],
      }).length,
    ).toBeGreaterThan(0);
  });
});
