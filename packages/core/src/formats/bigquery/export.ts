import type { Path } from "../../issues.js";
import type { SchemaItemProperty, SchemaObject, SchemaProperty } from "../../spec/odcs/model.js";
import {
  allowedValuesOf,
  foreignKeysOf,
  logicalTypeOf,
  objectsOf,
  objectsToExport,
  primaryKeyOf,
  propertiesOf,
} from "../contract-view.js";
import { ConvertContext, compact, type JsonObject } from "../convert-context.js";
import { type ExportFile, type ExportInput, type ExportResult, formatLimits } from "../format.js";
import { uniqueIdentifiers } from "../names.js";
import { bigQueryTypes, originalNameLine, parsePhysical, plainColumnName, typeForLogical } from "./types.js";

/**
 * Writes each schema object as a BigQuery schema: the list of fields `bq mk --schema` takes, or
 * (`shape=table`) a table resource that also carries the description, primary and foreign keys.
 * Names BigQuery refuses are renamed; the contract's name stays on the description's last line.
 */
export function exportBigQuery(input: ExportInput): ExportResult {
  const ctx = new ConvertContext(input.source);
  const all = objectsOf(input.contract);
  const objects = objectsToExport(ctx, all, input.options.schema, "bigquery-no-object");
  if (!objects) return { files: [], issues: ctx.issues };
  const shape = input.options.shape ?? "fields";
  const server = (input.contract.servers ?? []).find((s) => s.type === "bigquery");
  const tableIds = new Map(all.map((o, i) => [o.name, tableId(o, uniqueIdentifiers(all.map(physical))[i] ?? o.name)]));
  const files: ExportFile[] = objects.map((object) => {
    const index = all.indexOf(object);
    const path: Path = ["schema", index];
    const writer = new FieldWriter(ctx);
    const fields = writer.fields(propertiesOf(object), [...path, "properties"], 1);
    const id = tableIds.get(object.name) ?? object.name;
    if (id !== physical(object)) {
      ctx.warn(
        path,
        "bigquery-renamed",
        `table ${physical(object)} is written as ${id}: BigQuery table ids allow letters, digits and _`,
      );
    }
    let doc: unknown = fields;
    if (shape === "table") {
      doc = compact({
        tableReference: compact({ projectId: server?.project, datasetId: server?.dataset, tableId: id }),
        description: object.description,
        schema: { fields },
        tableConstraints: constraints(ctx, object, all, tableIds, writer.names, path),
        ...layout(ctx, object, writer.names, path),
      });
    } else {
      if (primaryKeyOf(object).length > 0 || foreignKeysOf(object).length > 0) {
        ctx.warn(path, "bigquery-keys", "keys are not written in a list of fields; use --option shape=table");
      }
      if (object.description) {
        ctx.warn(
          [...path, "description"],
          "bigquery-unmapped",
          "a list of fields has no table description; use --option shape=table",
        );
      }
    }
    if (object.quality?.length) ctx.warn([...path, "quality"], "bigquery-unmapped", "quality rules are not written");
    return { path: `${id}.json`, content: `${JSON.stringify(doc, null, 2)}\n`, mediaType: "application/json" };
  });
  return { files, issues: ctx.issues };
}

/**
 * Partitioning, clustering and labels of a table resource: from the custom properties an import
 * kept, else a partitioned DATE/TIMESTAMP property becomes daily time partitioning.
 */
function layout(ctx: ConvertContext, object: SchemaObject, names: Map<string, string>, path: Path): JsonObject {
  const custom = new Map((object.customProperties ?? []).map((c) => [c.property, c.value]));
  const out: JsonObject = {};
  for (const key of ["timePartitioning", "rangePartitioning"]) if (custom.has(key)) out[key] = custom.get(key);
  const partitioned = propertiesOf(object)
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => p.partitioned === true);
  if (out.timePartitioning === undefined && out.rangePartitioning === undefined && partitioned.length > 0) {
    const [first] = partitioned;
    const logical = first ? logicalTypeOf(first.p) : undefined;
    if (first && partitioned.length === 1 && (logical === "date" || logical === "timestamp")) {
      out.timePartitioning = { type: "DAY", field: names.get(first.p.name) ?? first.p.name };
    } else if (first) {
      ctx.warn(
        [...path, "properties", first.i, "partitioned"],
        "bigquery-partitioning",
        "BigQuery partitions by one DATE or TIMESTAMP column (or an integer range with bounds); not written",
      );
    }
  }
  const clustering = custom.get("clusteringFields");
  if (Array.isArray(clustering)) out.clustering = { fields: clustering };
  const labels = custom.get("labels");
  if (labels && typeof labels === "object") out.labels = labels;
  return out;
}

function physical(o: SchemaObject): string {
  return o.physicalName ?? o.name;
}

function tableId(o: SchemaObject, renamed: string): string {
  const name = physical(o);
  return /^[\p{L}\p{M}\p{N}\p{Pc}\p{Pd} ]{1,1024}$/u.test(name) && !/^\s|\s$/.test(name) ? name : renamed;
}

class FieldWriter {
  /** Written column name per top-level property name (keys refer to them). */
  readonly names = new Map<string, string>();

  constructor(private readonly ctx: ConvertContext) {}

