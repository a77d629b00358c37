import type { Path } from "../../issues.js";
import type { SourceDocument } from "../../spec/source.js";
import { ConvertContext, compact, isObject, type JsonObject, orderKeys, propertyKeyOrder } from "../convert-context.js";
import { type FormatOptions, formatLimits, type ImportResult } from "../format.js";
import { odcsContractKeyword, odcsKeyword } from "./export.js";

/** `$schema` URIs read, by the draft they name. Draft-06 reads as draft-07 (a subset of it). */
const dialects: readonly [RegExp, string][] = [
  [/json-schema\.org\/draft\/2020-12\/schema/, "2020-12"],
  [/json-schema\.org\/draft\/2019-09\/schema/, "2019-09"],
  [/json-schema\.org\/draft-0[67]\/schema/, "draft-07"],
];

/** JSON Schema keywords that become `logicalTypeOptions`, per logical type. */
const optionKeywords: Readonly<Record<string, readonly string[]>> = {
  string: ["minLength", "maxLength", "pattern", "format"],
  integer: ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"],
  number: ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"],
  object: ["minProperties", "maxProperties"],
  array: ["minItems", "maxItems", "uniqueItems"],
  date: [],
  timestamp: [],
  time: [],
  boolean: [],
};

/** Keywords read by the converter (anything else is reported). */
const readKeywords = new Set([
  "$schema",
  "$id",
  "$comment",
  "$defs",
  "definitions",
  "$ref",
  "title",
  "description",
  "type",
  "format",
  "enum",
  "const",
  "properties",
  "required",
  "items",
  "additionalProperties",
  "examples",
  "default",
  "deprecated",
  "readOnly",
  "writeOnly",
  "anyOf",
  "oneOf",
  "allOf",
  odcsKeyword,
  odcsContractKeyword,
  ...Object.values(optionKeywords).flat(),
]);

/** Annotations kept as custom properties (ODCS has no field for them). */
const customKeywords = ["default", "deprecated", "readOnly", "writeOnly", "$comment"];

const formatTypes: Readonly<Record<string, string>> = { date: "date", "date-time": "timestamp", time: "time" };

interface Located {
  schema: JsonObject;
  path: Path;
}

/**
 * JSON Schema (2020-12, 2019-09, draft-07) → ODCS v3.1. A root object schema whose properties are
 * all arrays of objects (what `quanta export --format jsonschema` writes for several objects) gives
 * one schema object per property; any other root object schema is one schema object; a document
 * with only `$defs`/`definitions` of objects gives one schema object per definition.
 */
export class JsonSchemaImporter {
  private readonly ctx: ConvertContext;
  private elements = 0;

  constructor(
    private readonly src: SourceDocument,
    private readonly options: FormatOptions,
  ) {
    this.ctx = new ConvertContext(src);
  }

  run(): ImportResult {
    const root = this.src.value;
    if (!isObject(root)) {
      this.ctx.error([], "jsonschema-not-object", "a JSON Schema document must be an object");
      return { value: {}, issues: this.ctx.issues };
    }
    if (root.$schema !== undefined) {
      const uri = String(root.$schema);
      if (!dialects.some(([re]) => re.test(uri))) {
        this.ctx.error(
          ["$schema"],
          "jsonschema-version",
          `JSON Schema ${JSON.stringify(uri)} is not read; use draft 2020-12, 2019-09 or draft-07`,
        );
        return { value: {}, issues: this.ctx.issues };
      }
    }
    const schema = this.objects(root);
    const info = isObject(root[odcsContractKeyword]) ? root[odcsContractKeyword] : {};
    const fallbackId = slug(String(root.$id ?? root.title ?? baseName(this.src.file)));
    const contract = compact({
      apiVersion: "v3.1.0",
      kind: "DataContract",
      id: typeof info.id === "string" ? info.id : fallbackId,
      name: typeof info.name === "string" ? info.name : typeof root.title === "string" ? root.title : undefined,
      version: typeof info.version === "string" ? info.version : "1.0.0",
      status: typeof info.status === "string" ? info.status : "draft",
      domain: typeof info.domain === "string" ? info.domain : undefined,
      dataProduct: typeof info.dataProduct === "string" ? info.dataProduct : undefined,
      schema,
    });
    return { value: contract, issues: this.ctx.issues };
  }

