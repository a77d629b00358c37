import type { Path } from "../../issues.js";
import { type ConvertContext, isObject, type JsonObject } from "../convert-context.js";
import {
  type DbtColumn,
  type DbtConstraint,
  type DbtRelation,
  type DbtTest,
  freshnessOf,
  splitTestName,
} from "./dbt-model.js";

/** The manifest versions Quanta reads (dbt 1.5 wrote v9 … dbt 1.8+ writes v12); earlier ones lack contracts. */
export const manifestVersions = [7, 8, 9, 10, 11, 12] as const;

const versionUrl = /^https:\/\/schemas\.getdbt\.com\/dbt\/manifest\/v(\d+)\.json$/;

export interface ManifestRead {
  relations: DbtRelation[];
  projectName: string | undefined;
  adapterType: string | undefined;
  dbtVersion: string | undefined;
}

/**
 * The models, source tables and their data tests of a dbt `manifest.json` (`dbt parse` / `dbt
 * compile` writes it to `target/`). A manifest of another version is refused, naming it.
 */
export function readManifest(ctx: ConvertContext, root: JsonObject): ManifestRead | undefined {
  const metadata = isObject(root.metadata) ? root.metadata : {};
  const url = metadata.dbt_schema_version;
  const version = typeof url === "string" ? versionUrl.exec(url)?.[1] : undefined;
  if (version === undefined || !(manifestVersions as readonly number[]).includes(Number(version))) {
    ctx.error(
      ["metadata", "dbt_schema_version"],
      "dbt-manifest-version",
      `manifest version ${JSON.stringify(url ?? null)} is not supported; Quanta reads ${manifestVersions.map((v) => `v${v}`).join(", ")} (https://schemas.getdbt.com/dbt/manifest/v12.json from dbt 1.8 on)`,
    );
    return undefined;
  }
  const relations = new Map<string, DbtRelation>();
  const nodes = ctx.object(root.nodes, ["nodes"], "nodes") ?? {};
  const tests: [string, JsonObject][] = [];
  for (const [id, raw] of Object.entries(nodes)) {
    if (!isObject(raw)) continue;
    const path = ["nodes", id];
    const config = isObject(raw.config) ? raw.config : {};
    if (config.enabled === false) continue;
    switch (raw.resource_type) {
      case "model":
        relations.set(id, modelOf(raw, path));
        break;
      case "test":
        tests.push([id, raw]);
        break;
      case "seed":
      case "snapshot":
        ctx.warn(
          path,
          "dbt-unmapped",
          `${raw.resource_type} ${String(raw.name)} is not read: only models and sources become schema objects`,
        );
        break;
      default:
        break;
    }
  }
  const sources = ctx.object(root.sources, ["sources"], "sources") ?? {};
  for (const [id, raw] of Object.entries(sources)) {
    if (!isObject(raw)) continue;
    const config = isObject(raw.config) ? raw.config : {};
    if (config.enabled === false) continue;
    relations.set(id, sourceOf(raw, ["sources", id]));
  }
  for (const [id, raw] of tests) attachTest(ctx, relations, id, raw);
  for (const key of ["unit_tests", "exposures", "metrics", "semantic_models", "saved_queries"]) {
    const value = root[key];
    if (isObject(value) && Object.keys(value).length > 0) {
      ctx.warn(
        [key],
        "dbt-unmapped",
        `${Object.keys(value).length} ${key.replaceAll("_", " ")} are not read into the contract`,
      );
    }
  }
  return {
    relations: [...relations.values()],
    projectName: typeof metadata.project_name === "string" ? metadata.project_name : undefined,
    adapterType: typeof metadata.adapter_type === "string" ? metadata.adapter_type : undefined,
    dbtVersion: typeof metadata.dbt_version === "string" ? metadata.dbt_version : undefined,
  };
}

function modelOf(raw: JsonObject, path: Path): DbtRelation {
  const config = isObject(raw.config) ? raw.config : {};
  const contract = isObject(config.contract) ? config.contract : isObject(raw.contract) ? raw.contract : {};
  const base = text(raw.name) ?? "";
  // Versioned models share a name; each version is its own relation.
  const name = raw.version === null || raw.version === undefined ? base : `${base}_v${String(raw.version)}`;
  const alias = text(raw.alias);
  return {
    kind: "model",
    name,
    path,
    description: nonEmpty(text(raw.description)),
    physicalName: alias !== undefined && alias !== name ? alias : undefined,
    materialized: text(config.materialized),
    contractEnforced: typeof contract.enforced === "boolean" ? contract.enforced : undefined,
    sourceName: undefined,
    database: text(raw.database),
    schema: text(raw.schema),
    columns: columnsOf(raw.columns, [...path, "columns"]),
    tests: [],
    constraints: constraintsOf(raw.constraints, [...path, "constraints"]),
    meta: { ...(isObject(raw.meta) ? raw.meta : {}), ...(isObject(config.meta) ? config.meta : {}) },
    tags: tagsOf(raw.tags, config.tags),
  };
}

