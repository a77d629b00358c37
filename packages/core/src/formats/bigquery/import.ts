import type { Path } from "../../issues.js";
import type { SourceDocument } from "../../spec/source.js";
import { ConvertContext, type CustomProperty, compact, isObject, type JsonObject } from "../convert-context.js";
import { type FormatOptions, formatLimits, type ImportResult } from "../format.js";
import { baseName, bigQueryTypes, canonicalType, originalNameLine } from "./types.js";

const fieldKeys = new Set(["name", "type", "mode", "description", "fields", "maxLength", "precision", "scale"]);
/** Field keys kept as custom properties: ODCS has no place of their own for them. */
const customFieldKeys = [
  "defaultValueExpression",
  "policyTags",
  "collation",
  "roundingMode",
  "rangeElementType",
  "dataPolicies",
];
const tableKeys = new Set([
  "tableReference",
  "description",
  "friendlyName",
  "schema",
  "tableConstraints",
  "timePartitioning",
  "rangePartitioning",
  "clustering",
  "labels",
]);

/**
 * Reads a BigQuery table schema (`bq show --schema`: a list of fields, or `{fields}`) or table
 * resource (`bq show --format=json`: `tableReference`, `schema`, `tableConstraints`...) into an
 * ODCS contract with one schema object.
 */
export function importBigQuery(src: SourceDocument, options: FormatOptions): ImportResult {
  const ctx = new ConvertContext(src);
  ctx.issues.push(...src.issues);
  if (!src.readable) return { value: {}, issues: ctx.issues };
  const root = src.value;
  let fields: unknown;
  let fieldsPath: Path;
  let table: JsonObject = {};
  if (Array.isArray(root)) {
    fields = root;
    fieldsPath = [];
  } else if (isObject(root) && Array.isArray(root.fields)) {
    fields = root.fields;
    fieldsPath = ["fields"];
  } else if (isObject(root) && isObject(root.schema)) {
    table = root;
    fields = root.schema.fields;
    fieldsPath = ["schema", "fields"];
  } else {
    ctx.error(
      [],
      "bigquery-not-schema",
      "not a BigQuery schema: expected a list of fields, {fields} or a table with schema.fields",
    );
    return { value: {}, issues: ctx.issues };
  }
  const list = ctx.list(fields, fieldsPath, "the schema's fields") ?? [];
  const reader = new FieldReader(ctx);
  const properties = reader.fields(list, fieldsPath, 1);
  if (ctx.issues.some((i) => i.severity === "error")) return { value: {}, issues: ctx.issues };

  const ref = isObject(table.tableReference) ? table.tableReference : {};
  const tableId = typeof ref.tableId === "string" ? ref.tableId : undefined;
  const name = options.name ?? tableId ?? baseName(src.file);
  const custom: CustomProperty[] = [];
  const byName = new Map(properties.map((p) => [p.name as string, p]));
  tableParts(ctx, table, name, byName, custom);
  for (const key of Object.keys(table)) {
    if (!tableKeys.has(key)) ctx.warn([key], "bigquery-unmapped", `${key} is not kept: ODCS has no place for it`);
  }
  const project = typeof ref.projectId === "string" ? ref.projectId : undefined;
  const dataset = typeof ref.datasetId === "string" ? ref.datasetId : undefined;
  const object = compact({
    name,
    physicalName: tableId,
    physicalType: "table",
    businessName: typeof table.friendlyName === "string" ? table.friendlyName : undefined,
    description: typeof table.description === "string" ? table.description : undefined,
    properties,
    relationships: foreignKeys(ctx, table, name, byName),
    customProperties: custom,
  });
  const contract = compact({
    apiVersion: "v3.1.0",
    kind: "DataContract",
    id: name,
    name,
    version: "1.0.0",
    status: "draft",
    servers: project && dataset ? [{ server: "bigquery", type: "bigquery", project, dataset }] : undefined,
    schema: [object],
  });
  return { value: contract, issues: ctx.issues };
}

class FieldReader {
  private count = 0;

  constructor(private readonly ctx: ConvertContext) {}

  fields(list: unknown[], path: Path, depth: number): JsonObject[] {
    if (depth > formatLimits.maxDepth) {
      this.ctx.error(path, "bigquery-too-deep", `fields nest more than ${formatLimits.maxDepth} levels deep`);
      return [];
    }
    const seen = new Set<string>();
    return list.flatMap((raw, i) => {
      const property = this.field(raw, [...path, i], depth);
      if (!property) return [];
      const name = String(property.physicalName ?? property.name).toLowerCase();
      // BigQuery column names are case-insensitive.
      if (seen.has(name))
        this.ctx.error([...path, i, "name"], "bigquery-duplicate", `field ${property.name} is defined twice`);
      seen.add(name);
      return [property];
    });
  }

