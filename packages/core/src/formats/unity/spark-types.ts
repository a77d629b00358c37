import { isObject, type JsonObject } from "../convert-context.js";
import { formatLimits } from "../format.js";
import {
  type HiveField,
  type HiveType,
  HiveTypeError,
  hivePrimitives,
  parseHiveType,
  UnknownHiveType,
} from "../glue/hive-types.js";

/** Spark's JSON names of primitives → the names Databricks prints in `type_text`. */
const sparkToHive: Record<string, string> = { integer: "int", long: "bigint", short: "smallint", byte: "tinyint" };
const hiveToSpark: Record<string, string> = {
  int: "integer",
  integer: "integer",
  bigint: "long",
  smallint: "short",
  tinyint: "byte",
};

/** The metadata key Spark keeps a CHAR/VARCHAR's declared type in (the JSON type says only `string`). */
const charVarchar = "__CHAR_VARCHAR_TYPE_STRING";

/**
 * Reads a Spark DataType as JSON (`"long"`, `{"type": "struct", "fields": [...]}`,
 * `{"type": "array", "elementType": ..., "containsNull": true}`, `{"type": "map", ...}`) into the
 * Hive type tree Glue's reader uses. Throws HiveTypeError (offset 0) on what is not a Spark type.
 */
export function sparkType(json: unknown, depth = 1, metadata: JsonObject = {}): HiveType {
  if (depth > formatLimits.maxDepth)
    throw new HiveTypeError(`the type nests more than ${formatLimits.maxDepth} levels deep`, 0);
  if (typeof json === "string") {
    const declared = metadata[charVarchar];
    const text = typeof declared === "string" && json === "string" ? declared : json;
    const renamed = text.replace(/^[a-z_]+/i, (n) => sparkToHive[n.toLowerCase()] ?? n);
    const parsed = parseHiveType(renamed);
    if (parsed.kind !== "primitive") throw new HiveTypeError(`${json} is not a Spark primitive type name`, 0);
    return parsed;
  }
  if (!isObject(json)) throw new HiveTypeError(`a Spark type is a name or an object; got ${JSON.stringify(json)}`, 0);
  switch (json.type) {
    case "struct": {
      if (!Array.isArray(json.fields)) throw new HiveTypeError("a struct type needs fields", 0);
      return { kind: "struct", fields: json.fields.map((f) => sparkField(f, depth + 1)) };
    }
    case "array":
      return {
        kind: "array",
        element: sparkType(json.elementType, depth + 1),
        ...(json.containsNull === false ? { containsNull: false } : {}),
      };
    case "map":
      return {
        kind: "map",
        key: sparkType(json.keyType, depth + 1),
        value: sparkType(json.valueType, depth + 1),
        ...(json.valueContainsNull === false ? { valueContainsNull: false } : {}),
      };
    case "udt":
      throw new UnknownHiveType(
        `user-defined type ${String(json.class ?? json.pyClass ?? "")} has no ODCS logical type`,
        0,
      );
    default:
      throw new HiveTypeError(`${JSON.stringify(json.type)} is not a Spark type (struct, array, map or a name)`, 0);
  }
}

/** One Spark StructField: `{name, type, nullable, metadata: {comment}}`. */
export function sparkField(json: unknown, depth = 1): HiveField {
  if (!isObject(json) || typeof json.name !== "string")
    throw new HiveTypeError(`a Spark field is {name, type, nullable}; got ${JSON.stringify(json)?.slice(0, 60)}`, 0);
  const metadata = isObject(json.metadata) ? json.metadata : {};
  const field: HiveField = { name: json.name, type: sparkType(json.type, depth, metadata) };
  if (typeof metadata.comment === "string" && metadata.comment !== "") field.comment = metadata.comment;
  if (json.nullable === false) field.nullable = false;
  return field;
}

/** The Spark JSON of a Hive type (what `type_json` holds), and the metadata a CHAR/VARCHAR needs. */
export function toSparkType(type: HiveType): { type: unknown; metadata?: JsonObject } {
  switch (type.kind) {
    case "primitive": {
      if (type.name === "varchar" || type.name === "char")
        return { type: "string", metadata: { [charVarchar]: `${type.name}(${type.args.join(",")})` } };
      const name = hiveToSpark[type.name] ?? type.name;
      return { type: type.args.length > 0 ? `${name}(${type.args.join(",")})` : name };
    }
    case "array":
      return {
        type: { type: "array", elementType: toSparkType(type.element).type, containsNull: type.containsNull ?? true },
      };
    case "map":
      return {
        type: {
          type: "map",
          keyType: toSparkType(type.key).type,
          valueType: toSparkType(type.value).type,
          valueContainsNull: type.valueContainsNull ?? true,
        },
      };
    case "struct":
      return { type: { type: "struct", fields: type.fields.map(toSparkField) } };
  }
}

export function toSparkField(field: HiveField): JsonObject {
  const { type, metadata } = toSparkType(field.type);
  return {
    name: field.name,
    type,
    nullable: field.nullable !== false,
    metadata: { ...(metadata ?? {}), ...(field.comment ? { comment: field.comment } : {}) },
  };
}

/** Unity's `type_name` of a type: `LONG`, `DECIMAL`, `STRUCT`... */
export function unityTypeName(type: HiveType): string {
  if (type.kind !== "primitive") return type.kind.toUpperCase();
  if (type.name === "varchar") return "STRING";
  return (hiveToSpark[type.name] ?? type.name).toUpperCase();
}

export { hivePrimitives };
