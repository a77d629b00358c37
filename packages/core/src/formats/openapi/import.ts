import type { Path } from "../../issues.js";
import type { SourceDocument } from "../../spec/source.js";
import { ConvertContext, compact, isObject, type JsonObject } from "../convert-context.js";
import { type FormatOptions, formatLimits, type ImportResult } from "../format.js";
import { odcsContractKeyword, odcsKeyword } from "../jsonschema/export.js";
import { importJsonSchema } from "../jsonschema/import.js";

/** Top-level keys of an OpenAPI document that describe the API, not its data: noted, not read. */
const apiKeys = ["paths", "webhooks", "security", "tags", "externalDocs", "jsonSchemaDialect"];

/** OpenAPI numeric formats and the ODCS `logicalTypeOptions.format` they are. */
const numberFormats: Readonly<Record<string, string>> = { int32: "i32", int64: "i64", float: "f32", double: "f64" };

/** Keywords whose values are schemas (or maps/lists of them), walked when adapting OpenAPI 3.0. */
const schemaMaps = ["properties", "patternProperties", "$defs", "definitions"];
const schemaLists = ["allOf", "anyOf", "oneOf", "prefixItems"];
const schemaValues = ["items", "additionalProperties", "not", "contains"];

/**
 * OpenAPI 3.0 or 3.1 → ODCS v3.1: one schema object per object schema of `components.schemas`.
 * The schemas are converted by the JSON Schema importer (jsonschema/import.ts) on a view of the
 * document: what OpenAPI adds to JSON Schema is first rewritten into what that importer reads
 * (`nullable` → a `null` type, `example` → `examples`, boolean `exclusiveMinimum` → a bound,
 * `int64` → `format: i64`, `x-` extensions → custom properties, `allOf` of objects → one object),
 * with every issue still at the line and column of the OpenAPI document.
 *
 * A `$ref` from one schema to another becomes a nested object (what JSON Schema import does), and a
 * recursive `$ref` is refused where it is written.
 */
export function importOpenApi(src: SourceDocument, options: FormatOptions): ImportResult {
  const ctx = new ConvertContext(src);
  const root = src.value;
  if (!isObject(root)) {
    ctx.error([], "openapi-not-object", "an OpenAPI document must be a mapping");
    return { value: {}, issues: ctx.issues };
  }
  const version = root.openapi;
  if (typeof version !== "string" || !/^3\.[01](\.\d+)?$/.test(version)) {
    const swagger = root.swagger !== undefined;
    ctx.error(
      swagger ? ["swagger"] : ["openapi"],
      "openapi-version",
      swagger
        ? `Swagger ${String(root.swagger)} is not read; convert it to OpenAPI 3 first`
        : `OpenAPI ${version === undefined ? "(no openapi: key)" : JSON.stringify(version)} is not read; use 3.0 or 3.1`,
    );
    return { value: {}, issues: ctx.issues };
  }
  const v30 = version.startsWith("3.0");
  const components = isObject(root.components) ? root.components : undefined;
  const schemas = components && isObject(components.schemas) ? components.schemas : undefined;
  if (!schemas || Object.keys(schemas).length === 0) {
    ctx.error(
      components ? ["components"] : [],
      "openapi-no-schemas",
      "the document has no components.schemas: it describes no data to make a contract of",
    );
    return { value: {}, issues: ctx.issues };
  }
  const adapted = adaptDocument(root, ctx, v30, options.required === "non-null");
  const adaptedSchemas = (adapted.components as JsonObject).schemas as JsonObject;

  // The schema objects: object schemas, by title (else key), picked with `schemas`.
  const objectKeys = Object.keys(adaptedSchemas).filter((key) => isObjectSchema(adaptedSchemas[key]));
  const nameOf = (key: string) => {
    const title = (schemas[key] as JsonObject | undefined)?.title;
    return typeof title === "string" && title.trim() !== "" ? title : key;
  };
  let picked = objectKeys;
  if (options.schemas !== undefined) {
    const wanted = options.schemas
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = wanted.filter((w) => !objectKeys.some((k) => k === w || nameOf(k) === w));
    if (unknown.length > 0) {
      ctx.error(
        ["components", "schemas"],
        "openapi-schema-unknown",
        `no object schema ${unknown.map((u) => JSON.stringify(u)).join(", ")} in components.schemas; object schemas: ${objectKeys.join(", ") || "none"}`,
      );
      return { value: {}, issues: ctx.issues };
    }
    picked = objectKeys.filter((k) => wanted.includes(k) || wanted.includes(nameOf(k)));
  }
  if (picked.length === 0) {
    ctx.error(
      ["components", "schemas"],
      "openapi-no-objects",
      "no schema under components.schemas is an object: nothing to make a schema object of",
    );
    return { value: {}, issues: ctx.issues };
  }
  for (const key of Object.keys(schemas)) {
    if (!objectKeys.includes(key)) {
      ctx.info(
        ["components", "schemas", key],
        "openapi-not-object-schema",
        `${key} is not an object schema: it is read only where another schema refers to it`,
      );
    }
  }

  // The JSON Schema importer reads `$defs` of objects as schema objects; its `$ref`s resolve in the
  // adapted document, whose paths are the OpenAPI document's own.
  const defs: JsonObject = {};
  const keyByName = new Map<string, string>();
  for (const key of picked) {
    let name = nameOf(key);
    for (let n = 2; keyByName.has(name); n++) name = `${nameOf(key)}_${n}`;
    keyByName.set(name, key);
    defs[name] = adaptedSchemas[key];
  }
  const view = documentView(src, { ...adapted, $defs: defs }, keyByName);
  const converted = importJsonSchema(view, { objects: "auto" });
  const issues = [...ctx.issues, ...converted.issues];
  if (issues.some((i) => i.severity === "error")) return { value: {}, issues };

  const info = isObject(root.info) ? root.info : {};
  const infoCtx = new ConvertContext(src);
  const title = infoCtx.text(info.title, ["info", "title"]);
  let contractVersion = infoCtx.text(info.version, ["info", "version"]) ?? "1.0.0";
  if (info.version === undefined) {
    infoCtx.warn(["info"], "openapi-no-version", "info.version is missing; the contract is version 1.0.0");
  }
  contractVersion = contractVersion.trim() || "1.0.0";
  const description = infoCtx.text(info.description, ["info", "description"]);
  for (const key of Object.keys(info)) {
    if (key === "title" || key === "version" || key === "description") continue;
    infoCtx.info(["info", key], "openapi-not-mapped", `info.${key} is not part of a data contract; not read`);
  }
  if (root.servers !== undefined) {
    infoCtx.info(
      ["servers"],
      "openapi-servers-ignored",
      "servers are where the API answers, not where its data lives; not read (add ODCS servers by hand)",
    );
  }
  for (const key of apiKeys) {
    if (root[key] !== undefined) {
      infoCtx.info([key], "openapi-not-mapped", `${key} describes the API, not its data; not read`);
    }
  }
  for (const key of Object.keys(components ?? {})) {
    if (key !== "schemas") {
      infoCtx.info(["components", key], "openapi-not-mapped", `components.${key} is not data; not read`);
    }
  }
  const value = converted.value;
  const contract = compact({
    apiVersion: "v3.1.0",
    kind: "DataContract",
    id: slug(title ?? baseName(src.file)),
    name: title,
    version: contractVersion,
    status: "draft",
    description: description ? { purpose: description } : undefined,
    schema: value.schema,
    customProperties: [{ property: "openapi", value: version }],
  });
  return { value: contract, issues: [...issues, ...infoCtx.issues] };
}

