import type { Path } from "../../issues.js";
import { slugify } from "../../slug.js";
import type { SourceDocument } from "../../spec/source.js";
import { ConvertContext, type CustomProperty, compact, isObject, type JsonObject } from "../convert-context.js";
import { type FormatOptions, formatLimits, type ImportResult } from "../format.js";
import { type HiveType, HiveTypeError, parseHiveType, propertyShape, UnknownHiveType } from "../glue/hive-types.js";
import { sparkField } from "./spark-types.js";

const columnKeys = new Set([
  "name",
  "type_text",
  "type_name",
  "type_json",
  "type_precision",
  "type_scale",
  "type_interval_type",
  "position",
  "nullable",
  "comment",
  "partition_index",
]);
const tableKeys = new Set([
  "name",
  "catalog_name",
  "schema_name",
  "full_name",
  "table_type",
  "data_source_format",
  "storage_location",
  "comment",
  "columns",
  "properties",
  "table_constraints",
]);
/** What Unity Catalog sets itself; a contract has no use for it. */
const readOnlyKeys = new Set([
  "owner",
  "created_at",
  "created_by",
  "updated_at",
  "updated_by",
  "table_id",
  "metastore_id",
  "data_access_configuration_id",
  "securable_kind_manifest",
  "browse_only",
  "generation",
  "pipeline_id",
  "delta_runtime_properties_kvpairs",
  "effective_predictive_optimization_flag",
  "enable_predictive_optimization",
  "access_point",
  "deleted_at",
  "sql_path",
  "storage_credential_name",
]);

const plain = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Reads a Databricks Unity Catalog table (`databricks tables get`, REST `GET
 * /api/2.1/unity-catalog/tables/{full_name}`) into an ODCS contract with one schema object. Each
 * column's type is read from `type_json` (Spark's field JSON, with nullability and nested comments)
 * when present, else from `type_text`; primary and foreign key constraints become keys.
 */
export function importUnity(src: SourceDocument, options: FormatOptions): ImportResult {
  const ctx = new ConvertContext(src);
  ctx.issues.push(...src.issues);
  if (!src.readable) return { value: {}, issues: ctx.issues };
  const t = src.value;
  if (!isObject(t) || typeof t.name !== "string" || !Array.isArray(t.columns)) {
    ctx.error(
      [],
      "unity-not-table",
      "not a Unity Catalog table: expected {name, catalog_name, schema_name, columns: [...]} (databricks tables get)",
    );
    return { value: {}, issues: ctx.issues };
  }
  for (const key of Object.keys(t)) {
    if (tableKeys.has(key)) continue;
    if (readOnlyKeys.has(key)) ctx.info([key], "unity-not-kept", `${key} is set by Unity Catalog; not kept`);
    else ctx.warn([key], "unity-unmapped", `${key} is not kept: ODCS has no place for it`);
  }
  if (t.columns.length > formatLimits.maxElements) {
    ctx.error(["columns"], "unity-too-large", `more than ${formatLimits.maxElements} columns`);
    return { value: {}, issues: ctx.issues };
  }
  const seen = new Set<string>();
  const read = t.columns.flatMap((raw, i) => {
    const path: Path = ["columns", i];
    const c = ctx.object(raw, path, "a column");
    if (!c) return [];
    if (typeof c.name !== "string" || c.name === "") {
      ctx.error([...path, "name"], "unity-column-name", "a column needs a name");
      return [];
    }
    for (const key of Object.keys(c))
      if (!columnKeys.has(key)) ctx.warn([...path, key], "unity-unmapped", `${key} is not kept`);
    // Unity column names are case-insensitive.
    if (seen.has(c.name.toLowerCase()))
      ctx.error([...path, "name"], "unity-duplicate", `column ${c.name} is defined twice`);
    seen.add(c.name.toLowerCase());
    const property = column(ctx, c, path);
    if (!property) return [];
    const position = typeof c.position === "number" ? c.position : i;
    return [{ property, position, index: i }];
  });
  if (ctx.issues.some((i) => i.severity === "error")) return { value: {}, issues: ctx.issues };
  read.sort((a, b) => a.position - b.position || a.index - b.index);
  const properties = read.map((r) => r.property);
  const byName = new Map(properties.map((p) => [String(p.name), p]));
  const relationships = constraints(ctx, t, byName);
  const name = options.name ?? t.name;
  const catalog = typeof t.catalog_name === "string" ? t.catalog_name : undefined;
  const schema = typeof t.schema_name === "string" ? t.schema_name : undefined;
  const custom: CustomProperty[] = [];
  if (typeof t.table_type === "string") custom.push({ property: "unityTableType", value: t.table_type });
  if (typeof t.data_source_format === "string")
    custom.push({ property: "unityDataSourceFormat", value: t.data_source_format });
  if (typeof t.storage_location === "string")
    custom.push({ property: "unityStorageLocation", value: t.storage_location });
  if (isObject(t.properties) && Object.keys(t.properties).length > 0)
    custom.push({ property: "unityProperties", value: t.properties });
  const tableType = typeof t.table_type === "string" ? t.table_type.toUpperCase() : "";
  const object = compact({
    name,
    physicalName: name !== t.name ? t.name : undefined,
    physicalType: tableType.includes("VIEW") ? "view" : "table",
    description: ctx.text(t.comment, ["comment"]) || undefined,
    properties,
    relationships,
    customProperties: custom,
  });
  const contract = compact({
    apiVersion: "v3.1.0",
    kind: "DataContract",
    id: slugify([catalog, schema, t.name].filter(Boolean).join(".")) || "unity-table",
    name,
    version: "1.0.0",
    status: "draft",
    servers:
      catalog !== undefined && schema !== undefined
        ? [{ server: "databricks", type: "databricks", catalog, schema }]
        : undefined,
    schema: [object],
  });
  return { value: contract, issues: ctx.issues };
}

