import { arr, customProperty, type Obj, obj, objs, str, strs, text } from "./read.js";

export interface SchemaRow {
  /** Dotted path for nested properties (`address.city`), indented by `depth`. */
  name: string;
  depth: number;
  businessName: string | null;
  logicalType: string | null;
  physicalType: string | null;
  required: boolean;
  unique: boolean;
  primaryKey: boolean;
  classification: string | null;
  pii: boolean;
  criticalDataElement: boolean;
  constraints: string[];
  description: string | null;
  examples: string[];
}

export interface QualityRule {
  /** Where it applies: the dataset, or `dataset.property`. */
  target: string;
  name: string;
  kind: string;
  expectation: string;
  severity: string | null;
  dimension: string | null;
  description: string | null;
  query: string | null;
}

export interface Dataset {
  name: string;
  physicalName: string | null;
  description: string | null;
  rows: SchemaRow[];
}

export interface Sla {
  property: string;
  target: string;
  element: string | null;
  driver: string | null;
  description: string | null;
}

export interface ContractFacts {
  name: string | null;
  version: string | null;
  status: string | null;
  purpose: string | null;
  usage: string | null;
  limitations: string | null;
  datasets: Dataset[];
  quality: QualityRule[];
  slas: Sla[];
  price: string | null;
  roles: { role: string; access: string | null; description: string | null; approvers: string[] }[];
  support: { tool: string | null; channel: string | null; url: string | null }[];
  servers: { server: string; type: string | null; environment: string | null; location: string }[];
}

/** ODCS quality operators and how to read them. */
const operators: Record<string, (v: unknown) => string> = {
  mustBe: (v) => `= ${text(v)}`,
  mustNotBe: (v) => `≠ ${text(v)}`,
  mustBeGreaterThan: (v) => `> ${text(v)}`,
  mustBeGreaterOrEqualTo: (v) => `≥ ${text(v)}`,
  mustBeLessThan: (v) => `< ${text(v)}`,
  mustBeLessOrEqualTo: (v) => `≤ ${text(v)}`,
  mustBeBetween: (v) => `between ${arr(v).map(text).join(" and ")}`,
  mustNotBeBetween: (v) => `not between ${arr(v).map(text).join(" and ")}`,
};

/** logicalTypeOptions and how to read them. */
const optionLabels: Record<string, (v: unknown) => string> = {
  pattern: (v) => `matches ${text(v)}`,
  format: (v) => `format ${text(v)}`,
  minimum: (v) => `≥ ${text(v)}`,
  maximum: (v) => `≤ ${text(v)}`,
  exclusiveMinimum: (v) => `> ${text(v)}`,
  exclusiveMaximum: (v) => `< ${text(v)}`,
  minLength: (v) => `length ≥ ${text(v)}`,
  maxLength: (v) => `length ≤ ${text(v)}`,
  minItems: (v) => `items ≥ ${text(v)}`,
  maxItems: (v) => `items ≤ ${text(v)}`,
  uniqueItems: (v) => (v ? "unique items" : ""),
  multipleOf: (v) => `multiple of ${text(v)}`,
  timezone: (v) => (v === false ? "no time zone" : v === true ? "with time zone" : ""),
  defaultTimezone: (v) => `zone ${text(v)}`,
};

const strOrNull = (v: unknown) => str(v) ?? null;

function isPii(p: Obj): boolean {
  return customProperty(p, "pii") === true || strs(p.tags).includes("pii");
}

function constraintsOf(p: Obj): string[] {
  const out: string[] = [];
  const options = obj(p.logicalTypeOptions) ?? {};
  for (const [k, v] of Object.entries(options)) {
    const label = optionLabels[k]?.(v) ?? `${k} ${text(v)}`;
    if (label) out.push(label);
  }
  const valid = objs(p.quality).flatMap((q) => arr(obj(q.arguments)?.validValues));
  if (valid.length > 0) out.push(`one of ${valid.map(text).join(", ")}`);
  return out;
}

function rowsOf(properties: unknown, prefix: string, depth: number, out: SchemaRow[]): void {
  for (const p of objs(properties)) {
    const name = `${prefix}${str(p.name) ?? "(item)"}`;
    out.push({
      name,
      depth,
      businessName: strOrNull(p.businessName),
      logicalType: strOrNull(p.logicalType),
      physicalType: strOrNull(p.physicalType),
      required: p.required === true,
      unique: p.unique === true,
      primaryKey: p.primaryKey === true,
      classification: strOrNull(p.classification),
      pii: isPii(p),
      criticalDataElement: p.criticalDataElement === true,
      constraints: constraintsOf(p),
      description: strOrNull(p.description),
      examples: arr(p.examples).map(text),
    });
    // Objects nest `properties`; arrays describe their element in `items`.
    if (Array.isArray(p.properties)) rowsOf(p.properties, `${name}.`, depth + 1, out);
    const items = obj(p.items);
    if (items) rowsOf([{ ...items, name: "[]" }], name, depth + 1, out);
  }
}

