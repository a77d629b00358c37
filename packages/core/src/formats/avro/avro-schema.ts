import type { SchemaItemProperty, SchemaObject, SchemaProperty } from "../../spec/odcs/model.js";
import { allowedValuesOf, decimalOf, isPlainValueSet, logicalTypeOf, propertiesOf } from "../contract-view.js";
import { type ConvertContext, compact, type JsonObject } from "../convert-context.js";

/**
 * Contract objects as Avro schemas (plain JSON, the `.avsc` form), shared by the `avro` and
 * `avro-idl` exports so both write the same types, names and attributes.
 */

/** Attribute holding a name Avro refuses, so the import gives the element its name back. */
export const nameAttribute = "quanta.name";
/** Attribute holding what Avro cannot state (keys, physical types, rules), read back by the import. */
export const odcsAttribute = "quanta.odcs";

const avroName = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isAvroName(name: string): boolean {
  return avroName.test(name);
}

/** A valid Avro name for `name`: characters outside [A-Za-z0-9_] become `_`, a leading digit gets `_`. */
export function toAvroName(name: string): string {
  let id = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9_]/g, "_");
  if (id === "" || /^_*$/.test(id)) id = `_${id}field`;
  if (/^[0-9]/.test(id)) id = `_${id}`;
  return id;
}

/** `shop.orders` and `1 bad.ns` → a valid dotted namespace. */
export function toAvroNamespace(value: string): string {
  return value
    .split(".")
    .filter(Boolean)
    .map((part) => toAvroName(part))
    .join(".");
}

const propertyCarried = [
  "id",
  "businessName",
  "physicalName",
  "physicalType",
  "primaryKey",
  "primaryKeyPosition",
  "unique",
  "partitioned",
  "partitionKeyPosition",
  "classification",
  "criticalDataElement",
  "tags",
  "examples",
  "relationships",
  "customProperties",
  "authoritativeDefinitions",
  "transformSourceObjects",
  "transformLogic",
  "transformDescription",
] as const;

const objectCarried = [
  "id",
  "businessName",
  "physicalName",
  "physicalType",
  "dataGranularityDescription",
  "tags",
  "quality",
  "relationships",
  "customProperties",
] as const;

type Element = SchemaProperty | SchemaItemProperty;
type Path = (string | number)[];

const intTypes = /^(int|integer|int4|int2|smallint|tinyint|int32|int16|int8|mediumint)$/i;
const floatTypes = /^(float|real|float4|float32)$/i;

export class AvroSchemaWriter {
  /** Full names already given to records and enums: Avro names must be unique in a schema. */
  private readonly taken = new Set<string>();

  constructor(
    private readonly ctx: ConvertContext,
    private readonly format: string,
  ) {}

  private uniqueName(base: string): string {
    let name = base;
    for (let n = 2; this.taken.has(name); n++) name = `${base}_${n}`;
    this.taken.add(name);
    return name;
  }

  /** One record for a schema object. */
  record(object: SchemaObject, path: Path, namespace: string | undefined): JsonObject {
    const name = this.uniqueName(toAvroName(object.name));
    const kept = compact(Object.fromEntries(objectCarried.map((k) => [k, (object as unknown as JsonObject)[k]])));
    if (object.quality?.length) {
      this.ctx.warn(
        [...path, "quality"],
        "export-not-representable",
        `${this.format} does not check the quality rules of ${object.name}; they are kept in ${odcsAttribute}`,
      );
    }
    return compact({
      type: "record",
      name,
      namespace,
      doc: typeof object.description === "string" ? object.description : undefined,
      fields: this.fields(propertiesOf(object), [...path, "properties"], name),
      [nameAttribute]: name === object.name ? undefined : object.name,
      [odcsAttribute]: kept,
    });
  }

