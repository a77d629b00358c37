import { avroRecords } from "../avro/export.js";
import { isObject, type JsonObject } from "../convert-context.js";
import type { ExportInput, ExportResult } from "../format.js";
import { pascalCase } from "../names.js";

/** Words of Avro IDL that an identifier must be quoted with backticks to use. */
const keywords = new Set([
  "array",
  "boolean",
  "bytes",
  "date",
  "decimal",
  "double",
  "enum",
  "error",
  "false",
  "fixed",
  "float",
  "idl",
  "import",
  "int",
  "local_timestamp_ms",
  "long",
  "map",
  "null",
  "oneway",
  "protocol",
  "record",
  "schema",
  "string",
  "throws",
  "time_ms",
  "timestamp_ms",
  "true",
  "union",
  "uuid",
  "void",
]);

/** Attributes the IDL writes as a type's own syntax, not as `@name(value)`. */
const structural = new Set([
  "type",
  "name",
  "namespace",
  "doc",
  "fields",
  "items",
  "values",
  "symbols",
  "size",
  "default",
]);

const primitives = new Set(["null", "boolean", "int", "long", "float", "double", "bytes", "string"]);

function id(name: string): string {
  return keywords.has(name) ? `\`${name}\`` : name;
}

/** A doc comment; Avro IDL has no escape for `*\/`, so it is broken up there. */
function doc(text: unknown, indent: string): string {
  if (typeof text !== "string" || text === "") return "";
  const body = text.replaceAll("*/", "*\\/");
  return `${indent}/** ${body.split("\n").join(`\n${indent} * `)} */\n`;
}

function annotations(node: JsonObject, skip: ReadonlySet<string>, separator = " "): string {
  return Object.entries(node)
    .filter(([k]) => !skip.has(k))
    .map(([k, v]) => `@${k}(${JSON.stringify(v)})${separator}`)
    .join("");
}

/**
 * Avro IDL protocol text for the same records the `avro` export writes: named types (records,
 * enums) declared before the records using them, every other type written in place.
 */
class IdlWriter {
  private readonly declarations: string[] = [];

  /** Declares a named type (and the named types inside it) and returns its name. */
  declare(node: JsonObject): string {
    const name = String(node.name);
    if (node.type === "enum") {
      const symbols = (node.symbols as string[]).map(id).join(", ");
      this.declarations.push(
        `${doc(node.doc, "  ")}  ${annotations(node, structural, "\n  ")}enum ${id(name)} {\n    ${symbols}\n  }\n`,
      );
      return name;
    }
    const fields = ((node.fields as JsonObject[] | undefined) ?? []).map((f) => {
      const type = this.type(f.type);
      const fieldProps = annotations(f, structural);
      const value = f.default === undefined ? "" : ` = ${JSON.stringify(f.default)}`;
      return `${doc(f.doc, "    ")}    ${type} ${fieldProps}${id(String(f.name))}${value};\n`;
    });
    this.declarations.push(
      `${doc(node.doc, "  ")}  ${annotations(node, structural, "\n  ")}record ${id(name)} {\n${fields.join("")}  }\n`,
    );
    return name;
  }

  type(type: unknown): string {
    if (typeof type === "string") return primitives.has(type) ? type : id(type);
    if (Array.isArray(type)) return `union { ${type.map((t) => this.type(t)).join(", ")} }`;
    if (!isObject(type)) return "null";
    if (type.type === "record" || type.type === "enum") return id(this.declare(type));
    if (type.type === "array") return `${annotations(type, structural)}array<${this.type(type.items)}>`;
    if (type.type === "map") return `map<${this.type(type.values)}>`;
    return `${annotations(type, structural)}${this.type(type.type)}`;
  }

  text(): string {
    return this.declarations.join("\n");
  }
}

export function exportAvroIdl(input: ExportInput): ExportResult {
  const { records, namespace, ctx, error } = avroRecords(input, "Avro IDL");
  if (error) return error;
  const writer = new IdlWriter();
  for (const record of records) {
    const { namespace: _, ...rest } = record;
    writer.declare(rest);
  }
  const protocol =
    pascalCase(input.contract.name ?? input.contract.id ?? "Contract").replace(/^[^A-Za-z_]/, "_$&") || "Contract";
  const header = namespace ? `@namespace(${JSON.stringify(namespace)})\n` : "";
  const purpose = input.contract.description?.purpose;
  const text = `${doc(purpose, "")}${header}protocol ${id(protocol)} {\n${writer.text()}}\n`;
  const base = (input.options.schema ?? input.contract.id ?? "contract").replace(/[^\p{L}\p{N}._-]+/gu, "_");
  return { files: [{ path: `${base}.avdl`, content: text, mediaType: "text/plain" }], issues: ctx.issues };
}
