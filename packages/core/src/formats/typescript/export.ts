import type { Path } from "../../issues.js";
import type { LogicalTypeOptions, SchemaItemProperty, SchemaProperty } from "../../spec/odcs/model.js";
import { allowedValuesOf, logicalTypeOf, selectObjects } from "../contract-view.js";
import { ConvertContext } from "../convert-context.js";
import type { ExportInput, ExportResult } from "../format.js";
import { quoteString, toIdentifier } from "../names.js";

/**
 * ODCS → TypeScript: per schema object an interface of its rows as Quanta's consume API answers
 * them in JSON (DuckDB's JSON: dates, times and timestamps as text, decimals and integers as
 * numbers, null for a missing value), and a zod v4 schema that validates such a row.
 */

/** Names a generated type must not take: they would shadow a global the file itself uses. */
const reservedTypeNames = new Set([
  "Array",
  "Boolean",
  "Date",
  "Error",
  "Function",
  "Map",
  "Number",
  "Object",
  "Partial",
  "Promise",
  "Record",
  "RegExp",
  "Set",
  "String",
  "Symbol",
]);

/** Timestamps as DuckDB writes them (`2025-06-12 19:02:21`, `…+00`) or ISO 8601 with a `T`. */
const timestampPattern = String.raw`^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$`;

/** zod's string formats for the `format` option of strings. */
const stringFormats: Record<string, string> = {
  email: "z.email()",
  uuid: "z.uuid()",
  uri: "z.url()",
  url: "z.url()",
  ipv4: "z.ipv4()",
  ipv6: "z.ipv6()",
};

type Element = SchemaProperty | SchemaItemProperty;

interface Rendered {
  type: string;
  zod: string;
}

class TypeScriptWriter {
  usesTimestamp = false;

  constructor(private readonly ctx: ConvertContext) {}

  /** The TypeScript type and zod schema of a value (without its nullability). */
  value(element: Element, path: Path, depth: number): Rendered {
    const logical = logicalTypeOf(element);
    const options = element.logicalTypeOptions ?? {};
    const allowed = allowedValuesOf(element)?.filter(
      (v): v is string | number | boolean => typeof v === "string" || typeof v === "number" || typeof v === "boolean",
    );
    if (allowed && allowed.length > 0 && logical !== "object" && logical !== "array") {
      const literals = allowed.map((v) => (typeof v === "string" ? quoteString(v) : String(v)));
      const zod = allowed.every((v) => typeof v === "string")
        ? `z.enum([${literals.join(", ")}])`
        : literals.length === 1
          ? `z.literal(${literals[0]})`
          : `z.union([${literals.map((l) => `z.literal(${l})`).join(", ")}])`;
      return { type: literals.join(" | "), zod };
    }
    switch (logical) {
      case "string":
        return { type: "string", zod: this.stringSchema(options, path) };
      case "integer":
        return { type: "number", zod: `z.int()${this.numberChecks(options)}` };
      case "number":
        return { type: "number", zod: `z.number()${this.numberChecks(options)}` };
      case "boolean":
        return { type: "boolean", zod: "z.boolean()" };
      case "date":
        return { type: "string", zod: `z.iso.date()${this.textBounds(options)}` };
      case "time":
        return { type: "string", zod: `z.iso.time()${this.textBounds(options)}` };
      case "timestamp":
        this.usesTimestamp = true;
        return { type: "string", zod: `z.string().regex(timestamp)${this.textBounds(options, true)}` };
      case "object":
        return this.object(element, path, depth);
      case "array": {
        const items = element.items;
        const item = items ? this.value(items, [...path, "items"], depth) : { type: "unknown", zod: "z.unknown()" };
        const type = /^[\w.]+$/.test(item.type) ? `${item.type}[]` : `Array<${item.type}>`;
        let zod = `z.array(${item.zod})`;
        if (options.minItems !== undefined) zod += `.min(${options.minItems})`;
        if (options.maxItems !== undefined) zod += `.max(${options.maxItems})`;
        return { type, zod };
      }
    }
  }

