import type { SchemaItemProperty, SchemaProperty } from "../../spec/odcs/model.js";
import { decimalOf, logicalTypeOf, propertiesOf } from "../contract-view.js";
import { compact, type JsonObject } from "../convert-context.js";
import { formatLimits } from "../format.js";

/**
 * Hive type strings as AWS Glue and Databricks print them (`decimal(12,2)`,
 * `array<struct<sku:string,price:double>>`, `map<string,int>`), parsed into a tree and turned into
 * ODCS properties, and back. Glue and Unity Catalog share this one grammar.
 */
export type HiveType =
  | { kind: "primitive"; name: string; args: number[] }
  | { kind: "array"; element: HiveType; containsNull?: boolean }
  | { kind: "map"; key: HiveType; value: HiveType; valueContainsNull?: boolean }
  | { kind: "struct"; fields: HiveField[] };

export interface HiveField {
  name: string;
  type: HiveType;
  comment?: string;
  /** Spark's `nullable` (type_json); Hive strings do not say. */
  nullable?: boolean;
}

/** Hive (and Spark) primitive names → ODCS logical types. */
export const hivePrimitives: Record<string, string> = {
  string: "string",
  varchar: "string",
  char: "string",
  binary: "string",
  tinyint: "integer",
  smallint: "integer",
  int: "integer",
  integer: "integer",
  bigint: "integer",
  // Spark's JSON names.
  byte: "integer",
  short: "integer",
  long: "integer",
  float: "number",
  double: "number",
  decimal: "number",
  numeric: "number",
  boolean: "boolean",
  date: "date",
  timestamp: "timestamp",
  timestamp_ntz: "timestamp",
  void: "string",
  variant: "object",
};

