import type { Path } from "../../issues.js";
import type { SchemaItemProperty, SchemaProperty } from "../../spec/odcs/model.js";
import { logicalTypeOf, selectObjects } from "../contract-view.js";
import { ConvertContext } from "../convert-context.js";
import type { ExportInput, ExportResult } from "../format.js";
import { pascalCase, quoteString } from "../names.js";
import { fileName, noObjectsMessage } from "../typescript/export.js";

/**
 * ODCS → Go: a struct per schema object (and per nested object) whose `json:"..."` tags carry the
 * contract's names, for encoding/json. Optional values are pointers (slices and maps stay as they
 * are) with `omitempty`.
 */

const goKeywords = new Set([
  "break",
  "case",
  "chan",
  "const",
  "continue",
  "default",
  "defer",
  "else",
  "fallthrough",
  "for",
  "func",
  "go",
  "goto",
  "if",
  "import",
  "interface",
  "map",
  "package",
  "range",
  "return",
  "select",
  "struct",
  "switch",
  "type",
  "var",
]);

/** What encoding/json takes as a key in a tag (its `isValidTag`); anything else falls back to the field name. */
function jsonCarries(name: string): boolean {
  return name !== "" && [...name].every((c) => "!#$%&()*+-./:;<=>?@[]^_{|}~ ".includes(c) || /[\p{L}\p{Nd}]/u.test(c));
}

/** An exported Go identifier: PascalCase ASCII starting with an upper-case letter. */
function exported(name: string): string {
  let id = pascalCase(name)
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9]/g, "");
  if (id === "") id = "Field";
  if (!/^[A-Z]/.test(id)) id = `X${id}`;
  return id;
}

function unique(base: string, taken: Set<string>): string {
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}${n}`;
  taken.add(id);
  return id;
}

/** `// ` lines for free text; Go line comments end only at a line break. */
function comment(text: string | undefined, indent: string, lead = ""): string {
  const body = `${lead}${text?.trim() ?? ""}`.trim();
  if (body === "") return "";
  return `${body
    .split(/\r\n|\r|\n|\u2028|\u2029/)
    .map((l) => `${indent}//${l ? ` ${l}` : ""}`)
    .join("\n")}\n`;
}

type Element = SchemaProperty | SchemaItemProperty;

class GoWriter {
  readonly types: string[] = [];
  readonly typeNames = new Set<string>();
  usesTime = false;

  constructor(private readonly ctx: ConvertContext) {}

  struct(
    name: string,
    description: string | undefined,
    properties: SchemaProperty[] | undefined,
    path: Path,
    what: string,
  ): string {
    const typeName = unique(exported(name), this.typeNames);
    const fields = new Set<string>();
    const seen = new Set<string>();
    const lines: { doc: string; field: string; type: string; tag: string }[] = [];
    (Array.isArray(properties) ? properties : []).forEach((p, i) => {
      if (typeof p?.name !== "string") return;
      const at = [...path, "properties", i];
      if (seen.has(p.name)) {
        this.ctx.warn([...at, "name"], "export-duplicate-name", `a second property ${quoteString(p.name)} is left out`);
        return;
      }
      seen.add(p.name);
      const field = unique(exported(p.name), fields);
      const type = this.type(
        p,
        at,
        `${typeName} ${p.name}`,
        `the value of ${what.replace(/^a row of /, "")}.${p.name}`,
      );
      const optional = p.required !== true;
      const pointer = optional && !type.startsWith("[]") && !type.startsWith("map[");
      if (!jsonCarries(p.name)) {
        this.ctx.warn(
          [...at, "name"],
          "export-not-representable",
          `encoding/json cannot use ${quoteString(p.name)} as a key (it takes letters, digits and !#$%&()*+-./:;<=>?@[]^_{|}~ and space); the field reads and writes as ${field}`,
        );
      }
      lines.push({
        doc: comment(p.description, "\t"),
        field,
        type: `${pointer ? "*" : ""}${type}`,
        tag: tag(`${p.name}${optional ? ",omitempty" : ""}`),
      });
    });
    // Names and types padded into columns as gofmt aligns them: a comment line ends a block.
    const blocks: (typeof lines)[] = [];
    for (const line of lines) {
      if (line.doc !== "" || blocks.length === 0) blocks.push([line]);
      else blocks.at(-1)!.push(line);
    }
    const body = blocks.flatMap((block) => {
      const nameWidth = Math.max(...block.map((l) => l.field.length));
      const typeWidth = Math.max(...block.map((l) => l.type.length));
      return block.map((l) => `${l.doc}\t${l.field.padEnd(nameWidth)} ${l.type.padEnd(typeWidth)} ${l.tag}`);
    });
    this.types.push(
      `${comment(description, "", `${typeName} is ${what}. `)}type ${typeName} struct {\n${body.join("\n")}${body.length ? "\n" : ""}}\n`,
    );
    return typeName;
  }

  type(element: Element, path: Path, nestedName: string, what: string): string {
    switch (logicalTypeOf(element)) {
      case "string":
        return "string";
      case "integer":
        return "int64";
      case "number":
        return "float64";
      case "boolean":
        return "bool";
      case "date":
      case "timestamp":
        this.usesTime = true;
        return "time.Time";
      case "time":
        return "string";
      case "object":
        if (!Array.isArray(element.properties) || element.properties.length === 0) return "map[string]any";
        return this.struct(nestedName, element.description, element.properties, path, what);
      case "array":
        return `[]${element.items ? this.type(element.items, [...path, "items"], nestedName, `an item of ${what.replace(/^the value of /, "")}`) : "any"}`;
    }
  }
}

