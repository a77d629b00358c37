import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

/** Tests only: OpenLineage events checked against the official schemas in ../shared/standards. */
const standards = join(import.meta.dirname, "../../../../../shared/standards/openlineage");
const read = (file: string) => JSON.parse(readFileSync(join(standards, file), "utf8")) as Record<string, unknown>;
const facets = [
  "SchemaDatasetFacet",
  "DataQualityAssertionsDatasetFacet",
  "ColumnLineageDatasetFacet",
  "SQLJobFacet",
  "ErrorMessageRunFacet",
];

const ajv = new Ajv2020.default({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(read("OpenLineage.json"));
for (const f of facets) ajv.addSchema(read(`facets/${f}.json`));
const runEvent = ajv.compile({ $ref: "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent" });
const facetSchema = (name: string) => ajv.getSchema((read(`facets/${name}.json`).$id as string) ?? "");

/** Validates the event and each facet against the official schemas; answers the errors. */
export function lineageProblems(event: Record<string, unknown>): unknown[] {
  const errors: unknown[] = [];
  if (!runEvent(event)) errors.push(...(runEvent.errors ?? []));
  const check = (name: string, value: unknown) => {
    const validate = facetSchema(name);
    if (!validate) errors.push({ name, errors: "no schema" });
    else if (!validate(value)) errors.push({ name, errors: validate.errors });
  };
  const e = event as {
    run: { facets: Record<string, unknown> };
    job: { facets: Record<string, unknown> };
    outputs: { facets: Record<string, unknown> }[];
  };
  if (e.run.facets.errorMessage) check("ErrorMessageRunFacet", { errorMessage: e.run.facets.errorMessage });
  if (e.job.facets.sql) check("SQLJobFacet", { sql: e.job.facets.sql });
  for (const o of e.outputs) {
    if (o.facets.schema) check("SchemaDatasetFacet", { schema: o.facets.schema });
    if (o.facets.dataQualityAssertions)
      check("DataQualityAssertionsDatasetFacet", { dataQualityAssertions: o.facets.dataQualityAssertions });
    if (o.facets.columnLineage) check("ColumnLineageDatasetFacet", { columnLineage: o.facets.columnLineage });
  }
  return errors;
}
