import type { Path } from "../../issues.js";
import type { SourceDocument } from "../../spec/source.js";
import { ConvertContext, compact, isObject, type JsonObject, orderKeys, propertyKeyOrder } from "../convert-context.js";
import { type FormatOptions, formatLimits, type ImportResult } from "../format.js";
import { nameAttribute, odcsAttribute } from "./avro-schema.js";

/** Avro logical types → ODCS logical type (and the option it implies). */
const logicalTypes: Readonly<Record<string, { logicalType: string; options?: JsonObject }>> = {
  date: { logicalType: "date" },
  "timestamp-millis": { logicalType: "timestamp" },
  "timestamp-micros": { logicalType: "timestamp" },
  "timestamp-nanos": { logicalType: "timestamp" },
  "local-timestamp-millis": { logicalType: "timestamp", options: { timezone: false } },
  "local-timestamp-micros": { logicalType: "timestamp", options: { timezone: false } },
  "local-timestamp-nanos": { logicalType: "timestamp", options: { timezone: false } },
  "time-millis": { logicalType: "time" },
  "time-micros": { logicalType: "time" },
  uuid: { logicalType: "string", options: { format: "uuid" } },
  decimal: { logicalType: "number" },
};

const primitives: Readonly<Record<string, string>> = {
  boolean: "boolean",
  int: "integer",
  long: "integer",
  float: "number",
  double: "number",
  string: "string",
  bytes: "string",
};

/** Attributes of a field or type the import reads; others are reported. */
const fieldKeys = new Set(["name", "type", "doc", "default", "aliases", "order", nameAttribute, odcsAttribute]);
const typeKeys = new Set([
  "type",
  "name",
  "namespace",
  "doc",
  "aliases",
  "fields",
  "items",
  "values",
  "symbols",
  "default",
  "size",
  "logicalType",
  "precision",
  "scale",
  nameAttribute,
  odcsAttribute,
]);

interface Named {
  node: JsonObject;
  path: Path;
  namespace: string | undefined;
}

function fullName(name: string, namespace: string | undefined): string {
  return name.includes(".") || !namespace ? name : `${namespace}.${name}`;
}

/**
 * Avro schema JSON (`.avsc`) → ODCS v3.1: a record, or a list of records (a top-level union),
 * gives one schema object per record; nested records become objects, arrays `items`, maps
 * objects, enums value sets, a union with null an optional property.
 */
class AvroImporter {
  private readonly ctx: ConvertContext;
  /** Named types (records, enums, fixed) by full name, where they were defined. */
  private readonly named = new Map<string, Named>();
  private elements = 0;

  constructor(private readonly src: SourceDocument) {
    this.ctx = new ConvertContext(src);
  }

  run(): ImportResult {
    const root = this.src.value;
    const tops: { node: unknown; path: Path }[] = Array.isArray(root)
      ? root.map((node, i) => ({ node, path: [i] }))
      : [{ node: root, path: [] }];
    const schema: JsonObject[] = [];
    for (const { node, path } of tops) {
      if (!isObject(node) || node.type !== "record") {
        const ref = typeof node === "string" ? this.named.get(node) : undefined;
        if (ref) continue;
        this.ctx.error(
          path,
          "avro-not-record",
          "a schema object comes from an Avro record; this top-level type is not one",
        );
        continue;
      }
      const object = this.object(node, path, undefined);
      if (object) schema.push(object);
    }
    const first = tops[0]?.node;
    const ns = isObject(first) && typeof first.namespace === "string" ? first.namespace : undefined;
    const base =
      this.src.file
        .split(/[\\/]/)
        .pop()
        ?.replace(/\.avsc$|\.json$/i, "") ?? "avro";
    return {
      value: compact({
        apiVersion: "v3.1.0",
        kind: "DataContract",
        id: ns ?? slug(base),
        version: "1.0.0",
        status: "draft",
        schema,
      }),
      issues: this.ctx.issues,
    };
  }

