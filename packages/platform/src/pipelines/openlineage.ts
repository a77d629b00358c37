import { createHash } from "node:crypto";
import type { PipelineOutputResult } from "./pipeline-run-schema.js";

/** OpenLineage 2-0-2 run events of pipeline runs (ADR 0029), stored in the event log. */
export const openLineageProducer = "https://github.com/quanta-mesh/quanta";
const schemaURL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
const facetURL = (file: string, name: string, version: string) =>
  `https://openlineage.io/spec/facets/${version}/${file}.json#/$defs/${name}`;
export const openLineageNamespace = "quanta";

export type LineageEventType = "START" | "COMPLETE" | "FAIL";

/** A run's OpenLineage runId: a UUID derived from the product and the run number, the same every time. */
export function lineageRunId(productId: string, runId: number): string {
  const h = createHash("sha256").update(`${productId}\n${runId}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((Number.parseInt(h.slice(16, 17), 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const facet = (file: string, name: string, version: string) => ({
  _producer: openLineageProducer,
  _schemaURL: facetURL(file, name, version),
});

/**
 * One run event: the job is the product's pipeline, inputs the upstream ports read (with the
 * basis of the read), outputs the ports written with their schema and the contract's tests as
 * data-quality assertions; a failed run carries its reason as an error message.
 */
export function lineageEvent(input: {
  eventType: LineageEventType;
  productId: string;
  runId: number;
  at: Date;
  sql: string;
  outputs?: readonly PipelineOutputResult[];
  columns?: Readonly<Record<string, readonly { name: string; type?: string | undefined }[]>>;
  reason?: string | null;
}): Record<string, unknown> {
  const outputs = input.outputs ?? [];
  const inputs = [
    ...new Map(outputs.flatMap((o) => o.inputs).map((i) => [`${i.product}.${i.upstreamPort}`, i])).values(),
  ];
  return {
    eventType: input.eventType,
    eventTime: input.at.toISOString(),
    producer: openLineageProducer,
    schemaURL,
    run: {
      runId: lineageRunId(input.productId, input.runId),
      facets:
        input.eventType === "FAIL" && input.reason
          ? {
              errorMessage: {
                ...facet("ErrorMessageRunFacet", "ErrorMessageRunFacet", "1-0-1"),
                message: input.reason,
                programmingLanguage: "SQL",
              },
            }
          : {},
    },
    job: {
      namespace: openLineageNamespace,
      name: `${input.productId}.pipeline`,
      facets: input.sql
        ? { sql: { ...facet("SQLJobFacet", "SQLJobFacet", "1-1-0"), query: input.sql, dialect: "duckdb" } }
        : {},
    },
    inputs: inputs.map((i) => ({ namespace: openLineageNamespace, name: `${i.product}.${i.upstreamPort}` })),
    outputs: outputs.map((o) => ({
      namespace: openLineageNamespace,
      name: `${input.productId}.${o.port}`,
      facets: {
        ...(input.columns?.[o.port]
          ? {
              schema: {
                ...facet("SchemaDatasetFacet", "SchemaDatasetFacet", "1-2-0"),
                fields: (input.columns[o.port] ?? []).map((c) => ({
                  name: c.name,
                  ...(c.type ? { type: c.type } : {}),
                })),
              },
            }
          : {}),
        ...(o.tests
          ? {
              dataQualityAssertions: {
                ...facet("DataQualityAssertionsDatasetFacet", "DataQualityAssertionsDatasetFacet", "1-1-0"),
                assertions: o.tests.checks.map((c) => ({
                  assertion: c.checkId,
                  success: c.status === "passed" || c.status === "warning",
                })),
              },
            }
          : {}),
      },
    })),
  };
}
