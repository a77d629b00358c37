import type { Enum, Field, MapField, Namespace, ReflectionObject, Type } from "protobufjs";
import { compact, isObject, type JsonObject, orderKeys, propertyKeyOrder } from "../convert-context.js";
import { formatLimits, type ImportResult } from "../format.js";
import type { TextSource } from "../text-source.js";
import { carryPrefix } from "./export.js";

const scalars: Readonly<Record<string, string>> = {
  double: "number",
  float: "number",
  int32: "integer",
  int64: "integer",
  uint32: "integer",
  uint64: "integer",
  sint32: "integer",
  sint64: "integer",
  fixed32: "integer",
  fixed64: "integer",
  sfixed32: "integer",
  sfixed64: "integer",
  bool: "boolean",
  string: "string",
  bytes: "string",
};

/** Well-known types → logical type (wrappers are their value, optional by nature). */
const wellKnown: Readonly<Record<string, { logicalType: string; nullable?: boolean }>> = {
  "google.protobuf.Timestamp": { logicalType: "timestamp" },
  "google.type.Date": { logicalType: "date" },
  "google.type.TimeOfDay": { logicalType: "time" },
  "google.protobuf.Duration": { logicalType: "string" },
  "google.protobuf.StringValue": { logicalType: "string", nullable: true },
  "google.protobuf.BytesValue": { logicalType: "string", nullable: true },
  "google.protobuf.BoolValue": { logicalType: "boolean", nullable: true },
  "google.protobuf.Int32Value": { logicalType: "integer", nullable: true },
  "google.protobuf.Int64Value": { logicalType: "integer", nullable: true },
  "google.protobuf.UInt32Value": { logicalType: "integer", nullable: true },
  "google.protobuf.UInt64Value": { logicalType: "integer", nullable: true },
  "google.protobuf.FloatValue": { logicalType: "number", nullable: true },
  "google.protobuf.DoubleValue": { logicalType: "number", nullable: true },
  "google.protobuf.Struct": { logicalType: "object" },
};

/** A comment split into its description and the `@quanta {...}` line the export writes. */
function splitComment(text: string | null | undefined): { description?: string; kept: JsonObject } {
  if (!text) return { kept: {} };
  const lines = text.split("\n");
  let kept: JsonObject = {};
  const rest: string[] = [];
  for (const line of lines) {
    if (line.startsWith(carryPrefix)) {
      try {
        const value = JSON.parse(line.slice(carryPrefix.length));
        if (isObject(value)) kept = value;
        continue;
      } catch {
        // Not ours after all: it stays part of the description.
      }
    }
    rest.push(line);
  }
  const description = rest.join("\n").trim();
  return description ? { description, kept } : { kept };
}

/**
 * Offsets of declarations in the text, so issues land on their line: protobufjs's reflection
 * objects carry no positions, so the scanner finds `message X`, `enum X` and `name = N` itself.
 */
class Positions {
  constructor(private readonly text: string) {}

  private find(re: RegExp, from: number): number | undefined {
    re.lastIndex = from;
    const m = re.exec(this.text);
    return m ? m.index + (m[0].length - m[0].trimStart().length) : undefined;
  }

  of(object: ReflectionObject): number {
    const chain: ReflectionObject[] = [];
    for (let o: ReflectionObject | null = object; o?.parent; o = o.parent) chain.unshift(o);
    let at = 0;
    for (const o of chain) {
      const name = o.name.replace(/[$]/g, "\\$");
      const kind = o.constructor.name;
      const re =
        kind === "Type"
          ? new RegExp(`\\bmessage\\s+${name}\\b`, "g")
          : kind === "Enum"
            ? new RegExp(`\\benum\\s+${name}\\b`, "g")
            : kind === "Field" || kind === "MapField"
              ? new RegExp(`[\\s>]${name}\\s*=\\s*${(o as Field).id}\\b`, "g")
              : undefined;
      if (!re) continue;
      const found = this.find(re, at);
      if (found === undefined) return at;
      at = kind === "Field" || kind === "MapField" ? found + (/^[\s>]/.test(this.text.slice(found)) ? 1 : 0) : found;
    }
    return at;
  }

