import { parsePipeline, SourceDocument } from "@quanta/core";
import { columnLineage } from "@quanta/engine-duckdb";
import { describe, expect, it } from "vitest";
import { lineageEvent, lineageRunId } from "./openlineage.js";
import { lineageProblems as problems } from "./openlineage.test-helpers.js";
import { revenuePipeline } from "./pipeline-fixtures.js";
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

  it("write the column lineage of the revenue pipeline as a valid columnLineage facet", async () => {
    const declared = parsePipeline(SourceDocument.parse(revenuePipeline(), "pipeline.yaml")).pipeline;
    const steps = (declared?.outputs[0]?.steps ?? []).flatMap((s) => (s.kind === "sql" ? [s] : []));
    expect(steps.map((s) => s.name)).toEqual(["consented", "totals"]);
    const lineage = await columnLineage(steps, {
      tables: { orders: ["order_id", "amount", "customer_email", "analytical_consent"] },
      masked: { orders: output.inputs[0]?.masked ?? [] },
    });
    const event = lineageEvent({
      eventType: "COMPLETE",
      productId: "shop.revenue",
      runId: 7,
      at: new Date("2026-12-03T10:00:00Z"),
      sql: steps.map((s) => s.sql).join(";\n"),
      outputs: [output],
      columnLineage: { revenue: lineage },
    });
    expect(problems(event)).toEqual([]);
    const facet = (event.outputs as { facets: Record<string, unknown> }[])[0]?.facets.columnLineage;
    const from = (field: string, subtype: string, masking = false) => ({
      namespace: "quanta",
      name: "shop.orders.orders",
      field,
      transformations: [{ type: "DIRECT", subtype, masking }],
    });
    expect(facet).toEqual({
      _producer: "https://github.com/quanta-mesh/quanta",
      _schemaURL:
        "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet",
      fields: {
        orders: { inputFields: [] },
        revenue: { inputFields: [from("amount", "AGGREGATION")] },
        sample_email: { inputFields: [from("customer_email", "AGGREGATION", true)] },
      },
      dataset: [],
    });
  });

  it("name a port read as `port` and as `port.dataset` as one input dataset, INDIRECT ones under dataset", async () => {
    const lineage = await columnLineage(
      [
        {
          name: "big",
          sql: `SELECT o.order_id, p.amount FROM orders o JOIN orders.orders p USING (order_id)
                WHERE o.amount > 100 ORDER BY o.amount DESC`,
        },
      ],
      { tables: { orders: ["order_id", "amount"], "orders.orders": ["order_id", "amount"] } },
    );
    const event = lineageEvent({
      eventType: "COMPLETE",
      productId: "shop.revenue",
      runId: 8,
      at: new Date("2026-12-03T10:00:00Z"),
      sql: "",
      outputs: [output],
      columnLineage: { revenue: lineage },
    });
    expect(problems(event)).toEqual([]);
    const facet = (event.outputs as { facets: { columnLineage: Record<string, unknown> } }[])[0]?.facets.columnLineage;
    const field = (name: string, ...subtypes: string[]) => ({
      namespace: "quanta",
      name: "shop.orders.orders",
      field: name,
      transformations: subtypes.map((s) => ({
        type: ["IDENTITY", "TRANSFORMATION", "AGGREGATION"].includes(s) ? "DIRECT" : "INDIRECT",
        subtype: s,
        masking: false,
      })),
    });
    expect(facet?.fields).toEqual({
      order_id: { inputFields: [field("order_id", "IDENTITY")] },
      amount: { inputFields: [field("amount", "IDENTITY")] },
    });
    expect(facet?.dataset).toEqual([field("order_id", "JOIN"), field("amount", "FILTER", "SORT")]);
  });

  it("say the dataset of a field of a port of several datasets", async () => {
    const lineage = await columnLineage(
      [
        {
          name: "segments",
          sql: "SELECT o.order_id, c.segment FROM orders.orders o JOIN orders.customers c USING (customer_id)",
        },
      ],
      { tables: { "orders.orders": ["order_id", "customer_id"], "orders.customers": ["customer_id", "segment"] } },
    );
    const event = lineageEvent({
      eventType: "COMPLETE",
      productId: "shop.revenue",
      runId: 9,
      at: new Date("2026-12-03T10:00:00Z"),
      sql: "",
      outputs: [output],
      columnLineage: { revenue: lineage },
    });
    expect(problems(event)).toEqual([]);
    const facet = (event.outputs as { facets: { columnLineage: Record<string, unknown> } }[])[0]?.facets
      .columnLineage as { fields: Record<string, { inputFields: { field: string }[] }>; dataset: { field: string }[] };
    expect(Object.values(facet.fields).map((f) => f.inputFields.map((i) => i.field))).toEqual([
      ["orders.order_id"],
      ["customers.segment"],
    ]);
    expect(facet.dataset.map((i) => i.field)).toEqual(["orders.customer_id", "customers.customer_id"]);
  });

  it("refuse a columnLineage facet the schema refuses (an input field without its field)", () => {
    const event = lineageEvent({ eventType: "START", productId: "shop.revenue", runId: 7, at: new Date(), sql: "" });
    (event as { outputs: unknown[] }).outputs = [
      {
        namespace: "quanta",
        name: "shop.revenue.revenue",
        facets: {
          columnLineage: {
            _producer: "https://github.com/quanta-mesh/quanta",
            _schemaURL: "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json",
            fields: { revenue: { inputFields: [{ namespace: "quanta", name: "shop.orders.orders" }] } },
          },
        },
      },
    ];
    expect(problems(event)).not.toEqual([]);
  });
});