  private stringSchema(options: LogicalTypeOptions, path: Path): string {
    let zod = "z.string()";
    if (options.format !== undefined) {
      const known = stringFormats[options.format];
      if (known) zod = known;
      else
        this.ctx.warn(
          [...path, "logicalTypeOptions", "format"],
          "export-not-representable",
          `zod has no check for the string format ${quoteString(options.format)}; it is not validated`,
        );
    }
    if (options.minLength !== undefined) zod += `.min(${options.minLength})`;
    if (options.maxLength !== undefined) zod += `.max(${options.maxLength})`;
    if (options.pattern !== undefined) zod += `.regex(new RegExp(${quoteString(options.pattern)}))`;
    return zod;
  }

  private numberChecks(options: LogicalTypeOptions): string {
    const bound = (v: number | string | undefined, method: string) =>
      typeof v === "number"
        ? `.${method}(${v})`
        : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))
          ? `.${method}(${Number(v)})`
          : "";
    return (
      bound(options.minimum, "gte") +
      bound(options.exclusiveMinimum, "gt") +
      bound(options.maximum, "lte") +
      bound(options.exclusiveMaximum, "lt") +
      (options.multipleOf !== undefined ? `.multipleOf(${options.multipleOf})` : "")
    );
  }

  /**
   * Bounds of dates, times and timestamps, compared as text with the `T` read as a space: exact for
   * values written the same way without a zone (what DuckDB writes for DATE, TIME and TIMESTAMP).
   */
  private textBounds(options: LogicalTypeOptions, timestamp = false): string {
    const norm = (v: string) => (timestamp ? v.replace("T", " ") : v);
    const value = timestamp ? `v.replace("T", " ")` : "v";
    const checks: [unknown, string, string][] = [
      [options.minimum, ">=", "at least"],
      [options.exclusiveMinimum, ">", "after"],
      [options.maximum, "<=", "at most"],
      [options.exclusiveMaximum, "<", "before"],
    ];
    return checks
      .filter(([bound]) => typeof bound === "string")
      .map(
        ([bound, op, words]) =>
          `.refine((v) => ${value} ${op} ${quoteString(norm(bound as string))}, { message: ${quoteString(`must be ${words} ${bound as string}`)} })`,
      )
      .join("");
  }

  /** An inline object type and `z.object`, or a record when the object lists no properties. */
  object(element: { properties?: SchemaProperty[] }, path: Path, depth: number): Rendered {
    const members = this.members(element, path, depth + 1);
    if (members === undefined) return { type: "Record<string, unknown>", zod: "z.record(z.string(), z.unknown())" };
    const indent = "  ".repeat(depth + 1);
    const close = "  ".repeat(depth);
    return {
      type: `{\n${members.map((m) => `${indent}${m.doc(indent)}${m.key}${m.optional ? "?" : ""}: ${m.type};\n`).join("")}${close}}`,
      zod: `z.object({\n${members.map((m) => `${indent}${m.key}: ${m.zod},\n`).join("")}${close}})`,
    };
  }

  /** The members of an object, undefined when it lists none (any keys). */
  members(element: { properties?: SchemaProperty[] }, path: Path, depth: number) {
    if (!Array.isArray(element.properties) || element.properties.length === 0) return undefined;
    const seen = new Set<string>();
    const out: { key: string; optional: boolean; type: string; zod: string; doc: (indent: string) => string }[] = [];
    element.properties.forEach((property, i) => {
      if (typeof property?.name !== "string") return;
      const at = [...path, "properties", i];
      if (seen.has(property.name)) {
        this.ctx.warn(
          [...at, "name"],
          "export-duplicate-name",
          `a second property ${quoteString(property.name)} is left out`,
        );
        return;
      }
      seen.add(property.name);
      const value = this.value(property, at, depth);
      const required = property.required === true;
      out.push({
        key: propertyKey(property.name),
        optional: !required,
        type: required ? value.type : `${value.type} | null | undefined`,
        zod: required ? value.zod : `${value.zod}.nullish()`,
        doc: (indent) => docComment(property.description, indent),
      });
    });
    return out;
  }
}

