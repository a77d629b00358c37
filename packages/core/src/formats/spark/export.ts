import type { Path } from "../../issues.js";
import type { SchemaItemProperty, SchemaProperty } from "../../spec/odcs/model.js";
import {
  allowedValuesOf,
  decimalOf,
  foreignKeysOf,
  logicalTypeOf,
  objectsOf,
  objectsToExport,
  primaryKeyOf,
  propertiesOf,
} from "../contract-view.js";
import { ConvertContext } from "../convert-context.js";
import { type ExportFile, type ExportInput, type ExportResult, formatLimits } from "../format.js";
import { parseDdlType } from "./ddl.js";
import { ddlField, jsonField, primitive, type SparkField, type SparkType } from "./types.js";

type Element = SchemaProperty | SchemaItemProperty;

const typeForLogical = {
  string: "STRING",
  integer: "BIGINT",
  number: "DOUBLE",
  boolean: "BOOLEAN",
  date: "DATE",
  timestamp: "TIMESTAMP",
} as const;

/**
 * Writes each schema object as a Spark schema: the StructType JSON `StructType.fromJson` /
 * `DataType.fromJson` reads (`syntax=json`), or the DDL column list `StructType.fromDDL` reads
 * (`syntax=ddl`). Names are kept as they are (JSON escapes them, DDL backquotes every one).
 */
export function exportSpark(input: ExportInput): ExportResult {
  const ctx = new ConvertContext(input.source);
  const all = objectsOf(input.contract);
  const objects = objectsToExport(ctx, all, input.options.schema, "spark-no-object");
  if (!objects) return { files: [], issues: ctx.issues };
  const ddl = input.options.syntax === "ddl";
  const files: ExportFile[] = objects.map((object) => {
    const path: Path = ["schema", all.indexOf(object)];
    if (primaryKeyOf(object).length > 0 || foreignKeysOf(object).length > 0) {
      ctx.warn(path, "spark-keys", "a Spark schema has no keys; primary and foreign keys are not written");
    }
    if (object.description) ctx.warn([...path, "description"], "spark-unmapped", "a Spark schema has no table comment");
    if (object.quality?.length) ctx.warn([...path, "quality"], "spark-unmapped", "quality rules are not written");
    propertiesOf(object).forEach((p, i) => {
      if (p.partitioned) {
        ctx.warn(
          [...path, "properties", i, "partitioned"],
          "spark-unmapped",
          "a Spark schema has no partitioning; not written",
        );
      }
    });
    const writer = new FieldWriter(ctx);
    const fields = writer.fields(propertiesOf(object), [...path, "properties"], 1);
    const name = object.physicalName ?? object.name;
    return ddl
      ? { path: `${name}.ddl`, content: `${fields.map((f) => ddlField(f)).join(",\n")}\n`, mediaType: "text/plain" }
      : {
          path: `${name}.json`,
          content: `${JSON.stringify({ type: "struct", fields: fields.map(jsonField) }, null, 2)}\n`,
          mediaType: "application/json",
        };
  });
  return { files, issues: ctx.issues };
}

class FieldWriter {
  constructor(private readonly ctx: ConvertContext) {}

  fields(properties: SchemaProperty[], path: Path, depth: number): SparkField[] {
    if (depth > formatLimits.maxDepth) {
      this.ctx.error(path, "spark-too-deep", `properties nest more than ${formatLimits.maxDepth} levels deep`);
      return [];
    }
    return properties.map((p, i) => ({
      name: p.physicalName ?? p.name,
      type: this.type(p, [...path, i], depth),
      nullable: p.required !== true,
      ...(p.description !== undefined ? { comment: p.description } : {}),
    }));
  }

  private type(element: Element, path: Path, depth: number): SparkType {
    const ctx = this.ctx;
    const logical = logicalTypeOf(element);
    this.unwritten(element, path);
    if (logical === "array") {
      if (!element.items) ctx.warn(path, "spark-no-items", "an array without items is written as ARRAY<STRING>");
      const items = element.items ?? { logicalType: "string" as const };
      return {
        kind: "array",
        element: this.type(items, [...path, "items"], depth + 1),
        containsNull: items.required !== true,
      };
    }
    const nested = propertiesOf(element);
    if (logical === "object" && nested.length > 0) {
      return { kind: "struct", fields: this.fields(nested, [...path, "properties"], depth + 1) };
    }
    const physical = element.physicalType ? parseDdlType(element.physicalType) : undefined;
    if (physical && sameLogical(physical, logical)) return physical;
    if (logical === "object") {
      ctx.warn(path, "spark-object", "an object without properties is written as MAP<STRING, STRING>");
      return { kind: "map", key: str, value: str, valueContainsNull: true };
    }
    if (logical === "time") {
      ctx.warn(path, "spark-time", "Spark has no TIME type; written as STRING");
      return str;
    }
    if (logical === "number") {
      const d = decimalOf(element.physicalType);
      const p = d ? primitive("decimal", [d.precision, d.scale]) : undefined;
      if (p) return p;
    }
    const maxLength = element.logicalTypeOptions?.maxLength;
    if (
      logical === "string" &&
      physical === undefined &&
      /^\s*(var)?char/i.test(element.physicalType ?? "") &&
      maxLength
    ) {
      return primitive("varchar", [maxLength]) ?? str;
    }
    return primitive(typeForLogical[logical]) ?? str;
  }

  private unwritten(element: Element, path: Path): void {
    const options = Object.keys(element.logicalTypeOptions ?? {});
    if (options.length > 0) {
      this.ctx.warn(
        [...path, "logicalTypeOptions"],
        "spark-unmapped",
        `${options.join(", ")} not written: Spark types have no such constraints`,
      );
    }
    if (allowedValuesOf(element)) {
      this.ctx.warn([...path, "quality"], "spark-unmapped", "a value set is not written: Spark has no enums");
    }
  }
}

const str: SparkType = { kind: "primitive", name: "STRING", logicalType: "string" };

function sameLogical(type: SparkType, logical: string): boolean {
  switch (type.kind) {
    case "primitive":
      return type.logicalType === logical;
    case "map":
      return logical === "object";
    default:
      return false;
  }
}