  private define(node: JsonObject, path: Path, namespace: string | undefined): string | undefined {
    if (typeof node.name !== "string") return undefined;
    const ns = typeof node.namespace === "string" ? node.namespace : namespace;
    const full = fullName(node.name, ns);
    this.named.set(full, {
      node,
      path,
      namespace: full.includes(".") ? full.slice(0, full.lastIndexOf(".")) : undefined,
    });
    return full;
  }

  private object(node: JsonObject, path: Path, namespace: string | undefined): JsonObject | undefined {
    const full = this.define(node, path, namespace) ?? "";
    const ns = full.includes(".") ? full.slice(0, full.lastIndexOf(".")) : undefined;
    const kept = isObject(node[odcsAttribute]) ? node[odcsAttribute] : {};
    this.unknown(node, path, typeKeys);
    const custom = Array.isArray(kept.customProperties) ? [...(kept.customProperties as JsonObject[])] : [];
    if (Array.isArray(node.aliases)) custom.push({ property: "avroAliases", value: node.aliases });
    if (typeof node.namespace === "string") custom.push({ property: "avroNamespace", value: node.namespace });
    const out = compact({
      ...kept,
      name: typeof node[nameAttribute] === "string" ? node[nameAttribute] : String(node.name),
      physicalType: kept.physicalType ?? "record",
      description: typeof node.doc === "string" ? node.doc : undefined,
      properties: this.fields(node, path, ns, new Set([full]), 1),
      customProperties: custom,
    });
    orderKeys(out, [
      "id",
      "name",
      "physicalName",
      "physicalType",
      "businessName",
      "description",
      "tags",
      "properties",
      "relationships",
      "quality",
      "customProperties",
    ]);
    return out;
  }

