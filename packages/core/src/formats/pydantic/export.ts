import type { Path } from "../../issues.js";
import type { LogicalTypeOptions, SchemaItemProperty, SchemaProperty } from "../../spec/odcs/model.js";
import { allowedValuesOf, decimalOf, logicalTypeOf, selectObjects } from "../contract-view.js";
import { ConvertContext } from "../convert-context.js";
import type { ExportInput, ExportResult } from "../format.js";
import { fileName, noObjectsMessage } from "../typescript/export.js";
import { pythonNumber, pythonString, uniquePythonNames } from "./python-names.js";

/**
 * ODCS → Pydantic v2: one BaseModel per schema object (and per nested object), fields named in
 * snake case with `Field(alias=...)` carrying the contract's name wherever the two differ.
 */

/** Attributes of BaseModel a field must not shadow (pydantic warns or refuses). */
const baseModelNames = new Set([
  "construct",
  "copy",
  "dict",
  "fields",
  "from_orm",
  "json",
  "parse_file",
  "parse_obj",
  "parse_raw",
  "schema",
  "schema_json",
  "update_forward_refs",
  "validate",
]);

const fieldReserved: ReadonlySet<string> = {
  has: (name: string) => baseModelNames.has(name) || name.startsWith("model_"),
} as ReadonlySet<string>;

const noNames: ReadonlySet<string> = new Set();

type Element = SchemaProperty | SchemaItemProperty;

interface Imports {
  datetime: boolean;
  decimal: boolean;
  any: boolean;
  literal: boolean;
  optional: boolean;
  annotated: boolean;
}

class PydanticWriter {
  readonly classes: string[] = [];
  readonly imports: Imports = {
    datetime: false,
    decimal: false,
    any: false,
    literal: false,
    optional: false,
    annotated: false,
  };
  private readonly classNames = new Set<string>();

  constructor(private readonly ctx: ConvertContext) {}

  /** Writes the class for an object's properties (nested classes first); returns its name. */
  model(name: string, description: string | undefined, properties: SchemaProperty[] | undefined, path: Path): string {
    const [className] = uniquePythonNames([name], noNames, "class", this.classNames);
    const list = Array.isArray(properties) ? properties : [];
    const valid = list.map((p, i) => ({ p, i })).filter(({ p }) => typeof p?.name === "string");
    const seen = new Set<string>();
    const kept = valid.filter(({ p, i }) => {
      if (!seen.has(p.name)) return seen.add(p.name);
      this.ctx.warn(
        [...path, "properties", i, "name"],
        "export-duplicate-name",
        `a second property ${pythonString(p.name)} is left out`,
      );
      return false;
    });
    const names = uniquePythonNames(
      kept.map(({ p }) => p.name),
      fieldReserved,
      "field",
    );
    const lines: string[] = [];
    let aliased = false;
    kept.forEach(({ p, i }, n) => {
      const at = [...path, "properties", i];
      const field = names[n]!;
      const { annotation, constraints } = this.type(p, at, `${className} ${p.name}`);
      const required = p.required === true;
      if (!required) this.imports.optional = true;
      const args: string[] = [];
      if (!required) args.push("default=None");
      if (field !== p.name) {
        args.push(`alias=${pythonString(p.name)}`);
        aliased = true;
      }
      args.push(...constraints);
      if (p.description) args.push(`description=${pythonString(p.description)}`);
      const type = required ? annotation : `Optional[${annotation}]`;
      const value =
        args.length === 0
          ? ""
          : args.length === 1 && args[0] === "default=None"
            ? " = None"
            : ` = Field(${args.join(", ")})`;
      lines.push(`    ${field}: ${type}${value}`);
    });
    const body = [
      ...(description ? [`    ${pythonString(description)}`, ""] : []),
      ...(aliased ? ["    model_config = ConfigDict(populate_by_name=True)", ""] : []),
      ...(lines.length > 0 ? lines : ["    pass"]),
    ];
    while (body.at(-1) === "") body.pop();
    this.classes.push(`class ${className}(BaseModel):\n${body.join("\n")}\n`);
    return className!;
  }

