import { readdirSync, readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

/**
 * OpenLineage events checked against the official schemas (vendored in `openlineage-schemas/`,
 * byte-identical to ../shared/standards/openlineage; a test keeps them so): the RunEvent of
 * OpenLineage.json, then each facet Quanta knows a schema for, by where it sits (run, job, dataset,
 * input or output facets). Custom facets pass on the core schema's `_producer`/`_schemaURL` alone.
 * Compiled once, on first use (~100 ms), so a server that never takes lineage in never pays it.
 */
// From src/lineage and from dist/lineage alike: the schemas stay in the package's source folder.
const schemasDir = new URL("../../src/lineage/openlineage-schemas/", import.meta.url);
const readSchema = (file: string) =>
  JSON.parse(readFileSync(new URL(file, schemasDir), "utf8")) as Record<string, unknown>;

/** One reason an event does not hold: the JSON pointer into the event, and the schema's words. */
export interface OpenLineageProblem {
  path: string;
  reason: string;
}

type Validate = ((data: unknown) => boolean) & {
  errors?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] | null;
};
type Place = "RunFacet" | "JobFacet" | "DatasetFacet" | "InputDatasetFacet" | "OutputDatasetFacet";

interface Compiled {
  runEvent: Validate;
  /** A facet's validator by where it sits and its key (`outputs[].facets.columnLineage`…). */
  facets: Map<string, Validate>;
}

let compiled: Compiled | undefined;

function compile(): Compiled {
  const ajv = new Ajv2020.default({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const openLineage = readSchema("OpenLineage.json") as { $id: string };
  ajv.addSchema(openLineage);
  const facets = new Map<string, Validate>();
  const files = readdirSync(new URL("facets/", schemasDir)).filter((f) => f.endsWith(".json"));
  for (const file of files) {
    const schema = readSchema(`facets/${file}`) as { $id: string; properties?: Record<string, unknown> };
    ajv.addSchema(schema);
    const place = (["InputDatasetFacet", "OutputDatasetFacet", "DatasetFacet", "RunFacet", "JobFacet"] as const).find(
      (p) => file.endsWith(`${p}.json`),
    );
    const validate = ajv.getSchema(schema.$id) as Validate | undefined;
    if (!place || !validate) continue;
    for (const key of Object.keys(schema.properties ?? {})) facets.set(`${place}:${key}`, validate);
  }
  const runEvent = ajv.compile({ $ref: `${openLineage.$id}#/$defs/RunEvent` }) as Validate;
  return { runEvent, facets };
}

const problemsOf = (validate: Validate, prefix: string): OpenLineageProblem[] =>
  (validate.errors ?? []).map((e) => ({
    path: `${prefix}${e.instancePath}` || "/",
    reason: `${e.message ?? "is invalid"}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`,
  }));

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every problem of one run event (empty: it holds). Never throws. */
export function openLineageProblems(event: unknown): OpenLineageProblem[] {
  compiled ??= compile();
  const { runEvent, facets } = compiled;
  if (!runEvent(event)) return problemsOf(runEvent, "");
  const problems: OpenLineageProblem[] = [];
  const check = (place: Place, group: unknown, at: string) => {
    if (!isObject(group)) return;
    for (const [key, value] of Object.entries(group)) {
      const validate = facets.get(`${place}:${key}`);
      // A facet key of the core schema sits one level down: `{ columnLineage: {...} }` is validated whole.
      if (validate && !validate({ [key]: value })) problems.push(...problemsOf(validate, at));
    }
  };
  const e = event as Record<string, Record<string, unknown>>;
  check("RunFacet", e.run?.facets, "/run/facets");
  check("JobFacet", e.job?.facets, "/job/facets");
  for (const side of ["inputs", "outputs"] as const) {
    const list = Array.isArray(e[side]) ? (e[side] as unknown[]) : [];
    list.forEach((d, i) => {
      if (!isObject(d)) return;
      check("DatasetFacet", d.facets, `/${side}/${i}/facets`);
      if (side === "inputs") check("InputDatasetFacet", d.inputFacets, `/${side}/${i}/inputFacets`);
      else check("OutputDatasetFacet", d.outputFacets, `/${side}/${i}/outputFacets`);
    });
  }
  return problems;
}