/** A struct tag `json:"..."`: a raw string unless the name holds a backtick or a line break. */
function tag(value: string): string {
  const text = `json:${JSON.stringify(value)}`;
  return /[`\r\n]/.test(text) ? quoteString(text) : `\`${text}\``;
}

function packageName(id: string): string {
  const last =
    id
      .split(/[^A-Za-z0-9_]+/)
      .filter(Boolean)
      .at(-1)
      ?.toLowerCase() ?? "";
  const name = last.replace(/^[0-9_]+/, "");
  return name === "" || goKeywords.has(name) ? "contract" : name;
}

export function exportGo(input: ExportInput): ExportResult {
  const ctx = new ConvertContext(input.source);
  const { contract } = input;
  const pkg = input.options.package ?? packageName(contract.id);
  if (!/^[a-z][a-z0-9_]*$/.test(pkg) || goKeywords.has(pkg)) {
    ctx.error(
      [],
      "format-option-invalid",
      `package must be a lower-case Go identifier that is not a keyword; got ${quoteString(pkg)}`,
    );
    return { files: [], issues: ctx.issues };
  }
  const objects = selectObjects(contract, input.options.schema);
  if (objects.length === 0) {
    ctx.error(["schema"], "export-no-schema", noObjectsMessage(input.options.schema));
    return { files: [], issues: ctx.issues };
  }
  const writer = new GoWriter(ctx);
  for (const object of objects) {
    writer.struct(
      object.name,
      object.description,
      object.properties,
      ["schema", (contract.schema ?? []).indexOf(object)],
      `a row of ${object.name}`,
    );
  }
  const header = comment(
    `Code generated by Quanta from data contract ${contract.id} ${contract.version}${contract.name ? ` (${contract.name})` : ""}; DO NOT EDIT.`,
    "",
  );
  const content = `${header}\n// Package ${pkg} holds the rows of the data contract's schema objects, for encoding/json.\npackage ${pkg}\n\n${writer.usesTime ? 'import "time"\n\n' : ""}${writer.types.join("\n")}`;
  return { files: [{ path: fileName(contract.id, "go"), content, mediaType: "text/x-go" }], issues: ctx.issues };
}