/** Whether a (adapted) component schema is an object with properties of its own. */
function isObjectSchema(schema: unknown): boolean {
  if (!isObject(schema)) return false;
  const type = schema.type;
  return type === "object" || (Array.isArray(type) && type.includes("object"));
}

/**
 * The document as the JSON Schema importer should see it: `value` replaced, and the positions of
 * `$defs/<name>/…` answered at `components/schemas/<key>/…` of the real document.
 */
function documentView(src: SourceDocument, value: JsonObject, keyByName: Map<string, string>): SourceDocument {
  const view = Object.create(src) as SourceDocument;
  const real = (path: Path): Path =>
    path[0] === "$defs" && path.length > 1
      ? ["components", "schemas", keyByName.get(String(path[1])) ?? String(path[1]), ...path.slice(2)]
      : path;
  Object.defineProperty(view, "value", { value, writable: true });
  Object.defineProperty(view, "locate", {
    value: (path: Path, opts?: { key?: boolean }) => src.locate(real(path), opts),
  });
  return view;
}

/** A copy of the document with every schema of components.schemas rewritten for the JSON Schema importer. */
function adaptDocument(root: JsonObject, ctx: ConvertContext, v30: boolean, nonNullRequired: boolean): JsonObject {
  const schemas = ((root.components as JsonObject).schemas ?? {}) as JsonObject;
  const out: JsonObject = {};
  const adapter = new Adapter(ctx, v30, nonNullRequired, schemas);
  for (const [key, schema] of Object.entries(schemas)) {
    out[key] = adapter.schema(schema, ["components", "schemas", key], 0);
  }
  return { ...root, components: { ...(root.components as JsonObject), schemas: out } };
}

class Adapter {
  constructor(
    private readonly ctx: ConvertContext,
    private readonly v30: boolean,
    private readonly nonNullRequired: boolean,
    private readonly schemas: JsonObject,
  ) {}