  /** The schema objects of the document, by the rule in the class comment. */
  private objects(root: JsonObject): JsonObject[] {
    const mode = this.options.objects ?? "auto";
    const props = isObject(root.properties) ? root.properties : undefined;
    // Looking ahead must not report: the chosen reading reports what it meets.
    const mark = this.ctx.issues.length;
    const peek = props
      ? Object.entries(props).map(([name, s]) => ({ name, at: this.resolve(s, ["properties", name], 0) }))
      : [];
    const perProperty =
      mode === "properties" ||
      (mode === "auto" &&
        peek.length > 0 &&
        peek.every(({ at }) => {
          if (!at || !typeOf(at.schema).includes("array")) return false;
          const items = this.resolve(at.schema.items, [...at.path, "items"], 0);
          return items !== undefined && typeOf(items.schema).includes("object");
        }));
    this.ctx.issues.length = mark;
    if (perProperty && props) {
      this.reportUnknown(root, [], ["properties", "type", "additionalProperties", "title", "description"]);
      const out: JsonObject[] = [];
      for (const [name, value] of Object.entries(props)) {
        const at = this.resolve(value, ["properties", name], 0);
        if (!at) continue;
        const type = typeOf(at.schema);
        const body = type.includes("array") ? this.resolve(at.schema.items, [...at.path, "items"], 0) : at;
        if (body) out.push(this.object(name, body, new Set()));
      }
      return out;
    }
    if (props || typeOf(root).includes("object")) {
      const name = typeof root.title === "string" ? root.title : baseName(this.src.file);
      return [this.object(name, { schema: root, path: [] }, new Set())];
    }
    const defsKey = isObject(root.$defs) ? "$defs" : isObject(root.definitions) ? "definitions" : undefined;
    const defs = defsKey ? (root[defsKey] as JsonObject) : {};
    const out: JsonObject[] = [];
    for (const name of Object.keys(defs)) {
      const at = this.resolve(defs[name], [defsKey ?? "$defs", name], 0);
      if (at && typeOf(at.schema).includes("object")) out.push(this.object(name, at, new Set()));
    }
    if (out.length === 0) {
      this.ctx.error(
        [],
        "jsonschema-no-objects",
        "the document describes no object: nothing to make a schema object of",
      );
    }
    return out;
  }

  private object(name: string, at: Located, refs: Set<string>): JsonObject {
    const { schema, path } = at;
    const kept = isObject(schema[odcsKeyword]) ? schema[odcsKeyword] : {};
    this.reportUnknown(schema, path, ["$schema", "$id", "$defs", "definitions", odcsContractKeyword]);
    const object = compact({
      id: kept.id,
      name: typeof kept.name === "string" ? kept.name : name,
      physicalName: kept.physicalName,
      physicalType: kept.physicalType,
      businessName: kept.businessName,
      description: typeof schema.description === "string" ? schema.description : undefined,
      dataGranularityDescription: kept.dataGranularityDescription,
      tags: kept.tags,
      properties: this.properties(schema, path, 1, refs),
      relationships: kept.relationships,
      quality: kept.quality,
      customProperties: kept.customProperties,
    });
    return object;
  }

  private properties(schema: JsonObject, path: Path, depth: number, refs: Set<string>): JsonObject[] {
    const props = isObject(schema.properties) ? schema.properties : {};
    const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
    return Object.entries(props).flatMap(([name, value]) => {
      const property = this.property(value, [...path, "properties", name], depth, refs, required.has(name));
      return property ? [{ name, ...property }] : [];
    });
  }