  fields(properties: SchemaProperty[], path: Path, depth: number): JsonObject[] {
    if (depth > formatLimits.maxDepth) {
      this.ctx.error(path, "bigquery-too-deep", `properties nest more than ${formatLimits.maxDepth} levels deep`);
      return [];
    }
    const wanted = properties.map((p) => p.physicalName ?? p.name);
    const renamed = uniqueIdentifiers(wanted);
    const taken = new Set<string>();
    return properties.map((property, i) => {
      let name = wanted[i] ?? property.name;
      if (!plainColumnName.test(name) || taken.has(name.toLowerCase())) name = renamed[i] ?? name;
      for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${renamed[i]}_${n}`;
      taken.add(name.toLowerCase());
      if (depth === 1) this.names.set(property.name, name);
      const ppath = [...path, i];
      let description = property.description;
      if (name !== wanted[i]) {
        this.ctx.warn(
          [...ppath, "name"],
          "bigquery-renamed",
          `${wanted[i]} is written as ${name}: BigQuery column names allow letters, digits and _`,
        );
      }
      if (name !== property.name) {
        const line = `${originalNameLine}${property.name}`;
        description = description ? `${description}\n${line}` : line;
      }
      return this.field(property, name, description, ppath, depth);
    });
  }

  private field(
    property: SchemaProperty,
    name: string,
    description: string | undefined,
    path: Path,
    depth: number,
  ): JsonObject {
    const logical = logicalTypeOf(property);
    if (logical === "array") {
      const items = property.items;
      if (!items) {
        this.ctx.warn(
          path,
          "bigquery-no-items",
          `${property.name} is an array without items; written as REPEATED STRING`,
        );
      }
      if (items && logicalTypeOf(items) === "array") {
        this.ctx.warn(
          [...path, "items"],
          "bigquery-nested-array",
          "BigQuery has no arrays of arrays; the inner array is written as JSON",
        );
        return compact({ name, type: "JSON", mode: "REPEATED", description });
      }
      const element = this.type(items ?? { logicalType: "string" }, [...path, "items"], depth);
      return compact({ name, type: element.type, mode: "REPEATED", description, ...element });
    }
    const element = this.type(property, path, depth);
    const mode = property.required ? "REQUIRED" : "NULLABLE";
    return compact({ name, type: element.type, mode, description, ...element });
  }

  /** Type, precision, scale, maxLength and sub-fields of one value. */
  private type(element: SchemaProperty | SchemaItemProperty, path: Path, depth: number): JsonObject {
    const logical = logicalTypeOf(element);
    const parsed = parsePhysical(element.physicalType);
    const fits = parsed && (bigQueryTypes[parsed.type] === logical || (parsed.type === "JSON" && logical === "object"));
    const nested = propertiesOf(element);
    let type = fits && parsed ? parsed.type : typeForLogical[logical];
    if (logical === "object" && nested.length === 0) type = "JSON";
    if (logical === "object" && nested.length > 0) type = "RECORD";
    const maxLength = element.logicalTypeOptions?.maxLength ?? (fits ? parsed?.maxLength : undefined);
    const unwritten = Object.keys(element.logicalTypeOptions ?? {}).filter((k) => k !== "maxLength");
    if (unwritten.length > 0) {
      this.ctx.warn(
        [...path, "logicalTypeOptions"],
        "bigquery-unmapped",
        `${unwritten.join(", ")} not written: BigQuery columns have no such constraints`,
      );
    }
    if (allowedValuesOf(element)) {
      this.ctx.warn(
        [...path, "quality"],
        "bigquery-unmapped",
        "a value set is not written: BigQuery columns have no enums",
      );
    }
    if (logical === "number" && !fits) {
      const d = /^\s*(?:decimal|numeric|number)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/i.exec(element.physicalType ?? "");
      if (d) return { type: "NUMERIC", precision: d[1], ...(d[2] !== undefined ? { scale: d[2] } : {}) };
    }
    return compact({
      type,
      // BigQuery's API gives these as strings.
      precision: fits && parsed?.precision !== undefined ? String(parsed.precision) : undefined,
      scale: fits && parsed?.scale !== undefined ? String(parsed.scale) : undefined,
      maxLength: maxLength !== undefined && (type === "STRING" || type === "BYTES") ? String(maxLength) : undefined,
      fields: type === "RECORD" ? this.fields(nested, [...path, "properties"], depth + 1) : undefined,
    });
  }
}

function constraints(
  ctx: ConvertContext,
  object: SchemaObject,
  all: SchemaObject[],
  tableIds: Map<string, string>,
  names: Map<string, string>,
  path: Path,
): JsonObject | undefined {
  const pk = primaryKeyOf(object).map((p) => names.get(p.name) ?? p.name);
  const fks = foreignKeysOf(object).flatMap((fk) => {
    const target = all.find((o) => o.name === fk.toObject || o.physicalName === fk.toObject);
    if (!target) {
      ctx.warn(
        path,
        "bigquery-unmapped",
        `foreign key to ${fk.toObject}, which is not in the contract, is not written`,
      );
      return [];
    }
    const targetNames = new FieldWriter(new ConvertContext(ctx.src));
    targetNames.fields(propertiesOf(target), [], 1);
    return [
      {
        name: `fk_${tableIds.get(object.name)}_${fk.from.map((f) => names.get(f) ?? f).join("_")}`,
        referencedTable: { tableId: tableIds.get(target.name) ?? target.name },
        columnReferences: fk.from.map((f, i) => ({
          referencingColumn: names.get(f) ?? f,
          referencedColumn: targetNames.names.get(fk.toProperties[i] ?? "") ?? fk.toProperties[i],
        })),
      },
    ];
  });
  return compact({ primaryKey: pk.length > 0 ? { columns: pk } : undefined, foreignKeys: fks });
}
