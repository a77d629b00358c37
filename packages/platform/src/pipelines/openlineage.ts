import { createHash } from "node:crypto";
import type { ColumnLineage, LineageTransformation } from "@quanta/engine-duckdb";
import type { PipelineOutputResult } from "./pipeline-run-schema.js";

/** OpenLineage 2-0-2 run events of pipeline runs (ADR 0029), stored in the event log. */
export const openLineageProducer = "https://github.com/quanta-mesh/quanta";
const schemaURL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
const facetURL = (file: string, name: string, version: string) =>
  `https://openlineage.io/spec/facets/${version}/${file}.json#/$defs/${name}`;
export const openLineageNamespace = "quanta";

/** A run's OpenLineage events: ABORT for a run cancelled by someone, FAIL for one that failed. */
export type LineageEventType = "START" | "COMPLETE" | "FAIL" | "ABORT";

/** A run's OpenLineage runId: a UUID derived from the product and the run number, the same every time. */
export function lineageRunId(productId: string, runId: number): string {
  const h = createHash("sha256").update(`${productId}\n${runId}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((Number.parseInt(h.slice(16, 17), 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const facet = (file: string, name: string, version: string) => ({
  _producer: openLineageProducer,
  _schemaURL: facetURL(file, name, version),
});

type InputField = {
  namespace: string;
  name: string;
  field: string;
  transformations: LineageTransformation[];
};

/**
 * The `columnLineage` facet of one output: each column's input fields, named as the event names
 * its inputs (the port, `<product>.<port>`: tables `port` and `port.dataset` both read it), and
 * the INDIRECT ones of the whole dataset under `dataset`. A field of a port of several datasets
 * says its dataset (`customers.customer_id`), as the port alone does not tell them apart. A source
 * the run did not read as an input port (an unknown table) has no dataset to name and is left out.
 */
function columnLineageFacet(lineage: ColumnLineage, output: PipelineOutputResult) {
  const split = (table: string) => {
    const dot = table.indexOf(".");
    return dot < 0 ? { port: table, dataset: undefined } : { port: table.slice(0, dot), dataset: table.slice(dot + 1) };
  };
  const datasets = new Map<string, Set<string>>();
  const tables = [
    ...Object.keys(output.rowsIn),
    ...[...lineage.columns.flatMap((c) => c.sources), ...lineage.dataset].map((s) => s.table),
  ];
  for (const t of tables) {
    const { port, dataset } = split(t.toLowerCase());
    if (dataset !== undefined) datasets.set(port, (datasets.get(port) ?? new Set()).add(dataset));
  }
  const fieldOf = (table: string, column: string) => {
    const { port, dataset } = split(table);
    const input = output.inputs.find((i) => i.port.toLowerCase() === port.toLowerCase());
    if (!input) return undefined;
    const several = (datasets.get(port.toLowerCase())?.size ?? 0) > 1;
    return {
      name: `${input.product}.${input.upstreamPort}`,
      field: several && dataset ? `${dataset}.${column}` : column,
    };
  };
  const fields = (sources: ColumnLineage["dataset"]): InputField[] => {
    const byField = new Map<string, InputField>();
    for (const s of sources) {
      const at = fieldOf(s.table, s.column);
      if (at === undefined) continue;
      const key = `${at.name}\u0000${at.field}`;
      const field = byField.get(key) ?? { namespace: openLineageNamespace, ...at, transformations: [] };
      for (const t of s.transformations) {
        const had = field.transformations.find((x) => x.type === t.type && x.subtype === t.subtype);
        if (had) had.masking ||= t.masking;
        else field.transformations.push({ ...t });
      }
      byField.set(key, field);
    }
    return [...byField.values()];
  };
  return {
    ...facet("ColumnLineageDatasetFacet", "ColumnLineageDatasetFacet", "1-2-0"),
    fields: Object.fromEntries(lineage.columns.map((c) => [c.name, { inputFields: fields(c.sources) }])),
    dataset: fields(lineage.dataset),
  };
}

/**
 * One run event: the job is the product's pipeline, inputs the upstream ports read (with the
 * basis of the read), outputs the ports written with their schema and the contract's tests as
 * data-quality assertions and, when given, their column lineage; a failed run carries its reason
 * as an error message.
 */
export function lineageEvent(input: {
  eventType: LineageEventType;
  productId: string;
  runId: number;
  at: Date;
  sql: string;
  outputs?: readonly PipelineOutputResult[];
  columns?: Readonly<Record<string, readonly { name: string; type?: string | undefined }[]>>;
  /** Column lineage of each output port's SQL (`columnLineage` of engine-duckdb), by port. */
  columnLineage?: Readonly<Record<string, ColumnLineage>>;
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
        (input.eventType === "FAIL" || input.eventType === "ABORT") && input.reason
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
        ...(input.columnLineage?.[o.port]
          ? { columnLineage: columnLineageFacet(input.columnLineage[o.port] as ColumnLineage, o) }
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