  private field(raw: unknown, path: Path, depth: number): JsonObject | undefined {
    const ctx = this.ctx;
    if (++this.count > formatLimits.maxElements) {
      if (this.count === formatLimits.maxElements + 1)
        ctx.error(path, "bigquery-too-large", `more than ${formatLimits.maxElements} fields`);
      return undefined;
    }
    const field = ctx.object(raw, path, "a field");
    if (!field) return undefined;
    if (typeof field.name !== "string" || field.name === "") {
      ctx.error(path, "bigquery-field-name", "a field needs a name");
      return undefined;
    }
    if (typeof field.type !== "string") {
      ctx.error([...path, "type"], "bigquery-field-type", `field ${field.name} needs a type`);
      return undefined;
    }
    const type = canonicalType(field.type);
    if (!type) {
      ctx.error(
        [...path, "type"],
        "bigquery-unknown-type",
        `${field.type} is not a BigQuery type (known: ${Object.keys(bigQueryTypes).join(", ")})`,
      );
      return undefined;
    }
    const mode = typeof field.mode === "string" ? field.mode.toUpperCase() : "NULLABLE";
    if (!["NULLABLE", "REQUIRED", "REPEATED"].includes(mode)) {
      ctx.error(
        [...path, "mode"],
        "bigquery-mode",
        `mode must be NULLABLE, REQUIRED or REPEATED; got ${String(field.mode)}`,
      );
      return undefined;
    }
    for (const key of Object.keys(field)) {
      if (!fieldKeys.has(key) && !customFieldKeys.includes(key)) {
        ctx.warn([...path, key], "bigquery-unmapped", `${key} is not kept: ODCS has no place for it`);
      }
    }
    const custom: CustomProperty[] = customFieldKeys
      .filter((k) => field[k] !== undefined)
      .map((k) => ({ property: k, value: field[k] }));

    let { name, description } = {
      name: field.name,
      description: ctx.text(field.description, [...path, "description"]),
    };
    // An export that had to rename a column keeps the contract's name on the description's last line.
    const kept = description?.lastIndexOf(originalNameLine);
    if (description !== undefined && kept !== undefined && kept >= 0 && !description.slice(kept).includes("\n")) {
      const original = description.slice(kept + originalNameLine.length);
      if (original !== "" && (kept === 0 || description[kept - 1] === "\n")) {
        name = original;
        description = description.slice(0, kept).trimEnd() || undefined;
      }
    }
    const element = this.element(field, type, path, depth);
    if (!element) return undefined;
    const base = {
      name,
      physicalName: name !== field.name ? field.name : undefined,
      description,
    };
    if (mode === "REPEATED") {
      return compact({
        ...base,
        logicalType: "array",
        physicalType: "ARRAY",
        items: element,
        customProperties: custom,
      });
    }
    return compact({ ...base, ...element, required: mode === "REQUIRED" || undefined, customProperties: custom });
  }

  /** What one value of the field is: its logical and physical type, its sub-fields. */
  private element(field: JsonObject, type: string, path: Path, depth: number): JsonObject | undefined {
    const ctx = this.ctx;
    const logicalType = bigQueryTypes[type];
    const number = (key: string) => {
      const v = field[key];
      if (v === undefined) return undefined;
      const n = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : Number.NaN;
      if (!Number.isInteger(n) || n < 0) {
        ctx.error([...path, key], "bigquery-not-number", `${key} must be a whole number; got ${JSON.stringify(v)}`);
        return undefined;
      }
      return n;
    };
    const precision = number("precision");
    const scale = number("scale");
    const maxLength = number("maxLength");
    if (maxLength !== undefined && type !== "STRING" && type !== "BYTES") {
      ctx.warn(
        [...path, "maxLength"],
        "bigquery-unmapped",
        `maxLength applies to STRING and BYTES only; ${type} ignores it`,
      );
    }
    if ((precision !== undefined || scale !== undefined) && type !== "NUMERIC" && type !== "BIGNUMERIC") {
      ctx.warn([...path, "precision"], "bigquery-unmapped", `precision and scale apply to NUMERIC and BIGNUMERIC only`);
    }
    const numeric = type === "NUMERIC" || type === "BIGNUMERIC";
    const physicalType =
      numeric && precision !== undefined ? `${type}(${precision}${scale !== undefined ? `,${scale}` : ""})` : type;
    let properties: JsonObject[] | undefined;
    if (type === "RECORD") {
      const sub = ctx.list(field.fields, [...path, "fields"], "fields of a RECORD");
      if (!sub || sub.length === 0) {
        ctx.error([...path, "type"], "bigquery-empty-record", `RECORD ${String(field.name)} needs fields`);
        return undefined;
      }
      properties = this.fields(sub, [...path, "fields"], depth + 1);
    } else if (field.fields !== undefined) {
      ctx.warn([...path, "fields"], "bigquery-unmapped", `fields are ignored on a ${type}: only RECORD has fields`);
    }
    return compact({
      logicalType,
      physicalType,
      logicalTypeOptions: maxLength !== undefined && logicalType === "string" ? { maxLength } : undefined,
      properties,
    });
  }
}

