import type { Path } from "../../issues.js";
import { slugify } from "../../slug.js";
import type { SourceDocument } from "../../spec/source.js";
import { ConvertContext, type CustomProperty, compact, isObject, type JsonObject } from "../convert-context.js";
import { type FormatOptions, formatLimits, type ImportResult } from "../format.js";
import { HiveTypeError, parseHiveType, propertyShape, UnknownHiveType } from "./hive-types.js";

/** The column or table Parameter an export keeps a contract's own name in, when Glue's had to differ. */
export const originalNameParameter = "quanta.name";
/** The column Parameter that keeps NOT NULL (`"true"`), which Glue itself cannot say. */
export const requiredParameter = "quanta.required";
/** The table Parameter that keeps the primary key: a JSON list of its Glue column names. */
export const primaryKeyParameter = "quanta.primaryKey";

const tableKeys = new Set(["Name", "Description", "StorageDescriptor", "PartitionKeys", "Parameters", "TableType"]);
/** What `get-table` adds that a contract has no use for (Glue sets them itself). */
const readOnlyKeys = new Set([
  "DatabaseName",
  "CatalogId",
  "CreateTime",
  "UpdateTime",
  "LastAccessTime",
  "LastAnalyzedTime",
  "CreatedBy",
  "IsRegisteredWithLakeFormation",
  "VersionId",
  "IsMultiDialectView",
  "Owner",
  "Retention",
  "FederatedTable",
  "TargetTable",
  "ViewOriginalText",
  "ViewExpandedText",
]);
const columnKeys = new Set(["Name", "Type", "Comment", "Parameters"]);

/** Input and output format class names, SerDes and `classification` → the file format. */
export function fileFormatOf(storage: JsonObject, parameters: JsonObject): string | undefined {
  const text = [
    storage.InputFormat,
    storage.OutputFormat,
    isObject(storage.SerdeInfo) ? storage.SerdeInfo.SerializationLibrary : undefined,
  ]
    .filter((v) => typeof v === "string")
    .join(" ")
    .toLowerCase();
  const classification = typeof parameters.classification === "string" ? parameters.classification.toLowerCase() : "";
  if (String(parameters.table_type ?? "").toLowerCase() === "iceberg") return "iceberg";
  if (classification === "delta" || parameters["spark.sql.sources.provider"] === "delta") return "delta";
  if (text.includes("parquet") || classification === "parquet") return "parquet";
  if (text.includes("orc") || classification === "orc") return "orc";
  if (text.includes("avro") || classification === "avro") return "avro";
  if (text.includes("json") || classification === "json") return "json";
  if (text.includes("csv") || text.includes("lazysimpleserde") || classification === "csv") return "csv";
  return undefined;
}

/**
 * Reads an AWS Glue table (`aws glue get-table` output `{Table}`, the bare Table, or a
 * `create-table` input `{DatabaseName, TableInput}`) into an ODCS contract with one schema object:
 * columns and partition keys with their Hive types parsed into logical types, nested fields and
 * items, the S3 location and file format as a server.
 */
