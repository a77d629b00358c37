import type { Path } from "../../issues.js";
import type { SourceDocument } from "../../spec/source.js";
import { ConvertContext, type CustomProperty, compact, isObject, type JsonObject } from "../convert-context.js";
import { type FormatOptions, formatLimits, type ImportResult } from "../format.js";
import { baseName, parsePrimitive, primitiveNames } from "./types.js";

const fieldKeys = new Set(["id", "name", "required", "type", "doc", "initial-default", "write-default"]);

/**
 * Reads an Iceberg table schema (spec v2: `{"type": "struct", "schema-id", "identifier-field-ids",
 * "fields"}`), or the current schema of a table metadata file, into an ODCS contract with one
 * schema object. Identifier fields become the primary key; field ids are kept as custom
 * properties so that an export writes the same ids again.
 */
export function importIceberg(src: SourceDocument, options: FormatOptions): ImportResult {
  const ctx = new ConvertContext(src);
  ctx.issues.push(...src.issues);
  if (!src.readable) return { value: {}, issues: ctx.issues };
  let root = src.value;
  let path: Path = [];
  const metadata = isObject(root) && root["format-version"] !== undefined ? root : undefined;
  if (isObject(root) && Array.isArray(root.schemas)) {
    // A table metadata file: its current schema.
    const current = root["current-schema-id"];
    const index = root.schemas.findIndex((s) => isObject(s) && s["schema-id"] === current);
    if (index < 0) {
      ctx.error(["current-schema-id"], "iceberg-no-schema", `no schema has the current-schema-id ${String(current)}`);
      return { value: {}, issues: ctx.issues };
    }
    ctx.info(["schemas", index], "iceberg-metadata", "table metadata: only the current schema is read");
    root = root.schemas[index];
    path = ["schemas", index];
  }
  if (isObject(root) && !Array.isArray(root.schemas) && isObject(root.schema) && root["format-version"] !== undefined) {
    // Format v1 table metadata holds one schema.
    ctx.info(["schema"], "iceberg-metadata", "table metadata: only the schema is read");
    root = root.schema;
    path = ["schema"];
  }
  if (!isObject(root) || root.type !== "struct" || !Array.isArray(root.fields)) {
    ctx.error(path, "iceberg-not-schema", 'not an Iceberg schema: expected {"type": "struct", "fields": [...]}');
    return { value: {}, issues: ctx.issues };
  }
  const reader = new FieldReader(ctx);
  const properties = reader.struct(root.fields, [...path, "fields"], 1);
  const keys = root["identifier-field-ids"];
  if (keys !== undefined) {
    const list = ctx.list(keys, [...path, "identifier-field-ids"], "identifier-field-ids") ?? [];
    list.forEach((id, i) => {
      const property = reader.topLevel.get(Number(id));
      if (!property) {
        ctx.warn(
          [...path, "identifier-field-ids", i],
          "iceberg-identifier-nested",
          `identifier field ${String(id)} is not a top-level field; ODCS primary keys name top-level properties, so it is not kept`,
        );
        return;
      }
      property.primaryKey = true;
      property.primaryKeyPosition = i + 1;
    });
  }
  for (const key of Object.keys(root)) {
    if (!["type", "fields", "schema-id", "identifier-field-ids"].includes(key)) {
      ctx.warn([...path, key], "iceberg-unmapped", `${key} is not kept: ODCS has no place for it`);
    }
  }
  const custom: CustomProperty[] =
    typeof root["schema-id"] === "number" ? [{ property: "schemaId", value: root["schema-id"] }] : [];
  const description = metadata ? tableMetadata(ctx, metadata, reader.topLevel, custom) : undefined;
  if (ctx.issues.some((i) => i.severity === "error")) return { value: {}, issues: ctx.issues };
  const name = options.name ?? baseName(src.file);
  return {
    value: compact({
      apiVersion: "v3.1.0",
      kind: "DataContract",
      id: name,
      name,
      version: "1.0.0",
      status: "draft",
      schema: [compact({ name, physicalType: "table", description, properties, customProperties: custom })],
    }),
    issues: ctx.issues,
  };
}