/** Primary key, partitioning, clustering and labels of a table resource. */
function tableParts(
  ctx: ConvertContext,
  table: JsonObject,
  name: string,
  byName: Map<string, JsonObject>,
  custom: CustomProperty[],
): void {
  const constraints = isObject(table.tableConstraints) ? table.tableConstraints : {};
  const pk = isObject(constraints.primaryKey) ? constraints.primaryKey.columns : undefined;
  if (Array.isArray(pk)) {
    pk.forEach((column, i) => {
      const property = byName.get(String(column));
      if (!property) {
        ctx.error(
          ["tableConstraints", "primaryKey", "columns", i],
          "bigquery-key-column",
          `primary key column ${String(column)} is not a field of ${name}`,
        );
        return;
      }
      property.primaryKey = true;
      property.primaryKeyPosition = i + 1;
    });
  }
  for (const key of Object.keys(constraints)) {
    if (key !== "primaryKey" && key !== "foreignKeys")
      ctx.warn(["tableConstraints", key], "bigquery-unmapped", `${key} is not kept`);
  }
  const partitioning = isObject(table.timePartitioning)
    ? table.timePartitioning
    : isObject(table.rangePartitioning)
      ? table.rangePartitioning
      : undefined;
  const partitionKey = partitioning && (isObject(table.timePartitioning) ? "timePartitioning" : "rangePartitioning");
  if (partitioning && partitionKey) {
    const property = typeof partitioning.field === "string" ? byName.get(partitioning.field) : undefined;
    if (property) {
      property.partitioned = true;
      property.partitionKeyPosition = 1;
    }
    custom.push({ property: partitionKey, value: partitioning });
  }
  if (isObject(table.clustering) && Array.isArray(table.clustering.fields)) {
    custom.push({ property: "clusteringFields", value: table.clustering.fields });
  }
  if (isObject(table.labels)) custom.push({ property: "labels", value: table.labels });
}

/** `tableConstraints.foreignKeys` → relationships to `table.column` (the referenced table's id). */
function foreignKeys(
  ctx: ConvertContext,
  table: JsonObject,
  name: string,
  byName: Map<string, JsonObject>,
): JsonObject[] {
  const constraints = isObject(table.tableConstraints) ? table.tableConstraints : {};
  const list = Array.isArray(constraints.foreignKeys) ? constraints.foreignKeys : [];
  const out: JsonObject[] = [];
  list.forEach((raw, i) => {
    const path: Path = ["tableConstraints", "foreignKeys", i];
    const fk = isObject(raw) ? raw : {};
    const target = isObject(fk.referencedTable) ? fk.referencedTable.tableId : undefined;
    const refs = Array.isArray(fk.columnReferences) ? fk.columnReferences.filter(isObject) : [];
    if (typeof target !== "string" || refs.length === 0) {
      ctx.warn(path, "bigquery-unmapped", "a foreign key needs referencedTable.tableId and columnReferences; not kept");
      return;
    }
    const from = refs.map((r) => String(r.referencingColumn));
    const to = refs.map((r) => `${target}.${String(r.referencedColumn)}`);
    const plain = /^[A-Za-z_][A-Za-z0-9_]*$/;
    if (![target, ...from, ...refs.map((r) => String(r.referencedColumn))].every((n) => plain.test(n))) {
      ctx.warn(
        path,
        "bigquery-unmapped",
        "ODCS relationships name only plain identifiers; this foreign key is not kept",
      );
      return;
    }
    const custom: CustomProperty[] = typeof fk.name === "string" ? [{ property: "name", value: fk.name }] : [];
    const single = from.length === 1 ? byName.get(from[0] ?? "") : undefined;
    if (single) {
      const rels = (single.relationships as JsonObject[] | undefined) ?? [];
      rels.push(compact({ type: "foreignKey", to: to[0], customProperties: custom }));
      single.relationships = rels;
      return;
    }
    if (!plain.test(name)) {
      ctx.warn(path, "bigquery-unmapped", `ODCS relationships name only plain identifiers, not ${name}; not kept`);
      return;
    }
    out.push(compact({ type: "foreignKey", from: from.map((f) => `${name}.${f}`), to, customProperties: custom }));
  });
  return out;
}