export function importGlue(src: SourceDocument, options: FormatOptions): ImportResult {
  const ctx = new ConvertContext(src);
  ctx.issues.push(...src.issues);
  if (!src.readable) return { value: {}, issues: ctx.issues };
  const root = src.value;
  let table: JsonObject | undefined;
  let at: Path = [];
  let database: string | undefined;
  if (isObject(root) && isObject(root.Table)) {
    table = root.Table;
    at = ["Table"];
  } else if (isObject(root) && isObject(root.TableInput)) {
    table = root.TableInput;
    at = ["TableInput"];
    if (typeof root.DatabaseName === "string") database = root.DatabaseName;
  } else if (isObject(root) && isObject(root.StorageDescriptor)) {
    table = root;
  }
  if (table === undefined) {
    ctx.error(
      [],
      "glue-not-table",
      "not an AWS Glue table: expected {Table: {...}} (aws glue get-table), a Table with StorageDescriptor, or {TableInput}",
    );
    return { value: {}, issues: ctx.issues };
  }
  const t = table;
  const p = (...rest: Path): Path => [...at, ...rest];
  database ??= typeof t.DatabaseName === "string" ? t.DatabaseName : undefined;
  for (const key of Object.keys(t)) {
    if (tableKeys.has(key) || key === "DatabaseName" || key === "CatalogId") continue;
    if (readOnlyKeys.has(key)) ctx.info(p(key), "glue-not-kept", `${key} is set by Glue; not kept`);
    else ctx.warn(p(key), "glue-unmapped", `${key} is not kept: ODCS has no place for it`);
  }
  if (typeof t.Name !== "string" || t.Name === "") {
    ctx.error(p("Name"), "glue-table-name", "the table needs a Name");
    return { value: {}, issues: ctx.issues };
  }
  const storage = ctx.object(t.StorageDescriptor, p("StorageDescriptor"), "StorageDescriptor") ?? {};
  const parameters = ctx.object(t.Parameters, p("Parameters"), "Parameters") ?? {};
  const columns = ctx.list(storage.Columns, p("StorageDescriptor", "Columns"), "StorageDescriptor.Columns") ?? [];
  const partitions = ctx.list(t.PartitionKeys, p("PartitionKeys"), "PartitionKeys") ?? [];
  if (columns.length + partitions.length > formatLimits.maxElements) {
    ctx.error(p("StorageDescriptor", "Columns"), "glue-too-large", `more than ${formatLimits.maxElements} columns`);
    return { value: {}, issues: ctx.issues };
  }
  const seen = new Map<string, Path>();
  const column = (raw: unknown, path: Path): JsonObject | undefined => {
    const c = ctx.object(raw, path, "a column");
    if (!c) return undefined;
    if (typeof c.Name !== "string" || c.Name === "") {
      ctx.error([...path, "Name"], "glue-column-name", "a column needs a Name");
      return undefined;
    }
    for (const key of Object.keys(c))
      if (!columnKeys.has(key)) ctx.warn([...path, key], "glue-unmapped", `${key} is not kept`);
    const lower = c.Name.toLowerCase();
    if (seen.has(lower)) ctx.error([...path, "Name"], "glue-duplicate", `column ${c.Name} is defined twice`);
    seen.set(lower, path);
    const columnParameters = isObject(c.Parameters) ? { ...c.Parameters } : {};
    const original = columnParameters[originalNameParameter];
    delete columnParameters[originalNameParameter];
    const name = typeof original === "string" && original !== "" ? original : c.Name;
    const required = columnParameters[requiredParameter] === "true" ? true : undefined;
    delete columnParameters[requiredParameter];
    const description = ctx.text(c.Comment, [...path, "Comment"]) || undefined;
    const custom: CustomProperty[] =
      Object.keys(columnParameters).length > 0 ? [{ property: "glueParameters", value: columnParameters }] : [];
    const base = { name, physicalName: name !== c.Name ? c.Name : undefined, description };
    const flags = { required };
    if (typeof c.Type !== "string" || c.Type.trim() === "") {
      ctx.warn([...path, "Name"], "glue-no-type", `column ${c.Name} has no Type; imported without a type`);
      return compact({ ...base, ...flags, customProperties: custom });
    }
    try {
      const shape = propertyShape(parseHiveType(c.Type));
      return compact({ ...base, ...shape, ...flags, customProperties: custom });
    } catch (e) {
      if (e instanceof UnknownHiveType) {
        ctx.warn(
          [...path, "Type"],
          "glue-unknown-type",
          `column ${c.Name}: ${e.message}; only its physicalType is kept`,
        );
        return compact({ ...base, physicalType: c.Type, ...flags, customProperties: custom });
      }
      if (e instanceof HiveTypeError) {
        ctx.error([...path, "Type"], "glue-bad-type", `column ${c.Name}: ${e.message}`);
        return undefined;
      }
      throw e;
    }
  };
  const properties = columns.flatMap((raw, i) => column(raw, p("StorageDescriptor", "Columns", i)) ?? []);
  partitions.forEach((raw, i) => {
    const property = column(raw, p("PartitionKeys", i));
    if (property) properties.push({ ...property, partitioned: true, partitionKeyPosition: i + 1 });
  });
  if (ctx.issues.some((i) => i.severity === "error")) return { value: {}, issues: ctx.issues };

  const tableParameters = { ...parameters };
  const originalTable = tableParameters[originalNameParameter];
  delete tableParameters[originalNameParameter];
  const keyText = tableParameters[primaryKeyParameter];
  delete tableParameters[primaryKeyParameter];
  if (typeof keyText === "string") {
    let key: unknown;
    try {
      key = JSON.parse(keyText);
    } catch {
      key = undefined;
    }
    const columnsOf = new Map<string, JsonObject>(
      (properties as JsonObject[]).map((q) => [String(q.physicalName ?? q.name).toLowerCase(), q]),
    );
    const found: (JsonObject | undefined)[] = Array.isArray(key)
      ? key.map((k) => columnsOf.get(String(k).toLowerCase()))
      : [];
    if (found.length === 0 || found.some((q) => q === undefined))
      ctx.warn(
        p("Parameters", primaryKeyParameter),
        "glue-key-column",
        `${primaryKeyParameter} must be a JSON list of the table's columns; got ${keyText}; not kept`,
      );
    else
      found.forEach((q, i) => {
        Object.assign(q as JsonObject, { required: true, primaryKey: true, primaryKeyPosition: i + 1 });
      });
  }
  const name = options.name ?? (typeof originalTable === "string" && originalTable !== "" ? originalTable : t.Name);
  const format = fileFormatOf(storage, parameters);
  const location = typeof storage.Location === "string" && storage.Location !== "" ? storage.Location : undefined;
  const rest: JsonObject = { ...storage };
  delete rest.Columns;
  delete rest.Location;
  const custom: CustomProperty[] = [];
  if (typeof t.TableType === "string") custom.push({ property: "glueTableType", value: t.TableType });
  if (Object.keys(tableParameters).length > 0) custom.push({ property: "glueParameters", value: tableParameters });
  if (Object.keys(rest).length > 0) custom.push({ property: "glueStorageDescriptor", value: rest });
  if (database !== undefined) custom.push({ property: "glueDatabase", value: database });
  const servers: JsonObject[] = [];
  if (location !== undefined) {
    if (/^s3a?n?:\/\//i.test(location)) servers.push(compact({ server: "s3", type: "s3", location, format }));
    else
      ctx.warn(
        p("StorageDescriptor", "Location"),
        "glue-location",
        `${location} is not an s3:// location; kept in customProperties glueLocation`,
      );
    if (!/^s3a?n?:\/\//i.test(location)) custom.push({ property: "glueLocation", value: location });
  }
  if (typeof t.CatalogId === "string" && database !== undefined)
    servers.push(compact({ server: "glue", type: "glue", account: t.CatalogId, database, location, format }));
  const physicalType = typeof t.TableType === "string" && /view/i.test(t.TableType) ? "view" : "table";
  const object = compact({
    name,
    physicalName: name !== t.Name ? t.Name : undefined,
    physicalType,
    description: ctx.text(t.Description, p("Description")) || undefined,
    properties,
    customProperties: custom,
  });
  const contract = compact({
    apiVersion: "v3.1.0",
    kind: "DataContract",
    id: slugify([database, t.Name].filter(Boolean).join(".")) || "glue-table",
    name,
    version: "1.0.0",
    status: "draft",
    servers,
    schema: [object],
  });
  return { value: contract, issues: ctx.issues };
}
