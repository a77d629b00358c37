import { formatPath, hasErrors, type Issue, type Path } from "../../issues.js";
import { SourceDocument } from "../../spec/source.js";
import { ConvertContext, type CustomProperty, compact, isObject, type JsonObject } from "../convert-context.js";
import { type FormatOptions, formatLimits, type ImportInput, type ImportResult } from "../format.js";
import { inputIssue, readDocument } from "../text-source.js";
import type { DbtRelation } from "./dbt-model.js";
import { readManifest } from "./read-manifest.js";
import { readSchemaYml } from "./read-schema-yml.js";
import { relationsToObjects } from "./to-odcs.js";

/**
 * Reads a dbt `manifest.json` or a `schema.yml` into an ODCS v3.1.0 contract: one schema object per
 * model and source table, their data tests and contract constraints as executable quality.
 */
export function importDbt(input: ImportInput, options: FormatOptions): ImportResult {
  const src = readDocument(input);
  if (!src.readable) return { value: {}, issues: src.issues };
  const ctx = new ConvertContext(src);
  ctx.issues.push(...src.issues);
  const root = ctx.object(src.value, [], "a dbt manifest or schema.yml");
  if (!root) return { value: {}, issues: ctx.issues };

  let relations: DbtRelation[];
  let project: string | undefined;
  const custom: CustomProperty[] = [];
  if (isObject(root.metadata) && "dbt_schema_version" in root.metadata) {
    const manifest = readManifest(ctx, root);
    if (!manifest) return { value: {}, issues: ctx.issues };
    relations = manifest.relations;
    project = manifest.projectName;
    if (manifest.adapterType) custom.push({ property: "dbtAdapter", value: manifest.adapterType });
    if (manifest.dbtVersion) custom.push({ property: "dbtVersion", value: manifest.dbtVersion });
  } else if ("version" in root && ("models" in root || "sources" in root)) {
    relations = readSchemaYml(ctx, root, []);
  } else {
    ctx.error(
      [],
      "dbt-not-dbt",
      "neither a dbt manifest.json (metadata.dbt_schema_version) nor a schema.yml (version: 2 with models or sources)",
    );
    return { value: {}, issues: ctx.issues };
  }

  if (hasErrors(ctx.issues)) return { value: {}, issues: ctx.issues };
  const picked = pickModels(input.file, relations, options.model);
  if ("issue" in picked) return { value: {}, issues: [...ctx.issues, picked.issue] };
  if (picked.relations.length === 0) {
    ctx.error([], "dbt-empty", "the file declares no model and no source table");
    return { value: {}, issues: ctx.issues };
  }
  const elements = picked.relations.reduce((n, r) => n + 1 + r.columns.length, 0);
  if (elements > formatLimits.maxElements) {
    ctx.error(
      [],
      "dbt-too-large",
      `${elements} models, sources and columns; a contract holds at most ${formatLimits.maxElements} (pick some with --option model=)`,
    );
    return { value: {}, issues: ctx.issues };
  }
  const sla: JsonObject[] = [];
  const schema = relationsToObjects(ctx, picked.relations, sla);
  const first = picked.relations[0];
  const id = options.id ?? project ?? (picked.relations.length === 1 && first ? first.name : baseName(input.file));
  const contract = compact({
    apiVersion: "v3.1.0",
    kind: "DataContract",
    id,
    name: project ?? (picked.relations.length === 1 ? first?.name : undefined),
    version: "1.0.0",
    status: "draft",
    schema,
    slaProperties: sla,
    customProperties: custom,
  });
  return { value: contract, issues: ctx.issues };
}

/** `--option model=orders,customers`: those models (and source tables) only, each of which must exist. */
function pickModels(
  file: string,
  relations: DbtRelation[],
  option: string | undefined,
): { relations: DbtRelation[] } | { issue: Issue } {
  if (option === undefined || option.trim() === "") return { relations };
  const wanted = option
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const missing = wanted.filter((w) => !relations.some((r) => r.name === w));
  if (missing.length > 0) {
    const known = relations.map((r) => r.name);
    return {
      issue: inputIssue(
        file,
        "dbt-model-unknown",
        `no model or source table named ${missing.join(", ")}; the file has ${known.length ? known.join(", ") : "none"}`,
      ),
    };
  }
  return { relations: relations.filter((r) => wanted.includes(r.name)) };
}

function baseName(file: string): string {
  const name = file.split(/[\\/]/).pop() ?? file;
  return name.replace(/\.(ya?ml|json)$/i, "") || "dbt";
}

/**
 * ODCS schema objects from the value of a dbt schema.yml found inside another document (a DCS 0.9
 * `schema: { type: dbt, specification }`): a mapping at `path` of `ctx`'s document, or YAML text.
 * Issues land at the enclosing document's positions; those inside YAML text are placed at the
 * text's node and name their line within it.
 */
export function dbtSchemaToOdcsObjects(ctx: ConvertContext, value: unknown, path: Path): JsonObject[] {
  const sla: JsonObject[] = [];
  if (value === undefined || value === null) {
    ctx.error(path, "dbt-required", "a dbt schema needs its schema.yml as specification");
    return [];
  }
  if (typeof value !== "string") {
    const objects = relationsToObjects(ctx, readSchemaYml(ctx, value, path), sla);
    if (sla.length > 0) ctx.warn(path, "dbt-unmapped", slaDropped(sla));
    return objects;
  }
  const inner = SourceDocument.parse(value, ctx.src.file);
  const innerCtx = new ConvertContext(inner);
  const objects = inner.readable ? relationsToObjects(innerCtx, readSchemaYml(innerCtx, inner.value, []), sla) : [];
  if (sla.length > 0) innerCtx.warn([], "dbt-unmapped", slaDropped(sla));
  const at = ctx.src.locate(path);
  const block = literalBlockStart(ctx.src.text, at.line);
  for (const issue of [...inner.issues, ...innerCtx.issues]) {
    const where =
      block && issue.line > 0
        ? { line: at.line + issue.line, column: block.indent + issue.column, message: issue.message }
        : {
            line: at.line,
            column: at.column,
            message: `${issue.message} (line ${issue.line}, column ${issue.column} of the dbt specification)`,
          };
    ctx.issues.push({
      ...issue,
      ...where,
      path: formatPath(path) + (issue.path === "" ? "" : `${issue.path.startsWith("[") ? "" : "."}${issue.path}`),
    });
  }
  return objects;
}

/**
 * When the text is a YAML literal block (`specification: |`), line n of the text is the block's
 * line + n, indented by the block's indentation: positions inside it can be exact.
 */
function literalBlockStart(text: string, line: number): { indent: number } | undefined {
  const lines = text.split("\n");
  const header = lines[line - 1];
  if (header === undefined || !/:\s*\|[-+]?\s*(#.*)?$/.test(header)) return undefined;
  const first = lines.slice(line).find((l) => l.trim() !== "");
  return first === undefined ? undefined : { indent: first.length - first.trimStart().length };
}

function slaDropped(sla: readonly JsonObject[]): string {
  return `freshness tests (dbt_utils.recency on ${sla.map((s) => String(s.element)).join(", ")}) are not kept: state them as servicelevels`;
}
