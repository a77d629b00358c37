import type { Path } from "../../issues.js";
import type { SchemaProperty } from "../../spec/odcs/model.js";
import { foreignKeysOf, objectsOf, objectsToExport, primaryKeyOf, propertiesOf } from "../contract-view.js";
import { ConvertContext, compact, isObject, type JsonObject } from "../convert-context.js";
import type { ExportFile, ExportInput, ExportResult } from "../format.js";
import { hiveTypeOf, printHiveType } from "../glue/hive-types.js";
import { uniqueIdentifiers } from "../names.js";
import { toSparkField, unityTypeName } from "./spark-types.js";

const customOf = (element: { customProperties?: { property: string; value?: unknown }[] }, key: string) =>
  element.customProperties?.find((c) => c.property === key)?.value;

/**
 * Writes each schema object as a Unity Catalog table (what `databricks tables create` and the
 * REST API take): columns with `type_text`, `type_name` and `type_json` written from one parsed
 * type, so the three always agree; NOT NULL, partitions, comments, primary and foreign keys.
 */
export function exportUnity(input: ExportInput): ExportResult {
  const ctx = new ConvertContext(input.source);
  const all = objectsOf(input.contract);
  const objects = objectsToExport(ctx, all, input.options.schema, "unity-no-object");
  if (!objects) return { files: [], issues: ctx.issues };
  const server = (input.contract.servers ?? []).find((s) => s.type === "databricks") as unknown as
    | JsonObject
    | undefined;
  const catalog = input.options.catalog ?? (typeof server?.catalog === "string" ? server.catalog : undefined);
  const schema = input.options.database ?? (typeof server?.schema === "string" ? server.schema : undefined);
  if (catalog === undefined || schema === undefined)
    ctx.info(
      ["servers"],
      "unity-no-catalog",
      "no databricks server names the catalog and schema; give --option catalog= and database=",
    );
  const tableOf = new Map(all.map((o) => [o.name, o.physicalName ?? o.name]));
  const fileNames = uniqueIdentifiers(all.map((o) => o.physicalName ?? o.name));
  const files: ExportFile[] = objects.map((object) => {
    const index = all.indexOf(object);
    const path: Path = ["schema", index];
    const name = object.physicalName ?? object.name;
    const properties = propertiesOf(object);
    const columnName = (p: SchemaProperty) => p.physicalName ?? p.name;
    const partitions = properties
      .map((p, i) => ({ p, i }))
      .filter(({ p }) => p.partitioned === true)
      .sort((a, b) => (a.p.partitionKeyPosition ?? 1e9) - (b.p.partitionKeyPosition ?? 1e9) || a.i - b.i)
      .map(({ p }) => p);
    const columns = properties.map((p, i) => {
      const ppath: Path = [...path, "properties", i];
      const type = hiveTypeOf(p, (message) => ctx.warn(ppath, "unity-type", `${p.name}: ${message}`));
      const nullable = p.required !== true && p.primaryKey !== true;
      const field = toSparkField({
        name: columnName(p),
        type,
        nullable,
        ...(p.description ? { comment: p.description } : {}),
      });
      const partition = partitions.indexOf(p);
      return compact({
        name: columnName(p),
        type_text: printHiveType(type),
        type_name: unityTypeName(type),
        type_json: JSON.stringify(field),
        type_precision: type.kind === "primitive" && type.name === "decimal" ? type.args[0] : undefined,
        type_scale: type.kind === "primitive" && type.name === "decimal" ? (type.args[1] ?? 0) : undefined,
        position: i,
        nullable,
        comment: p.description,
        partition_index: partition >= 0 ? partition : undefined,
      });
    });
    const constraints: JsonObject[] = [];
    const key = primaryKeyOf(object);
    const base = name.replace(/[^A-Za-z0-9_]+/g, "_");
    if (key.length > 0)
      constraints.push({ primary_key_constraint: { name: `${base}_pk`, child_columns: key.map(columnName) } });
    const byName = new Map(properties.map((p) => [p.name, p]));
    foreignKeysOf(object).forEach((fk, n) => {
      const target = all.find((o) => o.name === fk.toObject);
      const targetProps = new Map(propertiesOf(target).map((p) => [p.name, p]));
      const parent = tableOf.get(fk.toObject) ?? fk.toObject;
      constraints.push({
        foreign_key_constraint: {
          name: `${base}_fk${n + 1}`,
          child_columns: fk.from.map((f) => columnName(byName.get(f) ?? ({ name: f } as SchemaProperty))),
          parent_table: [catalog, schema, parent].filter(Boolean).join("."),
          parent_columns: fk.toProperties.map((c) => {
            const p = targetProps.get(c);
            return p ? columnName(p) : c;
          }),
        },
      });
    });
    if (object.quality?.length || properties.some((p) => p.quality?.length || p.logicalTypeOptions || p.unique))
      ctx.warn(
        path,
        "unity-unmapped",
        `${object.name}: quality rules, unique and logicalTypeOptions are not written (Unity Catalog has no place for them)`,
      );
    const tableType = customOf(object, "unityTableType");
    const dataSourceFormat = customOf(object, "unityDataSourceFormat");
    const storageLocation = customOf(object, "unityStorageLocation");
    const tableProperties = customOf(object, "unityProperties");
    const table = compact({
      name,
      catalog_name: catalog,
      schema_name: schema,
      table_type: typeof tableType === "string" ? tableType : object.physicalType === "view" ? "VIEW" : "MANAGED",
      data_source_format: typeof dataSourceFormat === "string" ? dataSourceFormat : "DELTA",
      storage_location: typeof storageLocation === "string" ? storageLocation : undefined,
      comment: object.description,
      columns,
      properties: isObject(tableProperties) ? tableProperties : undefined,
      table_constraints: constraints,
    });
    return {
      path: `${fileNames[index]}.unity.json`,
      content: `${JSON.stringify(table, null, 2)}\n`,
      mediaType: "application/json",
    };
  });
  return { files, issues: ctx.issues };
}