  /** The annotation of a value and the Field arguments that constrain it. */
  type(element: Element, path: Path, nestedName: string): { annotation: string; constraints: string[] } {
    const logical = logicalTypeOf(element);
    const options = element.logicalTypeOptions ?? {};
    const allowed = allowedValuesOf(element);
    if (allowed && allowed.length > 0 && logical !== "object" && logical !== "array") {
      const literals = allowed.map(literal);
      if (literals.every((l) => l !== undefined)) {
        this.imports.literal = true;
        return { annotation: `Literal[${literals.join(", ")}]`, constraints: [] };
      }
      this.ctx.warn(
        path,
        "export-not-representable",
        "Literal takes text, integers and booleans only; the value set is not checked",
      );
    }
    switch (logical) {
      case "string":
        if (options.format !== undefined) {
          this.ctx.warn(
            [...path, "logicalTypeOptions", "format"],
            "export-not-representable",
            `the string format ${pythonString(options.format)} is not validated by the model`,
          );
        }
        return {
          annotation: "str",
          constraints: [
            ...opt("min_length", options.minLength),
            ...opt("max_length", options.maxLength),
            ...(options.pattern !== undefined ? [`pattern=${pythonString(options.pattern)}`] : []),
          ],
        };
      case "integer":
        return { annotation: "int", constraints: numberBounds(options) };
      case "number": {
        const decimal = decimalOf(element.physicalType);
        if (!decimal) return { annotation: "float", constraints: numberBounds(options) };
        this.imports.decimal = true;
        return {
          annotation: "Decimal",
          constraints: [...numberBounds(options), `max_digits=${decimal.precision}`, `decimal_places=${decimal.scale}`],
        };
      }
      case "boolean":
        return { annotation: "bool", constraints: [] };
      case "date":
      case "time":
      case "timestamp": {
        this.imports.datetime = true;
        const type = logical === "timestamp" ? "datetime.datetime" : `datetime.${logical}`;
        return { annotation: type, constraints: this.temporalBounds(options, type, path) };
      }
      case "object": {
        if (!Array.isArray(element.properties) || element.properties.length === 0) {
          this.imports.any = true;
          return { annotation: "dict[str, Any]", constraints: [] };
        }
        return { annotation: this.model(nestedName, element.description, element.properties, path), constraints: [] };
      }
      case "array": {
        const items = element.items;
        let item = "Any";
        if (items) {
          const inner = this.type(items, [...path, "items"], nestedName);
          item = inner.annotation;
          if (inner.constraints.length > 0) {
            this.imports.annotated = true;
            item = `Annotated[${item}, Field(${inner.constraints.join(", ")})]`;
          }
        } else this.imports.any = true;
        return {
          annotation: `list[${item}]`,
          constraints: [...opt("min_length", options.minItems), ...opt("max_length", options.maxItems)],
        };
      }
    }
  }

  private temporalBounds(options: LogicalTypeOptions, type: string, path: Path): string[] {
    const out: string[] = [];
    for (const [key, arg] of [
      ["minimum", "ge"],
      ["exclusiveMinimum", "gt"],
      ["maximum", "le"],
      ["exclusiveMaximum", "lt"],
    ] as const) {
      const bound = options[key];
      if (bound === undefined) continue;
      if (typeof bound !== "string") {
        this.ctx.warn(
          [...path, "logicalTypeOptions", key],
          "export-not-representable",
          `a ${type} bound must be ISO 8601 text`,
        );
        continue;
      }
      out.push(`${arg}=${type}.fromisoformat(${pythonString(bound)})`);
    }
    return out;
  }
}

function opt(name: string, value: number | undefined): string[] {
  return value === undefined ? [] : [`${name}=${value}`];
}

function numberBounds(options: LogicalTypeOptions): string[] {
  const out: string[] = [];
  for (const [key, arg] of [
    ["minimum", "ge"],
    ["exclusiveMinimum", "gt"],
    ["maximum", "le"],
    ["exclusiveMaximum", "lt"],
    ["multipleOf", "multiple_of"],
  ] as const) {
    const n = pythonNumber(options[key]);
    if (n !== undefined) out.push(`${arg}=${n}`);
  }
  return out;
}

/** A value as a Literal argument: text, integers and booleans; undefined otherwise. */
function literal(value: unknown): string | undefined {
  if (typeof value === "string") return pythonString(value);
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

export function exportPydantic(input: ExportInput): ExportResult {
  const ctx = new ConvertContext(input.source);
  const { contract } = input;
  const objects = selectObjects(contract, input.options.schema);
  if (objects.length === 0) {
    ctx.error(["schema"], "export-no-schema", noObjectsMessage(input.options.schema));
    return { files: [], issues: ctx.issues };
  }
  const writer = new PydanticWriter(ctx);
  for (const object of objects) {
    writer.model(object.name, object.description, object.properties, [
      "schema",
      (contract.schema ?? []).indexOf(object),
    ]);
  }
  const i = writer.imports;
  const typing = [i.annotated && "Annotated", i.any && "Any", i.literal && "Literal", i.optional && "Optional"].filter(
    Boolean,
  );
  const header = [
    pythonString(
      `Pydantic v2 models of data contract ${contract.id} ${contract.version}${contract.name ? ` (${contract.name})` : ""}. Generated by Quanta; do not edit.`,
    ),
    "",
    ...(i.datetime ? ["import datetime"] : []),
    ...(i.decimal ? ["from decimal import Decimal"] : []),
    ...(typing.length > 0 ? [`from typing import ${typing.join(", ")}`] : []),
    ...(i.datetime || i.decimal || typing.length > 0 ? [""] : []),
  ];
  const classes = writer.classes.join("\n\n");
  const pydantic = [
    "BaseModel",
    classes.includes("ConfigDict(") && "ConfigDict",
    classes.includes("Field(") && "Field",
  ];
  header.push(`from pydantic import ${pydantic.filter(Boolean).join(", ")}`);
  const content = `${header.join("\n")}\n\n\n${classes}`;
  return { files: [{ path: fileName(contract.id, "py"), content, mediaType: "text/x-python" }], issues: ctx.issues };
}