  firstMatch(re: RegExp): number | undefined {
    return this.find(new RegExp(re.source, "g"), 0);
  }
}

class ProtobufImporter {
  private readonly positions: Positions;
  private elements = 0;

  constructor(
    private readonly src: TextSource,
    private readonly root: Namespace,
    private readonly proto2: boolean,
  ) {
    this.positions = new Positions(src.text);
  }

  /** Every message, nested ones included. */
  private messages(ns: Namespace, out: Type[] = []): Type[] {
    for (const n of ns.nestedArray) {
      if (n.constructor.name === "Type") out.push(n as Type);
      if ("nestedArray" in n) this.messages(n as Namespace, out);
    }
    return out;
  }

  /** Top-level messages that no field uses are the schema objects (the others are their parts). */
  objects(): JsonObject[] {
    const all = this.messages(this.root);
    const used = new Set<Type>();
    for (const m of all) {
      for (const f of m.fieldsArray) {
        const t = this.lookup(f);
        if (t && t !== m && t.constructor.name === "Type") used.add(t as Type);
      }
    }
    const topLevel = all.filter((m) => m.parent?.constructor.name !== "Type");
    const tops = topLevel.filter((m) => !used.has(m));
    // Messages that only use each other (a cycle) are all read, so the cycle is reported.
    return (tops.length > 0 ? tops : topLevel).map((m) => this.object(m));
  }

  private lookup(field: Field): ReflectionObject | null {
    try {
      return field.parent?.lookup(field.type) ?? null;
    } catch {
      return null;
    }
  }

