import type { SchemaItemProperty, SchemaObject, SchemaProperty } from "../../spec/odcs/model.js";
import {
  allowedValuesOf,
  decimalOf,
  isPlainValueSet,
  logicalTypeOf,
  objectsOf,
  propertiesOf,
  selectObjects,
} from "../contract-view.js";
import { ConvertContext, compact, type JsonObject } from "../convert-context.js";
import type { ExportInput, ExportResult } from "../format.js";
import { pascalCase, snakeCase, toIdentifier } from "../names.js";
import { inputIssue } from "../text-source.js";

/**
 * A comment line that carries what a `.proto` cannot state (keys, physical types, options,
 * rules, original names), so `quanta import --format protobuf` gives them back.
 */
export const carryPrefix = "@quanta ";

const carriedKeys = [
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
  "logicalTypeOptions",
  "transformSourceObjects",
  "transformLogic",
  "transformDescription",
] as const;

const objectCarriedKeys = [
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

/** Words protobufjs and protoc treat as syntax where a field name stands. */
const reserved = new Set([
  "syntax",
  "import",
  "package",
  "option",
  "message",
  "enum",
  "service",
  "rpc",
  "returns",
  "oneof",
  "map",
  "extend",
  "extensions",
  "reserved",
  "optional",
  "required",
  "repeated",
  "stream",
  "to",
  "max",
  "weak",
  "public",
  "group",
  "true",
  "false",
  "inf",
  "nan",
  "edition",
]);

const intTypes = /^(int|integer|int4|int2|smallint|tinyint|int32|int16|int8|mediumint)$/i;
const floatTypes = /^(float|real|float4|float32)$/i;

type Element = SchemaProperty | SchemaItemProperty;
type Path = (string | number)[];

/** A Protobuf string literal: UTF-8 as it is (protoc and protobufjs read it), `\\` and `"` escaped. */
function protoString(value: string): string {
  const body = value
    .replace(/[\\"]/g, "\\$&")
    .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
  return `"${body}"`;
}

function comment(lines: string[], indent: string): string {
  return (
    lines
      .flatMap((l) => l.split("\n"))
      .map((l) => `${indent}// ${l}`.trimEnd())
      .join("\n") + (lines.length ? "\n" : "")
  );
}

/** The `@quanta {...}` line for what is kept, when anything is. */
function carried(kept: JsonObject): string[] {
  return Object.keys(kept).length > 0 ? [`${carryPrefix}${JSON.stringify(kept)}`] : [];
}

function describe(element: { description?: unknown }): string[] {
  return typeof element.description === "string" && element.description !== "" ? [element.description] : [];
}

class ProtoWriter {
  readonly imports = new Set<string>();

  constructor(private readonly ctx: ConvertContext) {}

  message(object: SchemaObject, path: Path, indent: string, name: string): string {
    const kept: JsonObject = compact(
      Object.fromEntries(objectCarriedKeys.map((k) => [k, (object as unknown as JsonObject)[k]])),
    );
    if (name !== object.name) kept.name = object.name;
    if (object.quality?.length) {
      this.ctx.warn(
        [...path, "quality"],
        "export-not-representable",
        `Protobuf does not check the quality rules of ${object.name}; they are kept in a ${carryPrefix.trim()} comment`,
      );
    }
    const head = comment([...describe(object), ...carried(kept)], indent);
    return `${head}${indent}message ${name} ${this.body(propertiesOf(object), [...path, "properties"], indent)}\n`;
  }

  private body(props: SchemaProperty[], path: Path, indent: string): string {
    const inner = `${indent}  `;
    const names = new Set<string>();
    const typeNames = new Set<string>();
    const nested: string[] = [];
    const fields = props.map((p, i) => {
      let field = toIdentifier(p.name, { reserved });
      for (let n = 2; names.has(field); n++) field = `${toIdentifier(p.name, { reserved })}_${n}`;
      names.add(field);
      const at = [...path, i];
      const base = /^[A-Za-z]/.test(pascalCase(p.name)) ? pascalCase(p.name) : `Field${i + 1}`;
      let typeName = base;
      for (let n = 2; typeNames.has(typeName); n++) typeName = `${base}${n}`;
      typeNames.add(typeName);
      const { type, kept, declarations } = this.type(p, at, typeName, inner);
      nested.push(...declarations);
      const repeated = type.startsWith("repeated ");
      if (repeated && p.required === true) kept.required = true;
      const label = p.required === true || repeated ? "" : "optional ";
      const jsonName = field === p.name ? "" : ` [json_name = ${protoString(p.name)}]`;
      return `${comment([...describe(p), ...carried(kept)], inner)}${inner}${label}${type} ${field} = ${i + 1}${jsonName};\n`;
    });
    return `{\n${nested.join("")}${fields.join("")}${indent}}`;
  }

  /** The field type (with `repeated`), what is carried, and nested declarations it needs. */
  private type(
    p: Element,
    path: Path,
    typeName: string,
    indent: string,
  ): { type: string; kept: JsonObject; declarations: string[] } {
    const logical = logicalTypeOf(p);
    const kept: JsonObject = compact(Object.fromEntries(carriedKeys.map((k) => [k, (p as JsonObject)[k]])));
    const rules = (p.quality ?? []).filter((q) => !isPlainValueSet(q));
    const values = allowedValuesOf(p);
    const enumerable =
      logical === "string" && values !== undefined && values.length > 0 && values.every((v) => typeof v === "string");
    if (rules.length > 0) kept.quality = rules;
    const lost = [
      ...(p.logicalTypeOptions && Object.keys(p.logicalTypeOptions).length > 0
        ? [Object.keys(p.logicalTypeOptions).join(", ")]
        : []),
      ...(p.primaryKey ? ["primary key"] : []),
      ...(p.unique ? ["uniqueness"] : []),
      ...(p.relationships?.length ? ["foreign keys"] : []),
      // A value set with more to say (dimension, severity) is still checked, by the enum.
      ...(rules.some((q) => !(enumerable && q.metric === "invalidValues" && q.arguments?.validValues))
        ? ["quality rules"]
        : []),
    ];
    if (lost.length > 0) {
      this.ctx.warn(
        path,
        "export-not-representable",
        `Protobuf cannot check ${lost.join(", ")}; kept in a ${carryPrefix.trim()} comment`,
      );
    }
    const declarations: string[] = [];
    let type: string;
    switch (logical) {
      case "string":
        if (enumerable) {
          const prefix = snakeCase(typeName).toUpperCase() || "VALUE";
          const symbols = new Set<string>();
          const lines = (values as string[]).map((v, i) => {
            let symbol = toIdentifier(`${prefix}_${snakeCase(v).toUpperCase() || "VALUE"}`);
            for (let n = 2; symbols.has(symbol); n++) symbol = `${symbol}_${n}`;
            symbols.add(symbol);
            return `${indent}  ${symbol} = ${i + 1};\n`;
          });
          declarations.push(
            `${indent}enum ${typeName} {\n${indent}  ${prefix}_UNSPECIFIED = 0;\n${lines.join("")}${indent}}\n`,
          );
          // The enum names the values in protobuf style; the values themselves travel along.
          kept.validValues = values;
          type = typeName;
        } else {
          type = "string";
          if (values) kept.validValues = values;
        }
        break;
      case "integer":
        type = intTypes.test(p.physicalType?.trim() ?? "") ? "int32" : "int64";
        break;
      case "number":
        if (decimalOf(p.physicalType)) {
          // A double would round money; the decimal travels as its text.
          type = "string";
          kept.logicalType = "number";
        } else type = floatTypes.test(p.physicalType?.trim() ?? "") ? "float" : "double";
        break;
      case "boolean":
        type = "bool";
        break;
      case "date":
        this.imports.add("google/type/date.proto");
        type = "google.type.Date";
        break;
      case "timestamp":
        this.imports.add("google/protobuf/timestamp.proto");
        type = "google.protobuf.Timestamp";
        break;
      case "time":
        type = "string";
        kept.logicalType = "time";
        break;
      case "object": {
        declarations.push(
          `${indent}message ${typeName} ${this.body(propertiesOf(p), [...path, "properties"], indent)}\n`,
        );
        type = typeName;
        break;
      }
      case "array": {
        if (!p.items || logicalTypeOf(p.items) === "array") {
          this.ctx.warn(
            path,
            "export-not-representable",
            "Protobuf has no array of arrays (or array without items); written as repeated string",
          );
          type = "repeated string";
          break;
        }
        const item = this.type(p.items, [...path, "items"], `${typeName}Item`, indent);
        declarations.push(...item.declarations);
        if (Object.keys(item.kept).length > 0) kept.items = item.kept;
        type = `repeated ${item.type}`;
        break;
      }
    }
    if (p.logicalType === undefined) kept.logicalType = null;
    return { type, kept, declarations };
  }
}

/** One proto3 file: a message per schema object (or the one `schema=` names). */
export function exportProtobuf(input: ExportInput): ExportResult {
  const { contract, options } = input;
  const ctx = new ConvertContext(input.source);
  const all = objectsOf(contract);
  const chosen = selectObjects(contract, options.schema);
  if (chosen.length === 0) {
    const message =
      options.schema === undefined
        ? "the contract has no schema objects to export"
        : `the contract has no schema object ${JSON.stringify(options.schema)}; it has ${all.map((o) => o.name).join(", ") || "none"}`;
    return { files: [], issues: [inputIssue(input.source.file, "export-no-schema", message)] };
  }
  const writer = new ProtoWriter(ctx);
  const taken = new Set<string>();
  const messages = chosen.map((o) => {
    let name = pascalCase(o.name) || "Message";
    if (/^[0-9]/.test(name)) name = `M${name}`;
    for (let n = 2; taken.has(name); n++) name = `${pascalCase(o.name)}${n}`;
    taken.add(name);
    return writer.message(o, ["schema", all.indexOf(o)], "", name);
  });
  const pkg = options.package
    ?.split(".")
    .map((s) => toIdentifier(s, { reserved }))
    .join(".");
  const info = compact({ id: contract.id, name: contract.name, version: contract.version, status: contract.status });
  const lines = [
    `// ${carryPrefix}${JSON.stringify(info)}`,
    'syntax = "proto3";',
    "",
    ...(pkg ? [`package ${pkg};`, ""] : []),
    ...[...writer.imports].sort().map((i) => `import "${i}";`),
    ...(writer.imports.size ? [""] : []),
  ];
  const text = `${lines.join("\n")}\n${messages.join("\n")}`;
  const base = (options.schema ?? contract.id ?? "contract").replace(/[^\p{L}\p{N}._-]+/gu, "_");
  return { files: [{ path: `${base}.proto`, content: text, mediaType: "text/plain" }], issues: ctx.issues };
}