function sourceOf(raw: JsonObject, path: Path): DbtRelation {
  const name = text(raw.name) ?? "";
  const identifier = text(raw.identifier);
  return {
    kind: "source",
    name,
    path,
    description: nonEmpty(text(raw.description)),
    physicalName: identifier !== undefined && identifier !== name ? identifier : undefined,
    materialized: undefined,
    contractEnforced: undefined,
    sourceName: text(raw.source_name),
    database: text(raw.database),
    schema: text(raw.schema),
    columns: columnsOf(raw.columns, [...path, "columns"]),
    tests: [],
    constraints: [],
    meta: {
      ...(isObject(raw.source_meta) ? raw.source_meta : {}),
      ...(isObject(raw.meta) ? raw.meta : {}),
    },
    tags: tagsOf(raw.tags),
    freshness: freshnessOf(raw, {}, path, path),
  };
}

function columnsOf(value: unknown, path: Path): DbtColumn[] {
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([key, raw]) => {
    if (!isObject(raw)) return [];
    const at = [...path, key];
    const config = isObject(raw.config) ? raw.config : {};
    return [
      {
        name: text(raw.name) ?? key,
        path: at,
        dataType: nonEmpty(text(raw.data_type)),
        description: nonEmpty(text(raw.description)),
        quote: typeof raw.quote === "boolean" ? raw.quote : undefined,
        constraints: constraintsOf(raw.constraints, [...at, "constraints"]),
        tests: [],
        meta: { ...(isObject(raw.meta) ? raw.meta : {}), ...(isObject(config.meta) ? config.meta : {}) },
        tags: tagsOf(raw.tags, config.tags),
      },
    ];
  });
}

function constraintsOf(value: unknown, path: Path): DbtConstraint[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((c, i) => (isObject(c) ? [{ value: c, path: [...path, i] }] : []));
}

/** A generic test node → its model's or column's tests; a singular test (plain SQL) is reported. */
function attachTest(ctx: ConvertContext, relations: Map<string, DbtRelation>, id: string, raw: JsonObject): void {
  const path = ["nodes", id];
  const meta = isObject(raw.test_metadata) ? raw.test_metadata : undefined;
  if (!meta || typeof meta.name !== "string") {
    ctx.warn(
      path,
      "dbt-test-unmapped",
      `singular test ${String(raw.name)} is SQL of its own (${String(raw.original_file_path ?? "tests/")}); not converted`,
    );
    return;
  }
  const dependsOn = isObject(raw.depends_on) && Array.isArray(raw.depends_on.nodes) ? raw.depends_on.nodes : [];
  const target =
    typeof raw.attached_node === "string" ? raw.attached_node : dependsOn.find((n) => relations.has(String(n)));
  const relation = typeof target === "string" ? relations.get(target) : undefined;
  if (!relation) {
    ctx.warn(path, "dbt-test-unmapped", `test ${String(raw.name)} tests nothing read into the contract; not converted`);
    return;
  }
  const kwargs = isObject(meta.kwargs) ? meta.kwargs : {};
  const args: JsonObject = {};
  for (const [k, v] of Object.entries(kwargs)) if (k !== "model" && k !== "column_name") args[k] = v;
  const config = isObject(raw.config) ? raw.config : {};
  const namespace = typeof meta.namespace === "string" ? meta.namespace : undefined;
  const test: DbtTest = {
    ...splitTestName(meta.name),
    ...(namespace !== undefined ? { namespace } : {}),
    args,
    config: manifestTestConfig(config),
    path,
    argsPath: [...path, "test_metadata", "kwargs"],
  };
  const columnName = typeof raw.column_name === "string" ? raw.column_name : undefined;
  const column = columnName === undefined ? undefined : findColumn(relation, columnName);
  if (columnName !== undefined && !column) {
    // A test on a column the manifest does not describe: the column is added, with no type.
    const added: DbtColumn = {
      name: columnName,
      path,
      dataType: undefined,
      description: undefined,
      quote: undefined,
      constraints: [],
      tests: [test],
      meta: {},
      tags: [],
    };
    relation.columns.push(added);
    return;
  }
  (column ?? relation).tests.push(test);
}

/** The config keys of a test node that differ from dbt's defaults (severity ERROR, `!= 0`). */
function manifestTestConfig(config: JsonObject): JsonObject {
  const out: JsonObject = {};
  if (typeof config.severity === "string" && config.severity.toLowerCase() !== "error") out.severity = config.severity;
  if (typeof config.where === "string") out.where = config.where;
  for (const key of ["warn_if", "error_if"]) {
    if (typeof config[key] === "string" && String(config[key]).replace(/\s+/g, "") !== "!=0") out[key] = config[key];
  }
  return out;
}

function findColumn(relation: DbtRelation, name: string): DbtColumn | undefined {
  return (
    relation.columns.find((c) => c.name === name) ??
    relation.columns.find((c) => c.name.toLowerCase() === name.toLowerCase())
  );
}

function text(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

function tagsOf(...lists: unknown[]): string[] {
  const out = new Set<string>();
  for (const list of lists) {
    if (typeof list === "string") out.add(list);
    else if (Array.isArray(list)) for (const t of list) if (typeof t === "string") out.add(t);
  }
  return [...out];
}