  private object(message: Type): JsonObject {
    const { description, kept } = splitComment(message.comment);
    const out = compact({
      ...kept,
      name: typeof kept.name === "string" ? kept.name : message.name,
      physicalType: kept.physicalType ?? "message",
      description,
      properties: this.fields(message, new Set([message]), 1),
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

  private fields(message: Type, open: Set<Type>, depth: number): JsonObject[] {
    return message.fieldsArray.flatMap((f) => {
      if (++this.elements > formatLimits.maxElements) {
        if (this.elements === formatLimits.maxElements + 1)
          this.src.error(
            this.positions.of(f),
            "import-too-many",
            `more than ${formatLimits.maxElements} fields are not read`,
          );
        return [];
      }
      const property = this.field(f, open, depth);
      return property ? [property] : [];
    });
  }

  private field(f: Field, open: Set<Type>, depth: number): JsonObject | undefined {
    const { description, kept } = splitComment(f.comment);
    const options = (f.options ?? {}) as JsonObject;
    const oneof = f.partOf && !options.proto3_optional ? f.partOf.name : undefined;
    const explicitOptional = options.proto3_optional === true || (f.optional === true && this.proto2);
    const map = (f as unknown as MapField).map === true;
    const body = map ? this.mapType(f as unknown as MapField) : this.type(f, f.type, open, depth);
    if (!body) return undefined;
    let required: boolean | undefined;
    if (this.proto2) required = f.rule === "required";
    // A proto3 field without `optional` (and outside a oneof) always has a value.
    else required = !explicitOptional && oneof === undefined;
    // An empty list and no list are the same on the wire: `required` of an array is carried.
    if (f.repeated) required = undefined;
    const custom: JsonObject[] = Array.isArray(kept.customProperties)
      ? [...(kept.customProperties as JsonObject[])]
      : [];
    if (oneof) custom.push({ property: "protobufOneof", value: oneof });
    const property = f.repeated && !map ? { logicalType: "array", items: body.property } : body.property;
    const out: JsonObject = compact({
      name: typeof options.json_name === "string" ? options.json_name : f.name,
      ...property,
      // The field's comment describes this use; the message's own comment is the fallback.
      description: description ?? (property as JsonObject).description,
      required: required && !body.nullable ? true : undefined,
    });
    // A wire type is not the type of the store the data lands in (a Parquet DECIMAL, a TIMESTAMP):
    // it is kept as protobufType, and physicalType only when the export carried one.
    if (typeof out.physicalType === "string" && kept.physicalType === undefined) {
      // A field Quanta wrote carries what the contract said (@quanta): no wire type is added to it.
      if (Object.keys(kept).length === 0) custom.push({ property: "protobufType", value: out.physicalType });
      delete out.physicalType;
    }
    this.carry(out, kept);
    if (custom.length > 0) out.customProperties = custom;
    orderKeys(out, propertyKeyOrder);
    return out;
  }

  /** Keys the export carried in its `@quanta` comment, over what the field's type says. */
  private carry(out: JsonObject, kept: JsonObject): void {
    if (kept.validValues !== undefined || kept.quality !== undefined) {
      // The carried values replace the enum's protobuf-style names; carried rules follow.
      const carriedRules = Array.isArray(kept.quality) ? (kept.quality as JsonObject[]) : [];
      const hasSet = carriedRules.some(
        (q) => q.metric === "invalidValues" && isObject(q.arguments) && Array.isArray(q.arguments.validValues),
      );
      const current = (out.quality as JsonObject[] | undefined) ?? [];
      const plain = hasSet
        ? []
        : Array.isArray(kept.validValues)
          ? [{ metric: "invalidValues", arguments: { validValues: kept.validValues }, mustBe: 0 }]
          : current.filter((q) => q.metric === "invalidValues");
      out.quality = [...plain, ...current.filter((q) => q.metric !== "invalidValues"), ...carriedRules];
    }
    for (const [k, v] of Object.entries(kept)) {
      if (k === "customProperties") continue;
      if (k === "logicalType") {
        if (v === null) {
          delete out.logicalType;
          delete out.logicalTypeOptions;
        } else out.logicalType = v;
        continue;
      }
      if (k === "validValues" || k === "quality") continue;
      if (k === "items" && isObject(out.items) && isObject(v)) {
        const items = { ...out.items };
        this.carry(items, v);
        out.items = items;
        continue;
      }
      out[k] = v;
    }
  }

  private mapType(f: MapField): { property: JsonObject; nullable: boolean; presence: boolean } {
    this.src.warn(
      this.positions.of(f),
      "protobuf-map",
      `map<${f.keyType}, ${f.type}> ${f.name}: a map's keys are data, not fields; read as an object without properties`,
    );
    return {
      property: { logicalType: "object", physicalType: `map<${f.keyType},${f.type}>` },
      nullable: false,
      presence: false,
    };
  }

  private type(
    f: Field,
    typeName: string,
    open: Set<Type>,
    depth: number,
  ): { property: JsonObject; nullable: boolean; presence: boolean } | undefined {
    const scalar = scalars[typeName];
    if (scalar) return { property: { logicalType: scalar, physicalType: typeName }, nullable: false, presence: false };
    const known = wellKnown[typeName.replace(/^\./, "")];
    if (known) {
      return {
        property: { logicalType: known.logicalType, physicalType: typeName.replace(/^\./, "") },
        nullable: known.nullable ?? false,
        presence: true,
      };
    }
    const target = this.lookup(f);
    if (!target) {
      this.src.error(
        this.positions.of(f),
        "protobuf-unknown-type",
        `type ${typeName} of ${f.name} is not defined in this file (imports are not read)`,
      );
      return undefined;
    }
    if (target.constructor.name === "Enum") {
      const e = target as Enum;
      const values = Object.entries(e.values)
        .filter(([name, n]) => !(n === 0 && /_(UNSPECIFIED|UNKNOWN)$|^(UNSPECIFIED|UNKNOWN)$/.test(name)))
        .map(([name]) => name);
      return {
        property: {
          logicalType: "string",
          physicalType: `enum ${e.name}`,
          quality: [{ metric: "invalidValues", arguments: { validValues: values }, mustBe: 0 }],
        },
        nullable: false,
        presence: false,
      };
    }
    const message = target as Type;
    if (open.has(message)) {
      this.src.error(
        this.positions.of(f),
        "protobuf-recursive",
        `message ${message.name} contains itself through ${f.name}; an ODCS contract cannot hold a recursive type`,
      );
      return undefined;
    }
    if (depth >= formatLimits.maxDepth) {
      this.src.error(
        this.positions.of(f),
        "import-too-deep",
        `nesting deeper than ${formatLimits.maxDepth} levels is not read`,
      );
      return undefined;
    }
    const properties = this.fields(message, new Set([...open, message]), depth + 1);
    const { description } = splitComment(message.comment);
    return {
      property: compact({ logicalType: "object", physicalType: message.name, description, properties }),
      nullable: false,
      presence: true,
    };
  }
}

/** protobufjs's error text ends with `(line N)`; the issue goes there. */
function parseErrorAt(message: string): { line: number; column: number } {
  const m = message.match(/line (\d+)/);
  return { line: m ? Number(m[1]) : 1, column: 1 };
}

/**
 * A `.proto` file (proto2 or proto3) → ODCS v3.1: its top-level messages that no field uses are
 * schema objects; nested messages become objects, repeated fields arrays, enums value sets.
 */
export async function importProtobuf(src: TextSource): Promise<ImportResult> {
  const mod = await import("protobufjs");
  const protobuf = (mod as unknown as { default?: typeof mod }).default ?? mod;
  const issue = (where: number | { line: number; column: number }, code: string, message: string) => {
    src.error(where, code, message);
    return { value: {}, issues: src.issues };
  };
  const edition = src.text.match(/^\s*edition\s*=\s*"([^"]*)"/m);
  if (edition)
    return issue(
      edition.index ?? 0,
      "protobuf-version",
      `Protobuf edition ${edition[1]} is not read; use proto2 or proto3`,
    );
  const syntax = src.text.match(/^\s*syntax\s*=\s*"([^"]*)"/m);
  if (syntax && syntax[1] !== "proto2" && syntax[1] !== "proto3") {
    return issue(syntax.index ?? 0, "protobuf-version", `syntax ${syntax[1]} is not read; use proto2 or proto3`);
  }
  let parsed: ReturnType<typeof protobuf.parse>;
  try {
    parsed = protobuf.parse(src.text, { keepCase: true, alternateCommentMode: true });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return issue(
      parseErrorAt(message),
      "protobuf-syntax",
      `not valid Protobuf: ${message.replace(/\s*\(line \d+\)$/, "")}`,
    );
  }
  const positions = new Positions(src.text);
  for (const file of [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])]) {
    if (/^google\/(protobuf|type)\//.test(file)) continue;
    const at = positions.firstMatch(
      new RegExp(`import\\s+(weak\\s+|public\\s+)?["']${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}["']`),
    );
    src.warn(at ?? 0, "protobuf-import", `import ${file} is not read: types it defines are unknown here`);
  }
  for (const stmt of src.text.matchAll(/^\s*(service|extend)\s+([A-Za-z_][\w.]*)/gm)) {
    src.warn(
      (stmt.index ?? 0) + stmt[0].indexOf(stmt[1] ?? ""),
      "protobuf-not-mapped",
      `${stmt[1]} ${stmt[2]} has no ODCS equivalent and is not read`,
    );
  }
  const importer = new ProtobufImporter(src, parsed.root, !syntax || syntax[1] === "proto2");
  const schema = importer.objects();
  // The export's first line carries the contract's id, name and version.
  const first = src.text.match(/^\s*\/\/ @quanta (\{.*\})\s*\n/);
  let info: JsonObject = {};
  if (first?.[1]) {
    try {
      const value = JSON.parse(first[1]);
      if (isObject(value)) info = value;
    } catch {
      // A comment that only looks like ours.
    }
  }
  const base =
    src.file
      .split(/[\\/]/)
      .pop()
      ?.replace(/\.proto$/i, "") ?? "proto";
  if (schema.length === 0 && !src.issues.some((i) => i.severity === "error")) {
    src.error(0, "protobuf-no-messages", "the file defines no message: nothing to make a schema object of");
  }
  return {
    value: compact({
      apiVersion: "v3.1.0",
      kind: "DataContract",
      id: typeof info.id === "string" ? info.id : (parsed.package ?? base.toLowerCase().replace(/[^a-z0-9._-]+/g, "-")),
      name: typeof info.name === "string" ? info.name : undefined,
      version: typeof info.version === "string" ? info.version : "1.0.0",
      status: typeof info.status === "string" ? info.status : "draft",
      schema,
    }),
    issues: src.issues,
  };
}
