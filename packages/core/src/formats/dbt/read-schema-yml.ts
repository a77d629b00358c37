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

/** Keys of a test's body that configure it rather than being its arguments (dbt moves them to `config`). */
export const testConfigKeys = new Set([
  "config",
  "severity",
  "where",
  "limit",
  "warn_if",
  "error_if",
  "fail_calc",
  "store_failures",
  "store_failures_as",
  "enabled",
  "tags",
  "meta",
  "alias",
  "schema",
  "database",
]);

/** Keys read from a model (or source table) of a schema.yml; any other is reported. */
const relationKeys = new Set([
  "name",
  "description",
  "columns",
  "config",
  "constraints",
  "tests",
  "data_tests",
  "meta",
  "tags",
  "identifier",
  "docs",
  "freshness",
  "loaded_at_field",
]);
const columnKeys = new Set([
  "name",
  "description",
  "data_type",
  "quote",
  "constraints",
  "tests",
  "data_tests",
  "meta",
  "tags",
  "config",
  "docs",
]);
/** Keys that say nothing about the data: read and dropped without a warning. */
const ignoredKeys = new Set(["docs"]);

/**
 * The models and source tables of a dbt properties file (`schema.yml`, `version: 2`), read from
 * its parsed value at `path` of the context's document.
 */
export function readSchemaYml(ctx: ConvertContext, value: unknown, path: Path): DbtRelation[] {
  const root = ctx.object(value, path, "a dbt schema.yml");
  if (!root) return [];
  if (root.version !== 2) {
    ctx.error(
      [...path, "version"],
      "dbt-version",
      `a dbt schema.yml has version: 2; found ${root.version === undefined ? "no version" : JSON.stringify(root.version)}`,
    );
    return [];
  }
  const out: DbtRelation[] = [];
  const models = ctx.list(root.models, [...path, "models"], "models") ?? [];
  models.forEach((raw, i) => {
    const at = [...path, "models", i];
    const model = ctx.object(raw, at, "a model");
    if (model) out.push(readRelation(ctx, model, at, "model", {}));
  });
  const sources = ctx.list(root.sources, [...path, "sources"], "sources") ?? [];
  sources.forEach((raw, i) => {
    const at = [...path, "sources", i];
    const source = ctx.object(raw, at, "a source");
    if (!source) return;
    const sourceName = text(source.name);
    if (sourceName === undefined) ctx.error(at, "dbt-required", "a source needs a name");
    const tables = ctx.list(source.tables, [...at, "tables"], "tables") ?? [];
    tables.forEach((rawTable, t) => {
      const tableAt = [...at, "tables", t];
      const table = ctx.object(rawTable, tableAt, "a source table");
      if (table)
        out.push({
          ...readRelation(ctx, table, tableAt, "source", source),
          freshness: freshnessOf(table, source, tableAt, at),
        });
    });
    for (const key of Object.keys(source)) {
      const read = [
        "name",
        "tables",
        "description",
        "database",
        "schema",
        "meta",
        "tags",
        "config",
        "freshness",
        "loaded_at_field",
      ];
      if (!read.includes(key)) {
        ctx.warn([...at, key], "dbt-unmapped", `source ${key} has no place in a data contract; it was dropped`);
      }
    }
  });
  for (const key of Object.keys(root)) {
    if (["version", "models", "sources"].includes(key)) continue;
    ctx.warn([...path, key], "dbt-unmapped", `${key} is not read: only models and sources become schema objects`);
  }
  return out;
}

function readRelation(
  ctx: ConvertContext,
  raw: JsonObject,
  path: Path,
  kind: DbtRelation["kind"],
  source: JsonObject,
): DbtRelation {
  const name = text(raw.name) ?? "";
  if (name === "") ctx.error(path, "dbt-required", `a ${kind === "model" ? "model" : "source table"} needs a name`);
  const config = isObject(raw.config) ? raw.config : {};
  for (const key of Object.keys(raw)) {
    if (relationKeys.has(key)) continue;
    ctx.warn([...path, key], "dbt-unmapped", `${key} has no place in a data contract; it was dropped`);
  }
  const contract = isObject(config.contract) ? config.contract : {};
  const seen = new Set<string>();
  const columns = (ctx.list(raw.columns, [...path, "columns"], "columns") ?? []).flatMap((c, i) => {
    const at = [...path, "columns", i];
    const column = ctx.object(c, at, "a column");
    if (!column) return [];
    const read = readColumn(ctx, column, at);
    // dbt merges a column listed twice; a contract names each property once: the first is kept.
    if (seen.has(read.name)) {
      ctx.warn([...at, "name"], "dbt-column-twice", `column ${read.name} is listed again; this entry was dropped`);
      return [];
    }
    seen.add(read.name);
    return [read];
  });
  return {
    kind,
    name,
    path,
    description: text(raw.description),
    physicalName: kind === "model" ? text(config.alias) : text(raw.identifier),
    materialized: text(config.materialized),
    contractEnforced: typeof contract.enforced === "boolean" ? contract.enforced : undefined,
    sourceName: kind === "source" ? text(source.name) : undefined,
    database: text(config.database) ?? text(source.database),
    schema: text(config.schema) ?? text(source.schema),
    columns,
    tests: readTests(ctx, raw, path),
    constraints: readConstraints(ctx, raw.constraints, [...path, "constraints"]),
    meta: { ...(isObject(raw.meta) ? raw.meta : {}), ...(isObject(config.meta) ? config.meta : {}) },
    tags: [...new Set([...tagList(source.tags), ...tagList(raw.tags), ...tagList(config.tags)])],
  };
}

