import type { Issue, Path } from "../../issues.js";
import type { SourceDocument } from "../../spec/source.js";
import { ConvertContext, compact, isObject, type JsonObject } from "../convert-context.js";
import { type FormatOptions, formatLimits, type ImportResult } from "../format.js";
import { readDocument, TextSource } from "../text-source.js";
import { parseDdl } from "./ddl.js";
import { baseName, ddlType, knownTypes, primitiveFromJson, type SparkField, type SparkType } from "./types.js";

/** Spark keeps CHAR/VARCHAR in a field's metadata under this key; the JSON type says `string`. */
const charVarcharKey = "__CHAR_VARCHAR_TYPE_STRING";

/**
 * Reads a Spark schema, either the StructType JSON (`df.schema.json()`) or a DDL column list
 * (`id BIGINT NOT NULL, name STRING COMMENT '...'`), into an ODCS contract with one schema object.
 */
export function importSpark(file: string, text: string, options: FormatOptions): ImportResult {
  const name = options.name ?? baseName(file);
  const trimmed = text.trimStart();
  let fields: SparkField[] | undefined;
  let issues: Issue[];
  let duplicate: (field: SparkField) => void;
  if (trimmed.startsWith("{")) {
    const src = readDocument({ file, bytes: new TextEncoder().encode(text) });
    const ctx = new ConvertContext(src);
    ctx.issues.push(...src.issues);
    if (src.readable) fields = new JsonReader(ctx).root(src);
    issues = ctx.issues;
    duplicate = (f) =>
      ctx.error([...((f.at as Path) ?? []), "name"], "spark-duplicate", `column ${f.name} is defined twice`);
  } else {
    const src = new TextSource(file, text);
    fields = parseDdl(src);
    issues = src.issues;
    duplicate = (f) =>
      src.error(typeof f.at === "number" ? f.at : 0, "spark-duplicate", `column ${f.name} is defined twice`);
  }
  if (!fields || issues.some((i) => i.severity === "error")) return { value: {}, issues };
  const seen = new Set<string>();
  for (const f of fields) {
    if (seen.has(f.name)) duplicate(f);
    seen.add(f.name);
  }
  if (issues.some((i) => i.severity === "error")) return { value: {}, issues };
  return {
    value: compact({
      apiVersion: "v3.1.0",
      kind: "DataContract",
      id: name,
      name,
      version: "1.0.0",
      status: "draft",
      schema: [{ name, physicalType: "table", properties: fields.map(property) }],
    }),
    issues,
  };
}

function property(field: SparkField): JsonObject {
  return compact({
    name: field.name,
    ...element(field.type),
    description: field.comment,
    required: field.nullable ? undefined : true,
  });
}

/** Logical and physical type of a value; `physicalType` is the Spark DDL spelling. */
function element(type: SparkType): JsonObject {
  switch (type.kind) {
    case "primitive": {
      const length = /^(?:VAR)?CHAR\((\d+)\)$/.exec(type.name);
      return compact({
        logicalType: type.logicalType,
        physicalType: type.name,
        logicalTypeOptions: length ? { maxLength: Number(length[1]) } : undefined,
      });
    }
    case "struct":
      return { logicalType: "object", physicalType: "STRUCT", properties: type.fields.map(property) };
    case "array":
      return {
        logicalType: "array",
        physicalType: "ARRAY",
        items: compact({ ...element(type.element), required: type.containsNull ? undefined : true }),
      };
    case "map":
      return { logicalType: "object", physicalType: ddlType(type) };
  }
}

class JsonReader {
  private count = 0;

  constructor(private readonly ctx: ConvertContext) {}

  root(src: SourceDocument): SparkField[] | undefined {
    const root = src.value;
    if (!isObject(root) || root.type !== "struct" || !Array.isArray(root.fields)) {
      this.ctx.error([], "spark-not-schema", 'not a Spark schema: expected {"type": "struct", "fields": [...]}');
      return undefined;
    }
    return this.fields(root.fields, ["fields"], 1);
  }

  private fields(list: unknown[], path: Path, depth: number): SparkField[] {
    return list.flatMap((raw, i) => {
      const f = this.field(raw, [...path, i], depth);
      return f ? [f] : [];
    });
  }

  private field(raw: unknown, path: Path, depth: number): SparkField | undefined {
    const ctx = this.ctx;
    if (++this.count > formatLimits.maxElements) {
      if (this.count === formatLimits.maxElements + 1)
        ctx.error(path, "spark-too-large", `more than ${formatLimits.maxElements} fields`);
      return undefined;
    }
    const field = ctx.object(raw, path, "a field");
    if (!field) return undefined;
    if (typeof field.name !== "string") {
      ctx.error(path, "spark-field-name", "a field needs a name");
      return undefined;
    }
    const metadata = field.metadata === undefined ? {} : ctx.object(field.metadata, [...path, "metadata"], "metadata");
    let typeValue = field.type;
    const charVarchar = metadata?.[charVarcharKey];
    if (typeof charVarchar === "string") typeValue = charVarchar;
    for (const key of Object.keys(metadata ?? {})) {
      if (key !== "comment" && key !== charVarcharKey) {
        ctx.warn([...path, "metadata", key], "spark-unmapped", `metadata ${key} is not kept`);
      }
    }
    for (const key of Object.keys(field)) {
      if (!["name", "type", "nullable", "metadata"].includes(key))
        ctx.warn([...path, key], "spark-unmapped", `${key} is not kept`);
    }
    const type = this.type(typeValue, [...path, "type"], depth);
    if (!type) return undefined;
    const comment = ctx.text(metadata?.comment, [...path, "metadata", "comment"]);
    return {
      name: field.name,
      type,
      nullable: field.nullable !== false,
      ...(comment !== undefined ? { comment } : {}),
      at: path,
    };
  }

  private type(value: unknown, path: Path, depth: number): SparkType | undefined {
    const ctx = this.ctx;
    if (depth > formatLimits.maxDepth) {
      ctx.error(path, "spark-too-deep", `types nest more than ${formatLimits.maxDepth} levels deep`);
      return undefined;
    }
    if (typeof value === "string") {
      const p = primitiveFromJson(value);
      if (!p) ctx.error(path, "spark-unknown-type", `${value} is not a Spark type (known: ${knownTypes.join(", ")})`);
      return p;
    }
    const t = ctx.object(value, path, "a type");
    if (!t) {
      if (value === undefined) ctx.error(path, "spark-field-type", "a field needs a type");
      return undefined;
    }
    switch (t.type) {
      case "struct": {
        const list = ctx.list(t.fields, [...path, "fields"], "fields") ?? [];
        return { kind: "struct", fields: this.fields(list, [...path, "fields"], depth + 1) };
      }
      case "array": {
        const element = this.type(t.elementType, [...path, "elementType"], depth + 1);
        return element && { kind: "array", element, containsNull: t.containsNull !== false };
      }
      case "map": {
        const key = this.type(t.keyType, [...path, "keyType"], depth + 1);
        const v = this.type(t.valueType, [...path, "valueType"], depth + 1);
        return key && v && { kind: "map", key, value: v, valueContainsNull: t.valueContainsNull !== false };
      }
      case "udt":
        ctx.error(path, "spark-udt", "user-defined types are not supported; give their sqlType instead");
        return undefined;
      default:
        ctx.error(
          [...path, "type"],
          "spark-unknown-type",
          `${JSON.stringify(t.type)} is not a Spark nested type (struct, array, map)`,
        );
        return undefined;
    }
  }
}
