import type { Path } from "../../issues.js";
import type { SchemaItemProperty, SchemaObject, SchemaProperty } from "../../spec/odcs/model.js";
import {
  allowedValuesOf,
  decimalOf,
  logicalTypeOf,
  objectsOf,
  objectsToExport,
  primaryKeyOf,
  propertiesOf,
} from "../contract-view.js";
import { ConvertContext, compact, type JsonObject } from "../convert-context.js";
import { type ExportFile, type ExportInput, type ExportResult, formatLimits } from "../format.js";
import { parsePrimitive, typeForLogical } from "./types.js";

type Element = SchemaProperty | SchemaItemProperty;

/** Iceberg types that cannot be identifier fields (the spec forbids floating point and nesting). */
const notIdentifier = /^(float|double|struct|list|map)/;

/**
 * Writes each schema object as an Iceberg table schema (spec v2). Field ids are assigned in order
 * the way Iceberg assigns fresh ids (a struct's fields first, then what they nest), unless every
 * element carries the `fieldId` an import kept: then those ids are written again.
 */
export function exportIceberg(input: ExportInput): ExportResult {
  const ctx = new ConvertContext(input.source);
  const all = objectsOf(input.contract);
  const objects = objectsToExport(ctx, all, input.options.schema, "iceberg-no-object");
  if (!objects) return { files: [], issues: ctx.issues };
  const files: ExportFile[] = objects.map((object) => {
    const path: Path = ["schema", all.indexOf(object)];
    const schema = new SchemaWriter(ctx, object, path).schema();
    const name = object.physicalName ?? object.name;
    return { path: `${name}.json`, content: `${JSON.stringify(schema, null, 2)}\n`, mediaType: "application/json" };
  });
  return { files, issues: ctx.issues };
}

class SchemaWriter {
  private next = 1;
  private readonly keep: boolean;

  constructor(
    private readonly ctx: ConvertContext,
    private readonly object: SchemaObject,
    private readonly path: Path,
  ) {
    const ids = keptIds(object);
    this.keep = ids !== undefined;
    if (ids) this.next = Math.max(0, ...ids) + 1;
  }

  schema(): JsonObject {
    const { object, path, ctx } = this;
    if (object.description)
      ctx.warn([...path, "description"], "iceberg-unmapped", "a table schema has no description; not written");
    if (object.quality?.length) ctx.warn([...path, "quality"], "iceberg-unmapped", "quality rules are not written");
    if (object.relationships?.length || propertiesOf(object).some((p) => p.relationships?.length)) {
      ctx.warn(path, "iceberg-unmapped", "Iceberg schemas have no foreign keys; relationships are not written");
    }
    propertiesOf(object).forEach((p, i) => {
      if (p.partitioned) {
        ctx.warn(
          [...path, "properties", i, "partitioned"],
          "iceberg-unmapped",
          "partitioning is table metadata, not part of a schema; not written",
        );
      }
    });
    const fields = this.struct(propertiesOf(object), [...path, "properties"], 1);
    const identifiers = primaryKeyOf(object).flatMap((p) => {
      const field = fields.find((f) => f.name === (p.physicalName ?? p.name));
      const i = propertiesOf(object).indexOf(p);
      if (!field) return [];
      if (typeof field.type !== "string" || notIdentifier.test(field.type)) {
        ctx.warn(
          [...path, "properties", i, "primaryKey"],
          "iceberg-identifier",
          `${p.name} cannot be an identifier field (type ${JSON.stringify(field.type)}); not written as one`,
        );
        return [];
      }
      if (field.required !== true) {
        ctx.warn(
          [...path, "properties", i, "primaryKey"],
          "iceberg-identifier",
          `identifier field ${p.name} is written as required, as Iceberg demands`,
        );
        field.required = true;
      }
      return [field.id as number];
    });
    const kept = object.customProperties?.find((c) => c.property === "schemaId")?.value;
    const schemaId = typeof kept === "number" && Number.isInteger(kept) ? kept : 0;
    return compact({ type: "struct", "schema-id": schemaId, "identifier-field-ids": identifiers, fields });
  }

  private id(element: Element, key = "fieldId"): number {
    if (this.keep) {
      const kept = element.customProperties?.find((c) => c.property === key)?.value;
      if (typeof kept === "number") return kept;
    }
    return this.next++;
  }

  /** Ids of a struct's own fields first, then of what they nest: Iceberg's order for fresh ids. */
  private struct(properties: SchemaProperty[], path: Path, depth: number): JsonObject[] {
    if (depth > formatLimits.maxDepth) {
      this.ctx.error(path, "iceberg-too-deep", `properties nest more than ${formatLimits.maxDepth} levels deep`);
      return [];
    }
    const ids = properties.map((p) => this.id(p));
    return properties.map((p, i) =>
      compact({
        id: ids[i],
        name: p.physicalName ?? p.name,
        required: p.required === true,
        type: this.type(p, [...path, i], depth),
        doc: p.description,
        ...defaults(p),
      }),
    );
  }