  private fields(
    node: JsonObject,
    path: Path,
    namespace: string | undefined,
    open: Set<string>,
    depth: number,
  ): JsonObject[] {
    if (!Array.isArray(node.fields)) return [];
    return node.fields.flatMap((field, i) => {
      const at = [...path, "fields", i];
      if (!isObject(field) || typeof field.name !== "string") return [];
      if (++this.elements > formatLimits.maxElements) {
        if (this.elements === formatLimits.maxElements + 1)
          this.ctx.error(at, "import-too-many", `more than ${formatLimits.maxElements} fields are not read`);
        return [];
      }
      this.unknown(field, at, fieldKeys);
      const converted = this.element(field.type, [...at, "type"], namespace, open, depth);
      if (!converted) return [];
      const kept = isObject(field[odcsAttribute]) ? field[odcsAttribute] : {};
      const custom = Array.isArray(kept.customProperties) ? [...(kept.customProperties as JsonObject[])] : [];
      if (field.default !== undefined && !(field.default === null && converted.nullable))
        custom.push({ property: "avroDefault", value: field.default });
      if (Array.isArray(field.aliases)) custom.push({ property: "avroAliases", value: field.aliases });
      if (field.order !== undefined) custom.push({ property: "avroOrder", value: field.order });
      // An Avro type is not the type of the store the data lands in (a Parquet DECIMAL, a
      // TIMESTAMP): it is kept as avroType, and physicalType only when the export carried one.
      // A decimal's `decimal(p,s)` is the SQL spelling too, so it stays the physical type.
      const wire = converted.property.physicalType;
      const moved = typeof wire === "string" && !/^decimal\(/.test(wire) && kept.physicalType === undefined;
      const { physicalType: _wire, ...untyped } = converted.property;
      const typed = moved ? untyped : converted.property;
      // A field Quanta wrote carries what the contract said (quanta.odcs): no Avro type is added to it.
      if (moved && !isObject(field[odcsAttribute])) custom.push({ property: "avroType", value: wire });
      const property = this.merge(
        {
          name: typeof field[nameAttribute] === "string" ? field[nameAttribute] : field.name,
          ...typed,
          // The field's doc describes this use; the record's own doc is the fallback.
          description: typeof field.doc === "string" ? field.doc : converted.property.description,
          required: converted.nullable ? undefined : true,
          customProperties: custom,
        },
        kept,
      );
      return [property];
    });
  }

  /** Carried ODCS keys (`quanta.odcs`) over what the Avro type says. */
  private merge(property: JsonObject, kept: JsonObject): JsonObject {
    const out: JsonObject = { ...property };
    for (const [k, v] of Object.entries(kept)) {
      if (k === "customProperties") continue;
      if (k === "logicalType" && v === null) {
        delete out.logicalType;
        delete out.logicalTypeOptions;
        continue;
      }
      if (k === "validValues") {
        out.quality = [
          { metric: "invalidValues", arguments: { validValues: v }, mustBe: 0 },
          ...((out.quality as unknown[]) ?? []),
        ];
        continue;
      }
      if (k === "quality") {
        const own = ((out.quality as JsonObject[]) ?? []).filter(
          () =>
            !(v as JsonObject[]).some(
              (q) => q.metric === "invalidValues" && isObject(q.arguments) && q.arguments.validValues,
            ),
        );
        out.quality = [...own, ...(v as unknown[])];
        continue;
      }
      if (k === "logicalTypeOptions" && isObject(v)) {
        out.logicalTypeOptions = { ...v };
        continue;
      }
      out[k] = v;
    }
    const result = compact(out);
    orderKeys(result, propertyKeyOrder);
    return result;
  }

  /** One Avro type as an ODCS property body, and whether it allows null. */
  private element(
    type: unknown,
    path: Path,
    namespace: string | undefined,
    open: Set<string>,
    depth: number,
  ): { property: JsonObject; nullable: boolean } | undefined {
    if (depth > formatLimits.maxDepth) {
      this.ctx.error(path, "import-too-deep", `nesting deeper than ${formatLimits.maxDepth} levels is not read`);
      return undefined;
    }
    if (Array.isArray(type)) {
      const branches = type.map((t, i) => ({ t, i })).filter(({ t }) => t !== "null");
      const nullable = branches.length < type.length;
      if (branches.length > 1) {
        this.ctx.warn(
          path,
          "avro-union",
          `a union of ${branches.length} types has no ODCS equivalent; read as its first, ${describe(branches[0]?.t)}`,
        );
      }
      const first = branches[0];
      if (!first) {
        this.ctx.warn(path, "avro-null", "a field that is always null is read as an optional string");
        return { property: { logicalType: "string" }, nullable: true };
      }
      const inner = this.element(first.t, [...path, first.i], namespace, open, depth);
      return inner ? { property: inner.property, nullable: nullable || inner.nullable } : undefined;
    }
    if (typeof type === "string") {
      if (type === "null") return { property: { logicalType: "string" }, nullable: true };
      const primitive = primitives[type];
      if (primitive) return { property: { logicalType: primitive, physicalType: type }, nullable: false };
      const full = this.named.has(fullName(type, namespace)) ? fullName(type, namespace) : type;
      const named = this.named.get(full);
      if (!named) {
        this.ctx.error(path, "avro-unknown-type", `type ${type} is not defined before this use`);
        return undefined;
      }
      if (open.has(full)) {
        this.ctx.error(
          path,
          "avro-recursive",
          `record ${full} contains itself; an ODCS contract cannot hold a recursive type`,
        );
        return undefined;
      }
      return this.complex(named.node, named.path, named.namespace, open, depth, false);
    }
    if (isObject(type)) return this.complex(type, path, namespace, open, depth, true);
    this.ctx.error(path, "avro-not-type", "expected an Avro type here");
    return undefined;
  }

  private complex(
    node: JsonObject,
    path: Path,
    namespace: string | undefined,
    open: Set<string>,
    depth: number,
    defining: boolean,
  ): { property: JsonObject; nullable: boolean } | undefined {
    const t = node.type;
    const kept = isObject(node[odcsAttribute]) ? node[odcsAttribute] : {};
    if (defining) this.unknown(node, path, typeKeys);
    const logical = typeof node.logicalType === "string" ? logicalTypes[node.logicalType] : undefined;
    if (typeof node.logicalType === "string" && !logical) {
      this.ctx.warn(
        [...path, "logicalType"],
        "avro-logical-type",
        `logical type ${node.logicalType} is not known; read as its Avro type`,
      );
    }
    if (logical) {
      const physical =
        node.logicalType === "decimal"
          ? `decimal(${Number(node.precision ?? 0)},${Number(node.scale ?? 0)})`
          : `${String(t)}(${String(node.logicalType)})`;
      return {
        property: compact({
          logicalType: logical.logicalType,
          logicalTypeOptions: logical.options,
          physicalType: physical,
        }),
        nullable: false,
      };
    }
    if (t === "record" || t === "error") {
      const full = defining ? (this.define(node, path, namespace) ?? "") : fullName(String(node.name), namespace);
      if (open.has(full)) {
        this.ctx.error(
          path,
          "avro-recursive",
          `record ${full} contains itself; an ODCS contract cannot hold a recursive type`,
        );
        return undefined;
      }
      const ns = full.includes(".") ? full.slice(0, full.lastIndexOf(".")) : undefined;
      const properties = this.fields(node, path, ns, new Set([...open, full]), depth + 1);
      const description = typeof node.doc === "string" ? node.doc : undefined;
      return {
        property: compact({ logicalType: "object", physicalType: "record", description, properties }),
        nullable: false,
      };
    }
    if (t === "enum") {
      if (defining) this.define(node, path, namespace);
      const symbols = Array.isArray(node.symbols) ? node.symbols : [];
      return {
        property: {
          logicalType: "string",
          physicalType: "enum",
          quality: [{ metric: "invalidValues", arguments: { validValues: symbols }, mustBe: 0 }],
        },
        nullable: false,
      };
    }
    if (t === "fixed") {
      if (defining) this.define(node, path, namespace);
      return { property: { logicalType: "string", physicalType: `fixed(${Number(node.size ?? 0)})` }, nullable: false };
    }
    if (t === "array") {
      const items = this.element(node.items, [...path, "items"], namespace, open, depth + 1);
      if (!items) return undefined;
      const itemKept = isObject(node[odcsAttribute]) ? node[odcsAttribute] : undefined;
      const item = itemKept ? this.merge(items.property, itemKept) : items.property;
      return { property: { logicalType: "array", physicalType: "array", items: item }, nullable: false };
    }
    if (t === "map") {
      const values = this.element(node.values, [...path, "values"], namespace, open, depth + 1);
      if (!values) return undefined;
      this.ctx.warn(path, "avro-map", "a map's keys are data, not fields: read as an object without properties");
      return { property: { logicalType: "object", physicalType: `map<${describe(node.values)}>` }, nullable: false };
    }
    if (typeof t === "string" || Array.isArray(t) || isObject(t)) {
      // `{"type": "string"}` and other wrapped types.
      const inner = this.element(t, [...path, "type"], namespace, open, depth);
      if (inner && Object.keys(kept).length > 0)
        return { property: this.merge(inner.property, kept), nullable: inner.nullable };
      return inner;
    }
    this.ctx.error(path, "avro-not-type", "expected an Avro type here");
    return undefined;
  }

  private unknown(node: JsonObject, path: Path, known: ReadonlySet<string>): void {
    for (const key of Object.keys(node)) {
      if (!known.has(key))
        this.ctx.warn([...path, key], "avro-not-mapped", `attribute ${key} has no ODCS equivalent and is not read`);
    }
  }
}

function describe(type: unknown): string {
  if (typeof type === "string") return type;
  if (isObject(type)) return String(type.logicalType ?? type.name ?? type.type);
  return "union";
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "avro"
  );
}

/**
 * Checks the schema with avsc (the Avro library) first, so that what Avro itself refuses is
 * reported as Avro says it, then converts it.
 */
export async function importAvro(src: SourceDocument, _options: FormatOptions): Promise<ImportResult> {
  const avsc = await import("avsc");
  const forSchema = (avsc.Type ?? (avsc as unknown as { default: typeof avsc }).default.Type).forSchema;
  try {
    // `assertLogicalTypes` is off: unknown logical types fall back to their Avro type, as in Avro.
    forSchema(src.value as never, { noAnonymousTypes: false });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const ctx = new ConvertContext(src);
    ctx.error([], "avro-invalid", `not a valid Avro schema: ${message}`);
    return { value: {}, issues: ctx.issues };
  }
  return new AvroImporter(src).run();
}
