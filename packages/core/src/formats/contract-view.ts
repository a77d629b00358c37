import type {
  DataContract,
  DataQuality,
  LogicalType,
  SchemaItemProperty,
  SchemaObject,
  SchemaProperty,
} from "../spec/odcs/model.js";

/**
 * Read-only helpers every exporter needs over an ODCS v3.1 contract, so that each format maps
 * types, keys and value sets the same way.
 */

export function objectsOf(contract: DataContract): SchemaObject[] {
  return Array.isArray(contract.schema) ? contract.schema.filter((o) => typeof o?.name === "string") : [];
}

/**
 * The objects an export writes: the one `schema` names (by name or physical name), else all. None
 * is an error at the contract's `schema`, with `code`; the caller then writes nothing.
 */
export function objectsToExport(
  ctx: { error(path: readonly (string | number)[], code: string, message: string): void },
  all: readonly SchemaObject[],
  chosen: string | undefined,
  code: string,
): SchemaObject[] | undefined {
  const objects = all.filter((o) => chosen === undefined || o.name === chosen || o.physicalName === chosen);
  if (objects.length > 0) return objects;
  ctx.error(["schema"], code, chosen ? `no schema object named ${chosen}` : "the contract has no schema");
  return undefined;
}

/** The object named by `--option schema=` or every object when none is named. */
export function selectObjects(contract: DataContract, name: string | undefined): SchemaObject[] {
  const all = objectsOf(contract);
  return name === undefined ? all : all.filter((o) => o.name === name || o.physicalName === name);
}

export function propertiesOf(element: { properties?: SchemaProperty[] } | undefined): SchemaProperty[] {
  return Array.isArray(element?.properties) ? element.properties.filter((p) => typeof p?.name === "string") : [];
}

/** The name the data has in its store: `physicalName` when given, else `name`. */
export function physicalNameOf(element: { name?: string; physicalName?: string }): string {
  return element.physicalName ?? element.name ?? "";
}

/** Primary key columns in `primaryKeyPosition` order (declaration order breaks ties). */
export function primaryKeyOf(object: SchemaObject): SchemaProperty[] {
  return propertiesOf(object)
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => p.primaryKey === true)
    .sort((a, b) => (a.p.primaryKeyPosition ?? 1e9) - (b.p.primaryKeyPosition ?? 1e9) || a.i - b.i)
    .map(({ p }) => p);
}

export interface ForeignKey {
  /** Property names of this object. */
  readonly from: string[];
  /** The referenced object and its property names. */
  readonly toObject: string;
  readonly toProperties: string[];
}

function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** `orders.customer_id` → ["orders", "customer_id"]; a bare name has no object. */
function splitReference(ref: string): { object?: string; property: string } {
  const dot = ref.lastIndexOf(".");
  return dot > 0 ? { object: ref.slice(0, dot), property: ref.slice(dot + 1) } : { property: ref };
}

/** Foreign keys of an object, from property-level and object-level `relationships`. */
export function foreignKeysOf(object: SchemaObject): ForeignKey[] {
  const out: ForeignKey[] = [];
  const add = (from: string[], to: string[]) => {
    const targets = to.map(splitReference);
    const toObject = targets[0]?.object;
    if (toObject === undefined || from.length === 0 || from.length !== targets.length) return;
    if (targets.some((t) => t.object !== toObject)) return;
    out.push({ from, toObject, toProperties: targets.map((t) => t.property) });
  };
  for (const property of propertiesOf(object)) {
    for (const rel of property.relationships ?? []) {
      if (rel.type !== undefined && rel.type !== "foreignKey") continue;
      add([property.name], list(rel.to));
    }
  }
  for (const rel of object.relationships ?? []) {
    if (rel.type !== undefined && rel.type !== "foreignKey") continue;
    add(
      list(rel.from).map((f) => splitReference(f).property),
      list(rel.to),
    );
  }
  return out;
}

/**
 * True when a rule is exactly a value set (`invalidValues` with `validValues`, `mustBe: 0`, nothing
 * else), so a target's enum says all of it and the rule needs no other place in the export.
 */
export function isPlainValueSet(rule: DataQuality): boolean {
  const args = (rule as DataQuality & { arguments?: Record<string, unknown> }).arguments ?? {};
  return (
    rule.metric === "invalidValues" &&
    Array.isArray(args.validValues) &&
    Object.keys(args).length === 1 &&
    rule.mustBe === 0 &&
    Object.keys(rule).every((k) => ["metric", "arguments", "mustBe", "type"].includes(k))
  );
}

/** The allowed values of a property, from an `invalidValues` rule with `validValues`. */
export function allowedValuesOf(property: SchemaProperty | SchemaItemProperty): unknown[] | undefined {
  for (const rule of property.quality ?? []) {
    const args = (rule as DataQuality & { arguments?: Record<string, unknown> }).arguments;
    if ((rule.metric === "invalidValues" || rule.rule === "validValues") && Array.isArray(args?.validValues)) {
      return args.validValues;
    }
  }
  return undefined;
}

const physicalHints: readonly [RegExp, LogicalType][] = [
  [/^(tiny|small|big|hu)?int(eger)?\d*$|^(u)?int\d+$|^long$|^short$|^serial|^bigserial|^byte$/i, "integer"],
  [/^(float|double|real|decimal|numeric|number|money)/i, "number"],
  [/^bool/i, "boolean"],
  [/^timestamp|^datetime/i, "timestamp"],
  [/^date$/i, "date"],
  [/^time(\s|$|tz)/i, "time"],
  [/^(struct|record|map|json|object|row)/i, "object"],
  [/^(array|list|.*\[\]$)/i, "array"],
];

/** The logical type of a property: declared, or guessed from its physical type, else `string`. */
export function logicalTypeOf(property: { logicalType?: LogicalType; physicalType?: string }): LogicalType {
  if (property.logicalType) return property.logicalType;
  const physical = property.physicalType?.trim();
  if (physical) for (const [re, type] of physicalHints) if (re.test(physical)) return type;
  return "string";
}

/** Precision and scale of a `decimal(p, s)` / `numeric(p,s)` physical type, when it states them. */
export function decimalOf(physicalType: string | undefined): { precision: number; scale: number } | undefined {
  const m = physicalType?.match(/^\s*(?:decimal|numeric|number)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/i);
  if (!m) return undefined;
  return { precision: Number(m[1]), scale: Number(m[2] ?? 0) };
}