export class HiveTypeError extends Error {
  constructor(
    message: string,
    /** Offset in the type text where the problem is. */
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Parses a Hive type string; throws HiveTypeError with the offset of the problem. */
export function parseHiveType(text: string): HiveType {
  let at = 0;
  const space = () => {
    while (at < text.length && /\s/.test(text[at] as string)) at++;
  };
  const expect = (c: string) => {
    space();
    if (text[at] !== c)
      throw new HiveTypeError(
        `expected ${JSON.stringify(c)} at character ${at + 1} of ${JSON.stringify(text)}${at >= text.length ? " (it ends there)" : `, found ${JSON.stringify(text[at])}`}`,
        at,
      );
    at++;
  };
  const word = (): string => {
    space();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(at));
    if (!m) throw new HiveTypeError(`expected a type name at character ${at + 1} of ${JSON.stringify(text)}`, at);
    at += m[0].length;
    return m[0];
  };
  const fieldName = (): string => {
    space();
    if (text[at] === "`") {
      let name = "";
      at++;
      for (;;) {
        if (at >= text.length)
          throw new HiveTypeError(`the backquoted name is never closed in ${JSON.stringify(text)}`, at);
        if (text[at] === "`") {
          if (text[at + 1] === "`") {
            name += "`";
            at += 2;
            continue;
          }
          at++;
          return name;
        }
        name += text[at];
        at++;
      }
    }
    const m = /^[^\s:<>,`()]+/u.exec(text.slice(at));
    if (!m) throw new HiveTypeError(`expected a field name at character ${at + 1} of ${JSON.stringify(text)}`, at);
    at += m[0].length;
    return m[0];
  };
  const type = (depth: number): HiveType => {
    if (depth > formatLimits.maxDepth)
      throw new HiveTypeError(`the type nests more than ${formatLimits.maxDepth} levels deep`, at);
    const start = at;
    const name = word().toLowerCase();
    if (name === "array") {
      expect("<");
      const element = type(depth + 1);
      expect(">");
      return { kind: "array", element };
    }
    if (name === "map") {
      expect("<");
      const key = type(depth + 1);
      expect(",");
      const value = type(depth + 1);
      expect(">");
      return { kind: "map", key, value };
    }
    if (name === "struct") {
      expect("<");
      const fields: HiveField[] = [];
      space();
      if (text[at] === ">") {
        at++;
        return { kind: "struct", fields };
      }
      for (;;) {
        const n = fieldName();
        expect(":");
        const t = type(depth + 1);
        const field: HiveField = { name: n, type: t };
        space();
        if (/^comment\b/i.test(text.slice(at))) {
          at += "comment".length;
          space();
          const quote = text[at];
          if (quote !== "'" && quote !== '"')
            throw new HiveTypeError(`expected a quoted comment at character ${at + 1} of ${JSON.stringify(text)}`, at);
          const end = text.indexOf(quote, at + 1);
          if (end < 0) throw new HiveTypeError(`the comment is never closed in ${JSON.stringify(text)}`, at);
          field.comment = text.slice(at + 1, end);
          at = end + 1;
        }
        fields.push(field);
        space();
        if (text[at] === ",") {
          at++;
          continue;
        }
        expect(">");
        return { kind: "struct", fields };
      }
    }
    if (!(name in hivePrimitives))
      throw new UnknownHiveType(
        `${name} is not a Hive type (known: ${Object.keys(hivePrimitives).join(", ")}, array<…>, map<…,…>, struct<…>)`,
        start,
      );
    const args: number[] = [];
    space();
    if (text[at] === "(") {
      at++;
      for (;;) {
        space();
        const m = /^\d+/.exec(text.slice(at));
        if (!m) throw new HiveTypeError(`expected a number at character ${at + 1} of ${JSON.stringify(text)}`, at);
        args.push(Number(m[0]));
        at += m[0].length;
        space();
        if (text[at] === ",") {
          at++;
          continue;
        }
        expect(")");
        break;
      }
    }
    return { kind: "primitive", name, args };
  };
  const result = type(1);
  space();
  if (at < text.length)
    throw new HiveTypeError(
      `unexpected ${JSON.stringify(text.slice(at, at + 10))} after the type ${JSON.stringify(text.slice(0, at).trim())}`,
      at,
    );
  return result;
}

/** A type name Hive does not know (a warning: the column keeps its physical type). */
export class UnknownHiveType extends HiveTypeError {}

const plainField = /^[a-z_][a-z0-9_]*$/i;

/** Prints a type back the way Glue and Databricks spell it (names backquoted when not plain). */
export function printHiveType(type: HiveType): string {
  switch (type.kind) {
    case "primitive":
      return type.args.length > 0 ? `${type.name}(${type.args.join(",")})` : type.name;
    case "array":
      return `array<${printHiveType(type.element)}>`;
    case "map":
      return `map<${printHiveType(type.key)},${printHiveType(type.value)}>`;
    case "struct":
      return `struct<${type.fields
        .map(
          (f) => `${plainField.test(f.name) ? f.name : `\`${f.name.replaceAll("`", "``")}\``}:${printHiveType(f.type)}`,
        )
        .join(",")}>`;
  }
}

/** The ODCS shape of one value of a Hive type: logical and physical type, options, fields, items. */
export function propertyShape(type: HiveType): JsonObject {
  switch (type.kind) {
    case "primitive": {
      const logicalType = hivePrimitives[type.name];
      const maxLength =
        (type.name === "varchar" || type.name === "char") && type.args[0] !== undefined ? type.args[0] : undefined;
      return compact({
        logicalType,
        physicalType: printHiveType(type),
        logicalTypeOptions:
          maxLength !== undefined
            ? compact({ maxLength, minLength: type.name === "char" ? maxLength : undefined })
            : undefined,
      });
    }
    case "array":
      return { logicalType: "array", physicalType: printHiveType(type), items: propertyShape(type.element) };
    case "map":
      return { logicalType: "object", physicalType: printHiveType(type) };
    case "struct":
      return {
        logicalType: "object",
        physicalType: printHiveType(type),
        properties: type.fields.map((f) =>
          compact({
            name: f.name,
            description: f.comment || undefined,
            ...propertyShape(f.type),
            required: f.nullable === false ? true : undefined,
          }),
        ),
      };
  }
}

type Element = SchemaProperty | SchemaItemProperty;

/** What a contract's physical type says, when it is a Hive primitive of the property's logical type. */
function declaredPrimitive(element: Element, logical: string): HiveType | undefined {
  const physical = element.physicalType?.trim().toLowerCase();
  if (!physical) return undefined;
  const renamed = physical.replace(/^integer\b/, "int").replace(/^character varying\b/, "varchar");
  try {
    const t = parseHiveType(renamed);
    if (t.kind === "primitive" && hivePrimitives[t.name] === logical) {
      if (t.name === "decimal" || t.name === "numeric") return { kind: "primitive", name: "decimal", args: t.args };
      if (t.name === "long") return { kind: "primitive", name: "bigint", args: [] };
      if (t.name === "short") return { kind: "primitive", name: "smallint", args: [] };
      if (t.name === "byte") return { kind: "primitive", name: "tinyint", args: [] };
      if (t.name === "void" || t.name === "variant") return undefined;
      return t;
    }
    if (t.kind === "map" && logical === "object") return t;
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * The Hive type of a contract property: its physical type when that is a Hive type of the same
 * logical type, else the logical type's usual Hive type; objects and arrays from their fields
 * and items. `note` hears what Hive cannot say (a time of day, an untyped object).
 */
export function hiveTypeOf(element: Element, note: (message: string) => void, depth = 1): HiveType {
  const logical = logicalTypeOf(element);
  if (depth > formatLimits.maxDepth) {
    note(`nests more than ${formatLimits.maxDepth} levels deep; written as string`);
    return { kind: "primitive", name: "string", args: [] };
  }
  const declared = declaredPrimitive(element, logical);
  if (declared) return declared;
  switch (logical) {
    case "integer":
      return { kind: "primitive", name: "bigint", args: [] };
    case "number": {
      const d = decimalOf(element.physicalType);
      return d
        ? { kind: "primitive", name: "decimal", args: [d.precision, d.scale] }
        : { kind: "primitive", name: "double", args: [] };
    }
    case "boolean":
    case "date":
    case "timestamp":
      return { kind: "primitive", name: logical, args: [] };
    case "time":
      note("Hive has no time of day type; written as string");
      return { kind: "primitive", name: "string", args: [] };
    case "array": {
      const items = (element as SchemaProperty).items;
      if (!items) note("an array without items; written as array<string>");
      return {
        kind: "array",
        element: items ? hiveTypeOf(items, note, depth + 1) : { kind: "primitive", name: "string", args: [] },
      };
    }
    case "object": {
      const props = propertiesOf(element as SchemaProperty);
      if (props.length === 0) {
        note("an object without properties; written as map<string,string>");
        return {
          kind: "map",
          key: { kind: "primitive", name: "string", args: [] },
          value: { kind: "primitive", name: "string", args: [] },
        };
      }
      return {
        kind: "struct",
        fields: props.map(
          (p) =>
            compact({
              name: p.physicalName ?? p.name,
              type: hiveTypeOf(p, note, depth + 1),
              comment: p.description,
              nullable: p.required === true ? false : undefined,
            }) as HiveField,
        ),
      };
    }
    default:
      return { kind: "primitive", name: "string", args: [] };
  }
}