/** Table state that is not part of a contract: read past without a warning. */
const stateKeys = new Set([
  "format-version",
  "table-uuid",
  "location",
  "last-updated-ms",
  "last-column-id",
  "last-partition-id",
  "last-sequence-number",
  "next-row-id",
  "schemas",
  "schema",
  "current-schema-id",
  "partition-specs",
  "partition-spec",
  "default-spec-id",
  "properties",
  "snapshots",
  "current-snapshot-id",
  "snapshot-log",
  "metadata-log",
  "refs",
  "statistics",
  "partition-statistics",
  "sort-orders",
  "default-sort-order-id",
]);

/**
 * What table metadata adds to its schema: the default partition spec (→ `partitioned`), the
 * table's `comment` (→ description) and other properties (→ custom property `tableProperties`).
 * Returns the description.
 */
function tableMetadata(
  ctx: ConvertContext,
  metadata: JsonObject,
  topLevel: Map<number, JsonObject>,
  custom: CustomProperty[],
): string | undefined {
  let specPath: Path = ["partition-spec"];
  let spec: unknown = metadata["partition-spec"];
  if (Array.isArray(metadata["partition-specs"])) {
    const index = metadata["partition-specs"].findIndex(
      (p) => isObject(p) && p["spec-id"] === metadata["default-spec-id"],
    );
    const chosen = metadata["partition-specs"][index];
    spec = isObject(chosen) ? chosen.fields : undefined;
    specPath = ["partition-specs", index, "fields"];
  }
  if (Array.isArray(spec)) {
    spec.forEach((raw, i) => {
      const field = isObject(raw) ? raw : {};
      const property = topLevel.get(Number(field["source-id"]));
      if (!property) {
        ctx.warn([...specPath, i], "iceberg-unmapped", "a partition of a nested field is not kept");
        return;
      }
      property.partitioned = true;
      property.partitionKeyPosition = i + 1;
      if (field.transform !== "identity") {
        const list = (property.customProperties as CustomProperty[] | undefined) ?? [];
        list.push({ property: "partitionTransform", value: field.transform });
        property.customProperties = list;
      }
    });
  }
  const sortOrders = Array.isArray(metadata["sort-orders"]) ? metadata["sort-orders"] : [];
  sortOrders.forEach((order, i) => {
    if (isObject(order) && Array.isArray(order.fields) && order.fields.length > 0) {
      ctx.warn(["sort-orders", i], "iceberg-unmapped", "a sort order is not kept: ODCS has no sort orders");
    }
  });
  for (const key of Object.keys(metadata)) {
    if (!stateKeys.has(key)) ctx.warn([key], "iceberg-unmapped", `${key} is not kept: ODCS has no place for it`);
  }
  const properties = isObject(metadata.properties) ? { ...metadata.properties } : {};
  const comment = typeof properties.comment === "string" ? properties.comment : undefined;
  delete properties.comment;
  if (Object.keys(properties).length > 0) custom.push({ property: "tableProperties", value: properties });
  return comment;
}

class FieldReader {
  readonly topLevel = new Map<number, JsonObject>();
  private readonly ids = new Set<number>();
  private count = 0;

  constructor(private readonly ctx: ConvertContext) {}

  struct(fields: unknown, path: Path, depth: number): JsonObject[] {
    const list = this.ctx.list(fields, path, "fields") ?? [];
    const names = new Set<string>();
    return list.flatMap((raw, i) => {
      const property = this.field(raw, [...path, i], depth);
      if (!property) return [];
      if (names.has(String(property.name)))
        this.ctx.error([...path, i, "name"], "iceberg-duplicate", `field ${property.name} is defined twice`);
      names.add(String(property.name));
      return [property];
    });
  }

