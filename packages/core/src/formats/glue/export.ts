import type { Path } from "../../issues.js";
import type { SchemaObject, SchemaProperty } from "../../spec/odcs/model.js";
import { foreignKeysOf, objectsOf, primaryKeyOf, propertiesOf } from "../contract-view.js";
import { ConvertContext, compact, isObject, type JsonObject } from "../convert-context.js";
import type { ExportFile, ExportInput, ExportResult } from "../format.js";
import { uniqueIdentifiers } from "../names.js";
import { hiveTypeOf, printHiveType } from "./hive-types.js";
import { originalNameParameter, primaryKeyParameter, requiredParameter } from "./import.js";

/** How Glue reads each file format: input and output format classes and the SerDe. */
const storageFor: Record<string, JsonObject> = {
  parquet: {
    InputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    OutputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    SerdeInfo: { SerializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" },
  },
  orc: {
    InputFormat: "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat",
    OutputFormat: "org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat",
    SerdeInfo: { SerializationLibrary: "org.apache.hadoop.hive.ql.io.orc.OrcSerde" },
  },
  avro: {
    InputFormat: "org.apache.hadoop.hive.ql.io.avro.AvroContainerInputFormat",
    OutputFormat: "org.apache.hadoop.hive.ql.io.avro.AvroContainerOutputFormat",
    SerdeInfo: { SerializationLibrary: "org.apache.hadoop.hive.serde2.avro.AvroSerDe" },
  },
  json: {
    InputFormat: "org.apache.hadoop.mapred.TextInputFormat",
    OutputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    SerdeInfo: { SerializationLibrary: "org.openx.data.jsonserde.JsonSerDe" },
  },
  csv: {
    InputFormat: "org.apache.hadoop.mapred.TextInputFormat",
    OutputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    SerdeInfo: {
      SerializationLibrary: "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
      Parameters: { "field.delim": ",", "skip.header.line.count": "1" },
    },
  },
};

/** Glue's own name for a contract name: lower case, letters, digits and `_` (what Athena reads). */
export function glueNames(names: readonly string[]): string[] {
  return uniqueIdentifiers(
    names.map((n) => n.toLowerCase()),
    { asciiOnly: true },
  );
}

const customOf = (element: { customProperties?: { property: string; value?: unknown }[] }, key: string) =>
  element.customProperties?.find((c) => c.property === key)?.value;

/**
 * Writes each schema object as the TableInput `aws glue create-table --table-input` takes:
 * columns and partition keys with Hive types, the S3 location and file format of the contract's
 * s3 (or glue) server. Names Glue would change are lower-cased (and made plain), the contract's
 * name kept in the column's or table's Parameters `quanta.name`, with a warning.
 */
export function exportGlue(input: ExportInput): ExportResult {
  const ctx = new ConvertContext(input.source);
  const all = objectsOf(input.contract);
  const chosen = input.options.schema;
  const objects = all.filter((o) => chosen === undefined || o.name === chosen || o.physicalName === chosen);
  if (objects.length === 0) {
    ctx.error(["schema"], "glue-no-object", chosen ? `no schema object named ${chosen}` : "the contract has no schema");
    return { files: [], issues: ctx.issues };
  }
  const server = (input.contract.servers ?? []).find(
    (s) => (s.type === "s3" || s.type === "glue") && typeof (s as unknown as JsonObject).location === "string",
  ) as unknown as JsonObject | undefined;
  const tableNames = glueNames(all.map((o) => o.physicalName ?? o.name));
  const files: ExportFile[] = objects.map((object) => {
    const index = all.indexOf(object);
    const path: Path = ["schema", index];
    const name = tableNames[index] as string;
    const physical = object.physicalName ?? object.name;
    const parameters: JsonObject = {
      ...(isObject(customOf(object, "glueParameters")) ? (customOf(object, "glueParameters") as JsonObject) : {}),
    };
    if (name !== physical) {
      ctx.warn(
        path,
        "glue-renamed",
        `table ${physical} is written as ${name} (Glue names are lower case); the name is kept in Parameters ${originalNameParameter}`,
      );
      parameters[originalNameParameter] = physical;
    }
    const properties = propertiesOf(object);
    const names = glueNames(properties.map((p) => p.physicalName ?? p.name));
    const columnOf = (p: SchemaProperty, i: number) => {
      const ppath: Path = [...path, "properties", i];
      const written = names[i] as string;
      const original = p.physicalName ?? p.name;
      const columnParameters: JsonObject = {
        ...(isObject(customOf(p, "glueParameters")) ? (customOf(p, "glueParameters") as JsonObject) : {}),
      };
      if (written !== original) {
        ctx.warn(
          ppath,
          "glue-renamed",
          `column ${original} is written as ${written} (Glue names are lower case); the name is kept in its Parameters ${originalNameParameter}`,
        );
        columnParameters[originalNameParameter] = original;
      }
      if (p.required === true && p.primaryKey !== true) columnParameters[requiredParameter] = "true";
      const type = hiveTypeOf(p, (message) => ctx.warn(ppath, "glue-type", `${p.name}: ${message}`));
      if (nestedDescriptions(p))
        ctx.warn(
          ppath,
          "glue-unmapped",
          `${p.name}: descriptions of nested fields are not written (a Hive type has no place for them)`,
        );
      return compact({
        Name: written,
        Type: printHiveType(type),
        Comment: p.description,
        Parameters: Object.keys(columnParameters).length > 0 ? columnParameters : undefined,
      });
    };
    const columns: JsonObject[] = [];
    const partitions: { at: number; order: number; column: JsonObject }[] = [];
    properties.forEach((p, i) => {
      const column = columnOf(p, i);
      if (p.partitioned === true) partitions.push({ at: i, order: p.partitionKeyPosition ?? 1e9, column });
      else columns.push(column);
    });
    partitions.sort((a, b) => a.order - b.order || a.at - b.at);
    const key = primaryKeyOf(object);
    if (key.length > 0) parameters[primaryKeyParameter] = JSON.stringify(key.map((p) => names[properties.indexOf(p)]));
    if (key.length > 0 || properties.some((p) => p.required === true))
      ctx.info(
        path,
        "glue-kept-in-parameters",
        `${object.name}: Glue has no NOT NULL or primary key; they are kept in Parameters ${requiredParameter} and ${primaryKeyParameter}, which only Quanta reads`,
      );
    const unwritten = [
      foreignKeysOf(object).length > 0 ? "foreign keys" : undefined,
      properties.some((p) => p.unique === true) ? "unique" : undefined,
      object.quality?.length || properties.some((p) => p.quality?.length || p.logicalTypeOptions)
        ? "quality rules and logicalTypeOptions"
        : undefined,
    ].filter((x): x is string => x !== undefined);
    if (unwritten.length > 0)
      ctx.warn(path, "glue-unmapped", `${object.name}: a Glue table has no ${unwritten.join(", ")}; not written`);
    const kept = customOf(object, "glueStorageDescriptor");
    const format = typeof server?.format === "string" ? server.format.toLowerCase() : undefined;
    let storage: JsonObject = isObject(kept) ? { ...kept } : {};
    if (!isObject(kept) && format !== undefined) {
      const known = storageFor[format];
      if (known) storage = JSON.parse(JSON.stringify(known)) as JsonObject;
      else
        ctx.warn(
          ["servers"],
          "glue-format",
          `Glue has no input format written for ${format}; InputFormat and SerdeInfo are left out`,
        );
    }
    if (format !== undefined && parameters.classification === undefined && storageFor[format])
      parameters.classification = format;
    const location =
      typeof server?.location === "string"
        ? server.location.replaceAll("{model}", physical).replaceAll("{object}", physical)
        : undefined;
    if (location === undefined)
      ctx.info(
        ["servers"],
        "glue-no-location",
        "the contract has no s3 server with a location; the table has no Location",
      );
    const tableType = customOf(object, "glueTableType");
    const tableInput = compact({
      Name: name,
      Description: object.description,
      TableType:
        typeof tableType === "string" ? tableType : object.physicalType === "view" ? "VIRTUAL_VIEW" : "EXTERNAL_TABLE",
      Parameters: Object.keys(parameters).length > 0 ? parameters : undefined,
      StorageDescriptor: compact({ Columns: columns, Location: location, ...storage }),
      PartitionKeys: partitions.map((x) => x.column),
    });
    return {
      path: `${name}.glue.json`,
      content: `${JSON.stringify(tableInput, null, 2)}\n`,
      mediaType: "application/json",
    };
  });
  return { files, issues: ctx.issues };
}

function nestedDescriptions(p: SchemaProperty | SchemaObject, depth = 0): boolean {
  const props = propertiesOf(p as SchemaProperty);
  const items = (p as SchemaProperty).items;
  return (
    props.some((c) => c.description !== undefined || nestedDescriptions(c, depth + 1)) ||
    (items !== undefined && nestedDescriptions(items as SchemaProperty, depth + 1))
  );
}
