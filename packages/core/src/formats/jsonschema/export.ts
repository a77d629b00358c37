import type { Issue } from "../../issues.js";
import type { SchemaItemProperty, SchemaObject, SchemaProperty } from "../../spec/odcs/model.js";
import {
  allowedValuesOf,
  isPlainValueSet,
  logicalTypeOf,
  objectsOf,
  propertiesOf,
  selectObjects,
} from "../contract-view.js";
import { ConvertContext, compact, type JsonObject } from "../convert-context.js";
import type { ExportInput, ExportResult } from "../format.js";
import { inputIssue } from "../text-source.js";

export const jsonSchemaDialect = "https://json-schema.org/draft/2020-12/schema";

/**
 * The annotation keywords the export writes for what JSON Schema cannot state (keys, physical
 * types, quality rules other than value sets); the import reads them back. Validators that refuse
 * unknown keywords (ajv in strict mode) are told about them with `addKeyword`.
 */
export const odcsKeyword = "x-odcs";
export const odcsContractKeyword = "x-odcs-contract";

/** Property keys carried in `x-odcs` as they are. */
const carriedKeys = [
  "physicalName",
  "physicalType",
  "primaryKey",
  "primaryKeyPosition",
  "unique",
  "partitioned",
  "partitionKeyPosition",
  "classification",
  "criticalDataElement",
  "encryptedName",
  "transformSourceObjects",
  "transformLogic",
  "transformDescription",
  "relationships",
  "tags",
  "customProperties",
  "authoritativeDefinitions",
  "id",
] as const;

/** What `carriedKeys` means for a user reading the warning. */
const unchecked: Readonly<Record<string, string>> = {
  primaryKey: "primary key",
  unique: "uniqueness",
  relationships: "foreign keys",
};

const stringFormats: Readonly<Record<string, string>> = { date: "date", timestamp: "date-time", time: "time" };

type Element = SchemaProperty | SchemaItemProperty;

class JsonSchemaWriter {
  constructor(private readonly ctx: ConvertContext) {}

  /** The schema of one contract object: a JSON object with its properties. */
  object(object: SchemaObject, path: (string | number)[]): JsonObject {
    const props = propertiesOf(object);
    const annotation = compact({
      name: object.name,
      physicalName: object.physicalName,
      physicalType: object.physicalType,
      businessName: object.businessName,
      dataGranularityDescription: object.dataGranularityDescription,
      tags: object.tags,
      quality: object.quality,
      relationships: object.relationships,
      customProperties: object.customProperties,
      id: object.id,
    });
    if (object.quality?.length) {
      this.ctx.warn(
        [...path, "quality"],
        "export-not-representable",
        `JSON Schema does not check the quality rules of ${object.name}; they are kept in ${odcsKeyword}`,
      );
    }
    return compact({
      title: object.name,
      description: typeof object.description === "string" ? object.description : undefined,
      type: "object",
      properties: this.properties(props, [...path, "properties"]),
      required: props.filter((p) => p.required === true).map((p) => p.name),
      additionalProperties: false,
      [odcsKeyword]: annotation,
    });
  }

  private properties(props: SchemaProperty[], path: (string | number)[]): JsonObject {
    const out: JsonObject = {};
    props.forEach((p, i) => {
      out[p.name] = this.element(p, [...path, i]);
    });
    return out;
  }