  private type(element: Element, path: Path, depth: number): unknown {
    const ctx = this.ctx;
    const logical = logicalTypeOf(element);
    this.unwritten(element, path);
    if (logical === "array") {
      const items: SchemaItemProperty = element.items ?? { logicalType: "string" };
      if (!element.items) ctx.warn(path, "iceberg-no-items", "an array without items is written as a list of string");
      const elementId = this.id(items);
      return {
        type: "list",
        "element-id": elementId,
        element: this.type(items, [...path, "items"], depth + 1),
        "element-required": items.required === true,
      };
    }
    const nested = propertiesOf(element);
    if (logical === "object" && nested.length > 0) {
      return { type: "struct", fields: this.struct(nested, [...path, "properties"], depth + 1) };
    }
    if (logical === "object") {
      const map = /^map\s*<\s*([^,<>]+?)\s*,\s*([^<>]+?)\s*>$/i.exec(element.physicalType ?? "");
      const key = map ? parsePrimitive(map[1] ?? "") : undefined;
      const value = map ? parsePrimitive(map[2] ?? "") : undefined;
      if (!key || !value)
        ctx.warn(path, "iceberg-object", "an object without properties is written as a map<string, string>");
      const keyId = this.id(element, "keyId");
      const valueId = this.id(element, "valueId");
      const valueRequired = element.customProperties?.some((c) => c.property === "valueRequired" && c.value === true);
      return {
        type: "map",
        "key-id": keyId,
        key: key?.type ?? "string",
        "value-id": valueId,
        value: value?.type ?? "string",
        "value-required": valueRequired === true,
      };
    }
    const physical = element.physicalType ? parsePrimitive(element.physicalType) : undefined;
    if (physical && physical.logicalType === logical) return physical.type;
    const options = element.logicalTypeOptions;
    if (logical === "string" && options?.format === "uuid") return "uuid";
    if (logical === "timestamp") return options?.timezone === true ? "timestamptz" : "timestamp";
    if (logical === "number") {
      const d = decimalOf(element.physicalType);
      if (d && d.precision >= 1 && d.precision <= 38) return `decimal(${d.precision}, ${d.scale})`;
    }
    return typeForLogical[logical];
  }

  private unwritten(element: Element, path: Path): void {
    const options = Object.keys(element.logicalTypeOptions ?? {}).filter((k) => k !== "timezone" && k !== "format");
    if (options.length > 0) {
      this.ctx.warn(
        [...path, "logicalTypeOptions"],
        "iceberg-unmapped",
        `${options.join(", ")} not written: Iceberg types have no such constraints`,
      );
    }
    if (allowedValuesOf(element)) {
      this.ctx.warn([...path, "quality"], "iceberg-unmapped", "a value set is not written: Iceberg has no enums");
    }
  }
}

/**
 * The ids an import kept on every element (fields, list elements, map keys and values), when all
 * are there and unique; otherwise ids are assigned afresh so none is ever written twice.
 */
function keptIds(object: SchemaObject): number[] | undefined {
  const ids: number[] = [];
  let complete = true;
  const get = (e: Element, key: string) => {
    const v = e.customProperties?.find((c) => c.property === key)?.value;
    if (typeof v === "number" && Number.isInteger(v) && v >= 0) ids.push(v);
    else complete = false;
  };
  const walk = (e: Element, depth: number) => {
    if (depth > formatLimits.maxDepth) return;
    const logical = logicalTypeOf(e);
    if (logical === "array") {
      if (!e.items) complete = false;
      else {
        get(e.items, "fieldId");
        walk(e.items, depth + 1);
      }
    } else if (logical === "object" && propertiesOf(e).length > 0) {
      for (const p of propertiesOf(e)) {
        get(p, "fieldId");
        walk(p, depth + 1);
      }
    } else if (logical === "object") {
      get(e, "keyId");
      get(e, "valueId");
    }
  };
  for (const p of propertiesOf(object)) {
    get(p, "fieldId");
    walk(p, 1);
  }
  return complete && new Set(ids).size === ids.length ? ids : undefined;
}

/** `initial-default` and `write-default` an import kept as custom properties. */
function defaults(p: SchemaProperty): JsonObject {
  const out: JsonObject = {};
  for (const c of p.customProperties ?? []) {
    if (c.property === "initial-default" || c.property === "write-default") out[c.property] = c.value;
  }
  return out;
}