/** One column: its type from type_json (else type_text), nullability, comment, partition position. */
function column(ctx: ConvertContext, c: JsonObject, path: Path): JsonObject | undefined {
  const name = c.name as string;
  let type: HiveType | undefined;
  let nullable = c.nullable !== false;
  let unknown: string | undefined;
  const from = typeof c.type_json === "string" && c.type_json.trim() !== "" ? "type_json" : "type_text";
  const text = c[from];
  if (typeof text !== "string" || text.trim() === "") {
    ctx.error([...path, "name"], "unity-no-type", `column ${name} has neither type_json nor type_text`);
    return undefined;
  }
  try {
    if (from === "type_json") {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (e) {
        ctx.error(
          [...path, from],
          "unity-bad-type-json",
          `column ${name}: type_json is not JSON (${(e as Error).message})`,
        );
        return undefined;
      }
      const field = sparkField(json);
      if (field.name !== name)
        ctx.warn(
          [...path, from],
          "unity-type-json-name",
          `type_json names the field ${field.name}, the column is ${name}`,
        );
      type = field.type;
      if (field.nullable === false) nullable = false;
    } else type = parseHiveType(text);
  } catch (e) {
    if (e instanceof UnknownHiveType) unknown = e.message;
    else if (e instanceof HiveTypeError) {
      ctx.error([...path, from], "unity-bad-type", `column ${name}: ${e.message}`);
      return undefined;
    } else throw e;
  }
  if (unknown !== undefined)
    ctx.warn([...path, from], "unity-unknown-type", `column ${name}: ${unknown}; only its physicalType is kept`);
  const typeText = typeof c.type_text === "string" ? c.type_text : text;
  const shape = type ? propertyShape(type) : { physicalType: typeText };
  const partition = typeof c.partition_index === "number" ? c.partition_index : undefined;
  return compact({
    name,
    description: ctx.text(c.comment, [...path, "comment"]) || undefined,
    ...shape,
    required: nullable ? undefined : true,
    partitioned: partition !== undefined ? true : undefined,
    partitionKeyPosition: partition !== undefined ? partition + 1 : undefined,
  });
}

/** `table_constraints`: primary key → primaryKey/primaryKeyPosition, foreign keys → relationships. */
function constraints(ctx: ConvertContext, t: JsonObject, byName: Map<string, JsonObject>): JsonObject[] {
  const list = ctx.list(t.table_constraints, ["table_constraints"], "table_constraints") ?? [];
  const out: JsonObject[] = [];
  list.forEach((raw, i) => {
    const path: Path = ["table_constraints", i];
    if (!isObject(raw)) return;
    const pk = isObject(raw.primary_key_constraint) ? raw.primary_key_constraint : undefined;
    const fk = isObject(raw.foreign_key_constraint) ? raw.foreign_key_constraint : undefined;
    if (pk && Array.isArray(pk.child_columns)) {
      pk.child_columns.forEach((col, n) => {
        const p = byName.get(String(col));
        if (!p) {
          ctx.error(
            [...path, "primary_key_constraint", "child_columns", n],
            "unity-key-column",
            `primary key column ${String(col)} is not a column`,
          );
          return;
        }
        p.primaryKey = true;
        p.primaryKeyPosition = n + 1;
      });
      return;
    }
    if (
      fk &&
      Array.isArray(fk.child_columns) &&
      Array.isArray(fk.parent_columns) &&
      typeof fk.parent_table === "string"
    ) {
      const target = fk.parent_table.split(".").pop() as string;
      const from = fk.child_columns.map(String);
      const to = fk.parent_columns.map(String);
      if (![target, ...from, ...to].every((n) => plain.test(n)) || from.length !== to.length) {
        ctx.warn(
          path,
          "unity-unmapped",
          "ODCS relationships name only plain identifiers; this foreign key is not kept",
        );
        return;
      }
      const single = from.length === 1 ? byName.get(from[0] as string) : undefined;
      if (single) {
        single.relationships = [
          ...((single.relationships as JsonObject[]) ?? []),
          { type: "foreignKey", to: `${target}.${to[0]}` },
        ];
        return;
      }
      out.push({
        type: "foreignKey",
        from: from.map((f) => `${String(t.name)}.${f}`),
        to: to.map((c) => `${target}.${c}`),
      });
      return;
    }
    ctx.warn(path, "unity-unmapped", "only primary and foreign key constraints are kept");
  });
  return out;
}