  /** The schema of one property or array item; not required means null is accepted. */
  element(p: Element, path: (string | number)[], item = false): JsonObject {
    const logical = logicalTypeOf(p);
    // Array elements are values, not fields: only a property that is not required may be null.
    const nullable = !item && p.required !== true;
    const options = (p.logicalTypeOptions ?? {}) as JsonObject;
    const schema: JsonObject = {};
    const kept: JsonObject = {};
    if (p.logicalType === undefined) kept.logicalType = null;
    if (typeof p.businessName === "string") schema.title = p.businessName;
    if (typeof p.description === "string") schema.description = p.description;
    const base = logical === "date" || logical === "timestamp" || logical === "time" ? "string" : logical;
    schema.type = nullable ? [base, "null"] : base;
    const format = stringFormats[logical];
    if (format) schema.format = format;
    const keptOptions: JsonObject = {};
    for (const [key, value] of Object.entries(options)) {
      if (format && key !== "format") {
        // JSON Schema has no bounds or zones for date and time strings.
        keptOptions[key] = value;
      } else if (format && key === "format") {
        keptOptions[key] = value;
      } else if (logical === "object" && key === "required") {
        keptOptions[key] = value;
      } else {
        schema[key] = value;
      }
    }
    if (Object.keys(keptOptions).length > 0) {
      kept.logicalTypeOptions = keptOptions;
      this.ctx.warn(
        [...path, "logicalTypeOptions"],
        "export-not-representable",
        `JSON Schema cannot check ${Object.keys(keptOptions).join(", ")} of a ${logical}; kept in ${odcsKeyword}`,
      );
    }
    const values = allowedValuesOf(p);
    if (values) schema.enum = nullable ? [...values, null] : values;
    if (Array.isArray(p.examples) && p.examples.length > 0) schema.examples = p.examples;
    if (logical === "object") {
      const props = propertiesOf(p);
      schema.properties = this.properties(props, [...path, "properties"]);
      const required = props.filter((c) => c.required === true).map((c) => c.name);
      if (required.length > 0) schema.required = required;
      schema.additionalProperties = false;
    }
    if (logical === "array" && p.items) schema.items = this.element(p.items, [...path, "items"], true);
    const lost: string[] = [];
    for (const key of carriedKeys) {
      const value = (p as JsonObject)[key];
      if (value === undefined) continue;
      kept[key] = value;
      const what = unchecked[key];
      if (what && value !== false) lost.push(what);
    }
    // A plain value-set rule is the `enum`; any other rule (or one with more to say) is kept.
    const rules = (p.quality ?? []).filter((q) => !isPlainValueSet(q));
    if (rules.length > 0) {
      kept.quality = rules;
      // A value set with more to say (dimension, severity) is still checked, by `enum`.
      if (rules.some((q) => !(values && q.metric === "invalidValues" && q.arguments?.validValues))) {
        lost.push("quality rules");
      }
    }
    if (lost.length > 0) {
      this.ctx.warn(
        path,
        "export-not-representable",
        `JSON Schema cannot check ${lost.join(", ")}; kept in ${odcsKeyword}`,
      );
    }
    if (Object.keys(kept).length > 0) schema[odcsKeyword] = kept;
    return schema;
  }
}

/** `#/$defs/<name>` with the name escaped as a JSON pointer and a URI fragment. */
export function defsRef(name: string): string {
  return `#/$defs/${encodeURIComponent(name.replaceAll("~", "~0").replaceAll("/", "~1"))}`;
}

/**
 * One JSON Schema (2020-12) document per contract. With one object (or `schema` naming one), the
 * document is that object's schema, so each row validates against it. With several, each object
 * is a `$defs` entry and the document is an object with one array per schema object.
 */
export function exportJsonSchema(input: ExportInput): ExportResult {
  const { contract, options } = input;
  const ctx = new ConvertContext(input.source);
  const issues: Issue[] = ctx.issues;
  const all = objectsOf(contract);
  const chosen = selectObjects(contract, options.schema);
  if (chosen.length === 0) {
    const message =
      options.schema === undefined
        ? "the contract has no schema objects to export"
        : `the contract has no schema object ${JSON.stringify(options.schema)}; it has ${all.map((o) => o.name).join(", ") || "none"}`;
    return { files: [], issues: [inputIssue(input.source.file, "export-no-schema", message)] };
  }
  const writer = new JsonSchemaWriter(ctx);
  const pathOf = (o: SchemaObject) => ["schema", all.indexOf(o)];
  const contractInfo = compact({
    id: contract.id,
    name: contract.name,
    version: contract.version,
    status: contract.status,
    domain: contract.domain,
    dataProduct: contract.dataProduct,
  });
  let document: JsonObject;
  const only = chosen[0];
  if (chosen.length === 1 && only) {
    const body = writer.object(only, pathOf(only));
    document = { $schema: jsonSchemaDialect, ...body, [odcsContractKeyword]: contractInfo };
  } else {
    const defs: JsonObject = {};
    const properties: JsonObject = {};
    for (const o of chosen) {
      defs[o.name] = writer.object(o, pathOf(o));
      properties[o.name] = { type: "array", items: { $ref: defsRef(o.name) } };
    }
    document = compact({
      $schema: jsonSchemaDialect,
      title: contract.name ?? contract.id,
      description: typeof contract.description?.purpose === "string" ? contract.description.purpose : undefined,
      type: "object",
      properties,
      additionalProperties: false,
      $defs: defs,
      [odcsContractKeyword]: contractInfo,
    });
  }
  const base = (options.schema ?? contract.id ?? "contract").replace(/[^\p{L}\p{N}._-]+/gu, "_");
  return {
    files: [
      {
        path: `${base}.schema.json`,
        content: `${JSON.stringify(document, null, 2)}\n`,
        mediaType: "application/schema+json",
      },
    ],
    issues,
  };
}