  schema(value: unknown, path: Path, depth: number): unknown {
    if (!isObject(value) || depth > formatLimits.maxDepth) return value;
    let node: JsonObject = { ...value };
    if (Array.isArray(node.allOf)) node = this.mergeAllOf(node, path, new Set());
    const kept: JsonObject = isObject(node[odcsKeyword]) ? { ...(node[odcsKeyword] as JsonObject) } : {};
    const custom: unknown[] = Array.isArray(kept.customProperties) ? [...kept.customProperties] : [];
    for (const key of Object.keys(node)) {
      if (!key.startsWith("x-") || key === odcsKeyword || key === odcsContractKeyword) continue;
      custom.push({ property: key, value: node[key] });
      delete node[key];
    }
    if (node.nullable !== undefined) {
      if (!this.v30) {
        this.ctx.warn(
          [...path, "nullable"],
          "openapi-nullable-3.1",
          "nullable is OpenAPI 3.0; in 3.1 write type: [..., 'null'] (read anyway)",
        );
      }
      if (node.nullable === true) {
        if (typeof node.type === "string") node.type = [node.type, "null"];
        else if (Array.isArray(node.type) && !node.type.includes("null")) node.type = [...node.type, "null"];
        else if (node.type === undefined && node.$ref !== undefined)
          node = { anyOf: [{ $ref: node.$ref }, { type: "null" }], ...without(node, "$ref") };
        if (Array.isArray(node.enum) && !node.enum.includes(null)) node.enum = [...node.enum, null];
      }
      delete node.nullable;
    }
    if (node.example !== undefined) {
      if (node.examples === undefined) node.examples = [node.example];
      delete node.example;
    }
    for (const [flag, bound] of [
      ["exclusiveMinimum", "minimum"],
      ["exclusiveMaximum", "maximum"],
    ] as const) {
      if (typeof node[flag] !== "boolean") continue;
      if (node[flag] === true && typeof node[bound] === "number") {
        node[flag] = node[bound];
        delete node[bound];
      } else delete node[flag];
    }
    const type = Array.isArray(node.type) ? node.type.find((t) => t !== "null") : node.type;
    if (typeof node.format === "string" && (type === "integer" || type === "number")) {
      const odcs = numberFormats[node.format];
      if (odcs && (type === "integer") === odcs.startsWith("i")) {
        kept.logicalTypeOptions = {
          ...(isObject(kept.logicalTypeOptions) ? kept.logicalTypeOptions : {}),
          format: odcs,
        };
      } else {
        custom.push({ property: "format", value: node.format });
      }
      delete node.format;
    }
    if (node.type === undefined && isObject(node.properties)) node.type = "object";
    for (const key of schemaMaps) {
      const map = node[key];
      if (!isObject(map)) continue;
      node[key] = Object.fromEntries(
        Object.entries(map).map(([k, v]) => [k, this.schema(v, [...path, key, k], depth + 1)]),
      );
    }
    for (const key of schemaLists) {
      const list = node[key];
      if (Array.isArray(list)) node[key] = list.map((v, i) => this.schema(v, [...path, key, i], depth + 1));
    }
    for (const key of schemaValues)
      if (isObject(node[key])) node[key] = this.schema(node[key], [...path, key], depth + 1);
    if (this.nonNullRequired && isObject(node.properties) && node.required === undefined) {
      node.required = Object.entries(node.properties)
        .filter(([, p]) => isObject(p) && !(Array.isArray(p.type) && p.type.includes("null")) && p.anyOf === undefined)
        .map(([k]) => k);
    }
    if (custom.length > 0) kept.customProperties = custom;
    if (Object.keys(kept).length > 0) node[odcsKeyword] = kept;
    else delete node[odcsKeyword];
    return node;
  }

  /**
   * `allOf` whose parts are all objects (inline, or `$ref`s to components) is the OpenAPI way to
   * extend a schema: one object with every part's properties and required names. Other `allOf`
   * are left for the JSON Schema importer to report.
   */
  private mergeAllOf(node: JsonObject, path: Path, seen: Set<string>): JsonObject {
    const parts: JsonObject[] = [];
    for (const part of node.allOf as unknown[]) {
      let resolved = part;
      if (isObject(part) && typeof part.$ref === "string") {
        const key = part.$ref.match(/^#\/components\/schemas\/(.+)$/)?.[1];
        if (!key || seen.has(key)) return node;
        resolved = this.schemas[decodeURIComponent(key).replaceAll("~1", "/").replaceAll("~0", "~")];
        if (isObject(resolved) && Array.isArray(resolved.allOf)) {
          resolved = this.mergeAllOf({ ...resolved }, path, new Set([...seen, key]));
        }
      }
      if (!isObject(resolved) || !(resolved.type === "object" || isObject(resolved.properties))) return node;
      parts.push(resolved);
    }
    const merged: JsonObject = { ...without(node, "allOf"), type: "object" };
    const properties: JsonObject = {};
    const required = new Set<string>();
    for (const part of [...parts, node]) {
      if (isObject(part.properties)) Object.assign(properties, part.properties);
      if (Array.isArray(part.required)) for (const r of part.required) required.add(String(r));
      if (merged.description === undefined && typeof part.description === "string")
        merged.description = part.description;
    }
    merged.properties = properties;
    if (required.size > 0) merged.required = [...required];
    this.ctx.info(
      [...path, "allOf"],
      "openapi-allof-merged",
      "allOf of objects read as one object with all their properties",
    );
    return merged;
  }
}

function without(obj: JsonObject, key: string): JsonObject {
  const { [key]: _, ...rest } = obj;
  return rest;
}

function baseName(file: string): string {
  const last = file.split(/[\\/]/).pop() ?? file;
  return last.replace(/(\.openapi)?\.(json|ya?ml)$/i, "") || "api";
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "imported-api"
  );
}