  private fields(props: SchemaProperty[], path: Path, owner: string): JsonObject[] {
    const used = new Set<string>();
    return props.map((p, i) => {
      let name = toAvroName(p.name);
      for (let n = 2; used.has(name); n++) name = `${toAvroName(p.name)}_${n}`;
      used.add(name);
      const at = [...path, i];
      const { type, kept } = this.type(p, at, `${owner}_${name}`);
      const nullable = p.required !== true;
      return compact({
        name,
        doc: typeof p.description === "string" ? p.description : undefined,
        type: nullable ? ["null", type] : type,
        default: nullable ? null : undefined,
        [nameAttribute]: name === p.name ? undefined : p.name,
        [odcsAttribute]: kept,
      });
    });
  }

  /** The Avro type of a property or array item, and what Avro cannot say about it. */
  type(p: Element, path: Path, typeName: string): { type: unknown; kept: JsonObject } {
    const logical = logicalTypeOf(p);
    const options = (p.logicalTypeOptions ?? {}) as JsonObject;
    const kept: JsonObject = compact(Object.fromEntries(propertyCarried.map((k) => [k, (p as JsonObject)[k]])));
    if (p.logicalType === undefined) kept.logicalType = null;
    if (Object.keys(options).length > 0) kept.logicalTypeOptions = options;
    const rules = (p.quality ?? []).filter((q) => !isPlainValueSet(q));
    const values = allowedValuesOf(p);
    const enumerable =
      values !== undefined &&
      values.length > 0 &&
      values.every((v) => typeof v === "string" && isAvroName(v)) &&
      new Set(values).size === values.length;
    if (values && !enumerable) kept.validValues = values;
    if (rules.length > 0) kept.quality = rules;
    const lost = [
      ...(Object.keys(options).length > 0 ? [Object.keys(options).join(", ")] : []),
      ...(p.primaryKey ? ["primary key"] : []),
      ...(p.unique ? ["uniqueness"] : []),
      ...(p.relationships?.length ? ["foreign keys"] : []),
      // A value set with more to say (dimension, severity) is still checked, by the enum.
      ...(rules.some((q) => !(enumerable && q.metric === "invalidValues" && q.arguments?.validValues))
        ? ["quality rules"]
        : []),
      ...(values && !enumerable ? ["a value set whose values are not Avro enum symbols"] : []),
    ];
    if (lost.length > 0) {
      this.ctx.warn(
        path,
        "export-not-representable",
        `${this.format} cannot check ${lost.join(", ")}; kept in ${odcsAttribute}`,
      );
    }
    let type: unknown;
    switch (logical) {
      case "string":
        type = enumerable
          ? { type: "enum", name: this.uniqueName(typeName), symbols: values }
          : options.format === "uuid"
            ? { type: "string", logicalType: "uuid" }
            : "string";
        break;
      case "integer":
        type = intTypes.test(p.physicalType?.trim() ?? "") ? "int" : "long";
        break;
      case "number": {
        const decimal = decimalOf(p.physicalType);
        type = decimal
          ? { type: "bytes", logicalType: "decimal", precision: decimal.precision, scale: decimal.scale }
          : floatTypes.test(p.physicalType?.trim() ?? "")
            ? "float"
            : "double";
        break;
      }
      case "boolean":
        type = "boolean";
        break;
      case "date":
        type = { type: "int", logicalType: "date" };
        break;
      case "timestamp":
        type = {
          type: "long",
          logicalType: options.timezone === false ? "local-timestamp-millis" : "timestamp-millis",
        };
        break;
      case "time":
        type = { type: "int", logicalType: "time-millis" };
        break;
      case "object": {
        const name = this.uniqueName(typeName);
        type = { type: "record", name, fields: this.fields(propertiesOf(p), [...path, "properties"], name) };
        break;
      }
      case "array": {
        if (!p.items) {
          this.ctx.warn(path, "export-not-representable", "an array without items is written as an array of strings");
          type = { type: "array", items: "string" };
          break;
        }
        const item = this.type(p.items, [...path, "items"], `${typeName}_item`);
        type = compact({ type: "array", items: item.type, [odcsAttribute]: item.kept });
        break;
      }
    }
    return { type, kept };
  }
}