function readColumn(ctx: ConvertContext, raw: JsonObject, path: Path): DbtColumn {
  const name = text(raw.name) ?? "";
  if (name === "") ctx.error(path, "dbt-required", "a column needs a name");
  for (const key of Object.keys(raw)) {
    if (columnKeys.has(key) || ignoredKeys.has(key)) continue;
    ctx.warn([...path, key], "dbt-unmapped", `column ${key} has no place in a data contract; it was dropped`);
  }
  const config = isObject(raw.config) ? raw.config : {};
  return {
    name,
    path,
    dataType: text(raw.data_type),
    description: text(raw.description),
    quote: typeof raw.quote === "boolean" ? raw.quote : undefined,
    constraints: readConstraints(ctx, raw.constraints, [...path, "constraints"]),
    tests: readTests(ctx, raw, path),
    meta: { ...(isObject(raw.meta) ? raw.meta : {}), ...(isObject(config.meta) ? config.meta : {}) },
    tags: [...new Set([...tagList(raw.tags), ...tagList(config.tags)])],
  };
}

function readConstraints(ctx: ConvertContext, value: unknown, path: Path): DbtConstraint[] {
  return (ctx.list(value, path, "constraints") ?? []).flatMap((c, i) => {
    const constraint = ctx.object(c, [...path, i], "a constraint");
    return constraint ? [{ value: constraint, path: [...path, i] }] : [];
  });
}

/** `tests:` and `data_tests:` (dbt 1.8+) of a model or column, in every spelling dbt accepts. */
function readTests(ctx: ConvertContext, owner: JsonObject, ownerPath: Path): DbtTest[] {
  const out: DbtTest[] = [];
  for (const key of ["data_tests", "tests"]) {
    const list = ctx.list(owner[key], [...ownerPath, key], key) ?? [];
    list.forEach((entry, i) => {
      const path = [...ownerPath, key, i];
      const test = readTest(ctx, entry, path);
      if (test) out.push(test);
    });
  }
  return out;
}

function readTest(ctx: ConvertContext, entry: unknown, path: Path): DbtTest | undefined {
  if (typeof entry === "string") return { ...splitTestName(entry), args: {}, config: {}, path, argsPath: path };
  if (!isObject(entry)) {
    ctx.warn(path, "dbt-test-unreadable", "a data test is a name or a mapping; this one was dropped");
    return undefined;
  }
  // `- name: my_check\n  test_name: accepted_values\n  values: […]`
  if (typeof entry.test_name === "string") return testOf(entry.test_name, entry, path, path);
  const keys = Object.keys(entry);
  const [testKey] = keys;
  if (keys.length !== 1 || testKey === undefined) {
    ctx.warn(path, "dbt-test-unreadable", "a data test mapping has one key, the test's name; this one was dropped");
    return undefined;
  }
  const body = entry[testKey];
  if (body !== null && body !== undefined && !isObject(body)) {
    ctx.warn([...path, testKey], "dbt-test-unreadable", `the arguments of ${testKey} must be a mapping; dropped`);
    return undefined;
  }
  return testOf(testKey, body ?? {}, [...path, testKey], [...path, testKey]);
}

function testOf(fullName: string, body: JsonObject, path: Path, bodyPath: Path): DbtTest {
  const config: JsonObject = isObject(body.config) ? { ...body.config } : {};
  const args: JsonObject = {};
  let argsPath = bodyPath;
  for (const [k, v] of Object.entries(body)) {
    if (k === "config" || k === "name" || k === "test_name" || k === "description") continue;
    if (k === "arguments" && isObject(v)) {
      // dbt 1.10+: arguments nested under `arguments:`.
      Object.assign(args, v);
      argsPath = [...bodyPath, "arguments"];
    } else if (testConfigKeys.has(k)) config[k] = v;
    else args[k] = v;
  }
  return { ...splitTestName(fullName), args, config, path, argsPath };
}

function text(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

function tagList(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((t): t is string => typeof t === "string") : [];
}