function ruleOf(q: Obj, target: string): QualityRule {
  const op = Object.keys(operators).find((k) => k in q);
  const metric = str(q.metric);
  const kind = metric ?? str(q.type) ?? "rule";
  return {
    target,
    name: str(q.name) ?? str(q.id) ?? (metric ? `${metric}${target.includes(".") ? ` of ${target}` : ""}` : "rule"),
    kind,
    expectation: op ? (operators[op]?.(q[op]) ?? "") : "",
    severity: strOrNull(q.severity),
    dimension: strOrNull(q.dimension),
    description: strOrNull(q.description),
    query: strOrNull(q.query),
  };
}

function qualityOf(schema: unknown): QualityRule[] {
  const out: QualityRule[] = [];
  for (const ds of objs(schema)) {
    const dsName = str(ds.name) ?? "(dataset)";
    for (const q of objs(ds.quality)) out.push(ruleOf(q, dsName));
    const walk = (props: unknown, prefix: string) => {
      for (const p of objs(props)) {
        const name = `${prefix}${str(p.name) ?? "(item)"}`;
        for (const q of objs(p.quality)) out.push(ruleOf(q, name));
        walk(p.properties, `${name}.`);
      }
    };
    walk(ds.properties, `${dsName}.`);
  }
  return out;
}

/** What the contract view shows from an ODCS document, read defensively. */
export function contractFacts(doc: Obj): ContractFacts {
  const desc = obj(doc.description);
  const price = obj(doc.price);
  const amount = price?.priceAmount;
  return {
    name: strOrNull(doc.name),
    version: strOrNull(doc.version),
    status: strOrNull(doc.status),
    purpose: strOrNull(desc?.purpose),
    usage: strOrNull(desc?.usage),
    limitations: strOrNull(desc?.limitations),
    datasets: objs(doc.schema).map((ds) => {
      const rows: SchemaRow[] = [];
      rowsOf(ds.properties, "", 0, rows);
      return {
        name: str(ds.name) ?? "(dataset)",
        physicalName: strOrNull(ds.physicalName),
        description: strOrNull(ds.description),
        rows,
      };
    }),
    quality: qualityOf(doc.schema),
    slas: objs(doc.slaProperties).map((s) => ({
      property: str(s.property) ?? "(sla)",
      target: [text(s.value), text(s.valueExt), str(s.unit) ? unitName(str(s.unit) ?? "", s.value) : ""]
        .filter(Boolean)
        .join(" "),
      element: strOrNull(s.element),
      driver: strOrNull(s.driver),
      description: strOrNull(s.description),
    })),
    price:
      price && amount !== undefined
        ? amount === 0
          ? "free"
          : `${text(amount)} ${text(price.priceCurrency)}${str(price.priceUnit) ? ` per ${text(price.priceUnit)}` : ""}`
        : null,
    roles: objs(doc.roles).map((r) => ({
      role: str(r.role) ?? "(role)",
      access: strOrNull(r.access),
      description: strOrNull(r.description),
      approvers: [text(r.firstLevelApprovers), text(r.secondLevelApprovers)].filter(Boolean),
    })),
    support: objs(doc.support).map((s) => ({
      tool: strOrNull(s.tool),
      channel: strOrNull(s.channel),
      url: strOrNull(s.url),
    })),
    servers: objs(doc.servers).map((s) => ({
      server: str(s.server) ?? "(server)",
      type: strOrNull(s.type),
      environment: strOrNull(s.environment),
      location: [
        s.host ? `${text(s.host)}${s.port ? `:${text(s.port)}` : ""}` : "",
        text(s.database),
        text(s.schema),
        text(s.path),
      ]
        .filter(Boolean)
        .join(" / "),
    })),
  };
}

const units: Record<string, [one: string, many: string]> = {
  d: ["day", "days"],
  h: ["hour", "hours"],
  m: ["minute", "minutes"],
  s: ["second", "seconds"],
  y: ["year", "years"],
  percent: ["%", "%"],
};
const unitName = (u: string, value: unknown) => {
  const names = units[u];
  return names ? names[value === 1 ? 0 : 1] : u;
};