/** A property name as an object key: bare when it is an identifier, else a string literal. */
function propertyKey(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : quoteString(name);
}

/** A JSDoc comment whose text cannot end it early. */
function docComment(text: string | undefined, indent: string): string {
  if (text === undefined || text.trim() === "") return "";
  const lines = text
    .trim()
    .replaceAll("*/", "*\\/")
    .split(/\r\n|\r|\n|\u2028|\u2029/);
  return lines.length === 1
    ? `/** ${lines[0]} */\n${indent}`
    : `/**\n${lines.map((l) => `${indent} *${l ? ` ${l}` : ""}`).join("\n")}\n${indent} */\n${indent}`;
}

/** Type names for the objects: PascalCase, unique, and `<Name>Schema` free for the zod schema. */
function typeNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    const base = toIdentifier(name, { case: "pascal", reserved: reservedTypeNames });
    let id = base;
    for (let n = 2; taken.has(id) || taken.has(`${id}Schema`); n++) id = `${base}${n}`;
    taken.add(id);
    taken.add(`${id}Schema`);
    return id;
  });
}

export function exportTypeScript(input: ExportInput): ExportResult {
  const ctx = new ConvertContext(input.source);
  const { contract } = input;
  const withZod = input.options.zod !== "false";
  const objects = selectObjects(contract, input.options.schema);
  if (objects.length === 0) {
    ctx.error(["schema"], "export-no-schema", noObjectsMessage(input.options.schema));
    return { files: [], issues: ctx.issues };
  }
  const writer = new TypeScriptWriter(ctx);
  const names = typeNames(objects.map((o) => o.name));
  const blocks: string[] = [];
  objects.forEach((object, n) => {
    const index = (contract.schema ?? []).indexOf(object);
    const path: Path = ["schema", index];
    const name = names[n]!;
    const members = writer.members(object, path, 1) ?? [];
    const doc = docComment(object.description ?? `A row of ${object.name}.`, "");
    blocks.push(
      `${doc}export interface ${name} {\n${members.map((m) => `  ${m.doc("  ")}${m.key}${m.optional ? "?" : ""}: ${m.type};\n`).join("")}}\n`,
    );
    if (withZod) {
      blocks.push(
        `${docComment(`Validates one row of ${object.name}.`, "")}export const ${name}Schema = z.object({\n${members.map((m) => `  ${m.key}: ${m.zod},\n`).join("")}}) satisfies z.ZodType<${name}>;\n`,
      );
    }
  });
  const header = docComment(
    `Generated by Quanta from data contract ${contract.id} ${contract.version}${contract.name ? ` (${contract.name})` : ""}; do not edit.\nRows as Quanta's consume API answers them in JSON: dates, times and timestamps as text, decimals as numbers, null where a value is missing.`,
    "",
  );
  const preamble = withZod
    ? `import { z } from "zod";\n\n${writer.usesTimestamp ? `/** A timestamp as DuckDB writes it in JSON (\`2025-06-12 19:02:21\`) or ISO 8601. */\nconst timestamp = new RegExp(${quoteString(timestampPattern)});\n\n` : ""}`
    : "";
  const content = `${header}${preamble}${blocks.join("\n")}`;
  return { files: [{ path: fileName(contract.id, "ts"), content, mediaType: "text/typescript" }], issues: ctx.issues };
}

export function noObjectsMessage(schema: string | undefined): string {
  return schema === undefined
    ? "the contract has no schema objects to export"
    : `the contract has no schema object named ${quoteString(schema)}`;
}

/** A file name for the contract: its id with anything but letters, digits, `.`, `-`, `_` as `_`. */
export function fileName(id: string, extension: string): string {
  const safe = id.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "");
  return `${safe || "contract"}.${extension}`;
}