  private id(value: unknown, path: Path): number | undefined {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      this.ctx.error(path, "iceberg-field-id", `a field id must be a whole number; got ${JSON.stringify(value)}`);
      return undefined;
    }
    if (this.ids.has(value)) {
      this.ctx.error(path, "iceberg-duplicate-id", `field id ${value} is used twice`);
      return undefined;
    }
    this.ids.add(value);
    return value;
  }

  private field(raw: unknown, path: Path, depth: number): JsonObject | undefined {
    const ctx = this.ctx;
    if (++this.count > formatLimits.maxElements) {
      if (this.count === formatLimits.maxElements + 1)
        ctx.error(path, "iceberg-too-large", `more than ${formatLimits.maxElements} fields`);
      return undefined;
    }
    const field = ctx.object(raw, path, "a field");
    if (!field) return undefined;
    if (typeof field.name !== "string" || field.name === "") {
      ctx.error(path, "iceberg-field-name", "a field needs a name");
      return undefined;
    }
    const id = this.id(field.id, [...path, "id"]);
    if (typeof field.required !== "boolean") {
      ctx.error([...path, "required"], "iceberg-field-required", `field ${field.name} needs required: true or false`);
    }
    for (const key of Object.keys(field)) {
      if (!fieldKeys.has(key))
        ctx.warn([...path, key], "iceberg-unmapped", `${key} is not kept: ODCS has no place for it`);
    }
    const type = this.type(field.type, [...path, "type"], depth);
    if (!type || id === undefined) return undefined;
    const custom: CustomProperty[] = [{ property: "fieldId", value: id }];
    for (const key of ["initial-default", "write-default"]) {
      if (field[key] !== undefined) custom.push({ property: key, value: field[key] });
    }
    const property = compact({
      name: field.name,
      ...type,
      description: ctx.text(field.doc, [...path, "doc"]),
      required: field.required === true || undefined,
      customProperties: [...custom, ...((type.customProperties as CustomProperty[] | undefined) ?? [])],
    });
    if (depth === 1) this.topLevel.set(id, property);
    return property;
  }

  /** The logical and physical type of a field's or an element's type, with nested properties or items. */
  private type(type: unknown, path: Path, depth: number): JsonObject | undefined {
    const ctx = this.ctx;
    if (depth > formatLimits.maxDepth) {
      ctx.error(path, "iceberg-too-deep", `types nest more than ${formatLimits.maxDepth} levels deep`);
      return undefined;
    }
    if (typeof type === "string") {
      const primitive = parsePrimitive(type);
      if (!primitive) {
        ctx.error(path, "iceberg-unknown-type", `${type} is not an Iceberg type (known: ${primitiveNames.join(", ")})`);
        return undefined;
      }
      const options = compact({
        timezone: primitive.timezone === true ? true : undefined,
        format: primitive.format,
      });
      return compact({
        logicalType: primitive.logicalType,
        physicalType: primitive.type,
        logicalTypeOptions: options,
      });
    }
    const nested = ctx.object(type, path, "a type");
    if (!nested) {
      if (type === undefined) ctx.error(path, "iceberg-field-type", "a field needs a type");
      return undefined;
    }
    switch (nested.type) {
      case "struct": {
        const properties = this.struct(nested.fields, [...path, "fields"], depth + 1);
        return { logicalType: "object", physicalType: "struct", properties };
      }
      case "list": {
        const id = this.id(nested["element-id"], [...path, "element-id"]);
        const element = this.type(nested.element, [...path, "element"], depth + 1);
        if (!element || id === undefined) return undefined;
        return {
          logicalType: "array",
          physicalType: "list",
          items: compact({
            ...element,
            required: nested["element-required"] === true || undefined,
            customProperties: [{ property: "fieldId", value: id }, ...((element.customProperties as []) ?? [])],
          }),
        };
      }
      case "map": {
        const keyId = this.id(nested["key-id"], [...path, "key-id"]);
        const valueId = this.id(nested["value-id"], [...path, "value-id"]);
        const key = typeof nested.key === "string" ? parsePrimitive(nested.key) : undefined;
        const value = typeof nested.value === "string" ? parsePrimitive(nested.value) : undefined;
        if (!key || !value) {
          // ODCS has no map type: a map of primitives is spelled in physicalType, anything else is refused.
          ctx.error(
            path,
            "iceberg-map-unsupported",
            "only maps of primitive keys and values can be read: ODCS has no map type",
          );
          return undefined;
        }
        if (keyId === undefined || valueId === undefined) return undefined;
        return {
          logicalType: "object",
          physicalType: `map<${key.type}, ${value.type}>`,
          customProperties: [
            { property: "keyId", value: keyId },
            { property: "valueId", value: valueId },
            ...(nested["value-required"] === true ? [{ property: "valueRequired", value: true }] : []),
          ],
        };
      }
      default:
        ctx.error(
          [...path, "type"],
          "iceberg-unknown-type",
          `${JSON.stringify(nested.type)} is not an Iceberg nested type (struct, list, map)`,
        );
        return undefined;
    }
  }
}