  /** `$ref` (local only) and single-branch compositions resolved to the schema they stand for. */
  private resolve(value: unknown, path: Path, depth: number, refs = new Set<string>()): Located | undefined {
    if (value === true || value === false) return { schema: {}, path };
    if (!isObject(value)) {
      this.ctx.error(path, "jsonschema-not-schema", "expected a schema (an object) here");
      return undefined;
    }
    if (typeof value.$ref !== "string") return { schema: value, path };
    const ref = value.$ref;
    if (refs.has(ref)) {
      this.ctx.error(
        [...path, "$ref"],
        "jsonschema-recursive",
        `recursive $ref ${ref}: an ODCS contract cannot hold a type that contains itself`,
      );
      return undefined;
    }
    if (depth > formatLimits.maxDepth) return undefined;
    if (!ref.startsWith("#")) {
      this.ctx.error(
        [...path, "$ref"],
        "jsonschema-remote-ref",
        `only local $ref (#/...) are read; ${ref} is in another document`,
      );
      return undefined;
    }
    const pointer = decodeURIComponent(ref.slice(1));
    const target =
      pointer === ""
        ? []
        : pointer
            .replace(/^\//, "")
            .split("/")
            .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
    let node: unknown = this.src.value;
    for (const seg of target) node = isObject(node) ? node[seg] : Array.isArray(node) ? node[Number(seg)] : undefined;
    if (node === undefined) {
      this.ctx.error([...path, "$ref"], "jsonschema-ref-missing", `$ref ${ref} points at nothing in this document`);
      return undefined;
    }
    const siblings = Object.keys(value).filter((k) => k !== "$ref" && k !== "description" && k !== "title");
    if (siblings.length > 0)
      this.ctx.warn(
        [...path, siblings[0] ?? ""],
        "jsonschema-not-mapped",
        `keywords beside $ref are not read: ${siblings.join(", ")}`,
      );
    const next = this.resolve(node, target, depth + 1, new Set([...refs, ref]));
    if (!next) return undefined;
    const schema = { ...next.schema };
    // A description at the reference describes this use of the type.
    if (typeof value.description === "string") schema.description = value.description;
    return { schema, path: next.path };
  }

  private property(
    value: unknown,
    path: Path,
    depth: number,
    refs: Set<string>,
    inRequired: boolean,
  ): JsonObject | undefined {
    if (depth > formatLimits.maxDepth) {
      this.ctx.error(path, "import-too-deep", `nesting deeper than ${formatLimits.maxDepth} levels is not read`);
      return undefined;
    }
    if (++this.elements > formatLimits.maxElements) {
      if (this.elements === formatLimits.maxElements + 1) {
        this.ctx.error(path, "import-too-many", `more than ${formatLimits.maxElements} properties are not read`);
      }
      return undefined;
    }
    const ownRefs = new Set(refs);
    if (isObject(value) && typeof value.$ref === "string") {
      if (refs.has(value.$ref)) {
        this.ctx.error(
          [...path, "$ref"],
          "jsonschema-recursive",
          `recursive $ref ${value.$ref}: an ODCS contract cannot hold a type that contains itself`,
        );
        return undefined;
      }
      ownRefs.add(value.$ref);
    }
    const at = this.resolve(value, path, depth, refs);
    if (!at) return undefined;
    let { schema } = at;
    const spath = at.path;
    let nullable = false;
    // `anyOf`/`oneOf` of one schema and null is how many tools write an optional value.
    for (const key of ["anyOf", "oneOf"]) {
      const branches = schema[key];
      if (!Array.isArray(branches)) continue;
      const nonNull = branches.filter((b) => !(isObject(b) && b.type === "null"));
      if (nonNull.length === 1 && branches.length === 2) {
        nullable = true;
        const inner = this.resolve(nonNull[0], [...spath, key, branches.indexOf(nonNull[0])], depth, ownRefs);
        if (!inner) return undefined;
        const { [key]: _, ...rest } = schema;
        schema = { ...inner.schema, ...rest };
      } else {
        this.ctx.warn(
          [...spath, key],
          "jsonschema-not-mapped",
          `${key} with ${branches.length} alternatives has no ODCS equivalent; the property keeps no type from it`,
        );
      }
    }
    if (Array.isArray(schema.allOf)) {
      this.ctx.warn([...spath, "allOf"], "jsonschema-not-mapped", "allOf is not merged; its schemas are not read");
    }
    const kept = isObject(schema[odcsKeyword]) ? schema[odcsKeyword] : {};
    const types = typeOf(schema);
    if (types.includes("null")) nullable = true;
    const nonNull = types.filter((t) => t !== "null");
    if (nonNull.length > 1) {
      this.ctx.warn(
        [...spath, "type"],
        "jsonschema-not-mapped",
        `a property of several types (${nonNull.join(", ")}) is read as ${nonNull[0]}`,
      );
    }
    let jsonType = nonNull[0];
    if (jsonType === undefined && (schema.enum !== undefined || schema.const !== undefined)) {
      const sample = Array.isArray(schema.enum) ? schema.enum.find((v) => v !== null) : schema.const;
      jsonType =
        typeof sample === "number"
          ? Number.isInteger(sample)
            ? "integer"
            : "number"
          : typeof sample === "boolean"
            ? "boolean"
            : "string";
    }
    if (jsonType === undefined && isObject(schema.properties)) jsonType = "object";
    const format = typeof schema.format === "string" ? schema.format : undefined;
    let logical: string | undefined = jsonType === "null" ? undefined : jsonType;
    if (jsonType === "string" && format && formatTypes[format]) logical = formatTypes[format];
    if (kept.logicalType === null) logical = undefined;
    this.reportUnknown(schema, spath, []);
    const options: JsonObject = {};
    for (const key of optionKeywords[logical ?? ""] ?? []) {
      if (schema[key] === undefined) continue;
      if (key === "format" && format && formatTypes[format]) continue;
      options[key] = schema[key];
    }
    if (logical && !optionKeywords[logical]?.includes("format") && format && !formatTypes[format]) {
      this.ctx.warn([...spath, "format"], "jsonschema-not-mapped", `format ${format} on a ${logical} is not read`);
    }
    if (isObject(kept.logicalTypeOptions)) Object.assign(options, kept.logicalTypeOptions);
    const quality: unknown[] = Array.isArray(kept.quality) ? [...kept.quality] : [];
    const values = Array.isArray(schema.enum) ? schema.enum : schema.const !== undefined ? [schema.const] : undefined;
    if (values) {
      if (values.includes(null)) nullable = true;
      const valid = values.filter((v) => v !== null);
      const carried = quality.some(
        (q) =>
          isObject(q) &&
          q.metric === "invalidValues" &&
          isObject(q.arguments) &&
          Array.isArray(q.arguments.validValues),
      );
      if (!carried && valid.length > 0)
        quality.unshift({ metric: "invalidValues", arguments: { validValues: valid }, mustBe: 0 });
    }
    const custom: JsonObject[] = Array.isArray(kept.customProperties)
      ? [...(kept.customProperties as JsonObject[])]
      : [];
    for (const key of customKeywords) if (schema[key] !== undefined) custom.push({ property: key, value: schema[key] });
    const out: JsonObject = compact({
      businessName: typeof schema.title === "string" ? schema.title : undefined,
      description: typeof schema.description === "string" ? schema.description : undefined,
      logicalType: logical,
      logicalTypeOptions: options,
      required: inRequired && !nullable ? true : undefined,
      examples: Array.isArray(schema.examples) ? schema.examples : undefined,
      quality,
      customProperties: custom,
    });
    for (const [k, v] of Object.entries(kept)) {
      if (k === "logicalType" || k === "logicalTypeOptions" || k === "quality" || k === "customProperties") continue;
      out[k] = v;
    }
    if (logical === "object") {
      const children = this.properties(schema, spath, depth + 1, ownRefs);
      if (children.length > 0) out.properties = children;
    }
    if (logical === "array") {
      if (Array.isArray(schema.items)) {
        this.ctx.warn([...spath, "items"], "jsonschema-not-mapped", "tuple items (a list of schemas) are not read");
      } else if (schema.items !== undefined) {
        // ODCS items carry no `required`: an array's elements are its values, never absent.
        const items = this.property(schema.items, [...spath, "items"], depth + 1, ownRefs, false);
        if (items) out.items = items;
      }
    }
    orderKeys(out, propertyKeyOrder);
    return out;
  }

  private reportUnknown(schema: JsonObject, path: Path, alsoKnown: readonly string[]): void {
    for (const key of Object.keys(schema)) {
      if (readKeywords.has(key) || alsoKnown.includes(key)) continue;
      this.ctx.warn([...path, key], "jsonschema-not-mapped", `keyword ${key} has no ODCS equivalent and is not read`);
    }
  }
}

function typeOf(schema: JsonObject): string[] {
  const t = schema.type;
  if (typeof t === "string") return [t];
  if (Array.isArray(t)) return t.map(String);
  return [];
}

function baseName(file: string): string {
  const last = file.split(/[\\/]/).pop() ?? file;
  return last.replace(/(\.schema)?\.json$/i, "").replace(/\.ya?ml$/i, "") || "schema";
}

function slug(text: string): string {
  const tail =
    text
      .split(/[\\/#]/)
      .filter(Boolean)
      .pop() ?? text;
  return (
    tail
      .replace(/(\.schema)?\.json$/i, "")
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "imported"
  );
}

export function importJsonSchema(src: SourceDocument, options: FormatOptions): ImportResult {
  return new JsonSchemaImporter(src, options).run();
}
