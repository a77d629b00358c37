import type { DataContract, SchemaItemProperty, SchemaObject, SchemaProperty } from "../../spec/odcs/model.js";
import { foreignKeysOf, logicalTypeOf, objectsOf, primaryKeyOf } from "../contract-view.js";

/**
 * The content of a contract's page, apart from its markup: the markdown and html exports render
 * the same sections, so both say the same things. Every string here is contract text, unescaped;
 * the renderers escape it.
 */

export type Block =
  | { kind: "paragraph"; text: string }
  | { kind: "heading"; text: string }
  | { kind: "fields"; rows: [string, Cell][] }
  | { kind: "table"; header: string[]; rows: Cell[][] };

/** Text, or a link when the contract gives a URL. */
export type Cell = string | { text: string; url: string };

export interface Section {
  id: string;
  title: string;
  blocks: Block[];
}

export interface ContractPage {
  title: string;
  sections: Section[];
}

/** Only these schemes become links: a `javascript:` URL in a contract stays text. */
export function linkable(url: string): boolean {
  return /^(https?:\/\/|mailto:)[^\s<>"'`]+$/i.test(url);
}

function text(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return JSON.stringify(value);
}

/** A rule's argument value: null and the empty string spelled out, as they are values to check for. */
function argument(value: unknown): string {
  return value === null ? "null" : value === "" ? '""' : text(value);
}

function link(url: unknown, label?: string): Cell {
  const u = text(url);
  return linkable(u) ? { text: label ?? u, url: u } : (label ?? u);
}

function fields(rows: [string, unknown][]): Block | undefined {
  const kept = rows
    .filter(([, v]) => v !== undefined && v !== null && text(v) !== "")
    .map(([k, v]) => [k, typeof v === "object" && v !== null && "url" in v ? (v as Cell) : text(v)] as [string, Cell]);
  return kept.length > 0 ? { kind: "fields", rows: kept } : undefined;
}

function table(header: string[], rows: Cell[][]): Block | undefined {
  return rows.length > 0 ? { kind: "table", header, rows } : undefined;
}

const none = (what: string): Block => ({ kind: "paragraph", text: `No ${what} stated.` });

function blocks(...list: (Block | undefined)[]): Block[] {
  return list.filter((b): b is Block => b !== undefined);
}

function typeOf(p: SchemaProperty | SchemaItemProperty): string {
  const logical = logicalTypeOf(p);
  const items = logical === "array" && p.items ? `<${typeOf(p.items)}>` : "";
  return `${logical}${items}${p.physicalType ? ` (${p.physicalType})` : ""}`;
}

function propertyRows(object: SchemaObject): Cell[][] {
  const pk = primaryKeyOf(object);
  const fks = foreignKeysOf(object);
  const rows: Cell[][] = [];
  const visit = (properties: SchemaProperty[] | undefined, prefix: string, top: boolean, depth: number) => {
    for (const p of Array.isArray(properties) ? properties : []) {
      if (typeof p?.name !== "string") continue;
      const name = `${prefix}${p.name}`;
      const keys: string[] = [];
      if (top && p.primaryKey === true) keys.push(pk.length > 1 ? `primary key (${pk.indexOf(p) + 1})` : "primary key");
      if (top)
        for (const fk of fks) {
          const i = fk.from.indexOf(p.name);
          if (i >= 0) keys.push(`references ${fk.toObject}.${fk.toProperties[i]}`);
        }
      if (p.unique === true) keys.push("unique");
      rows.push([
        name,
        typeOf(p),
        p.required === true ? "yes" : "no",
        keys.join(", "),
        p.classification ?? "",
        p.description ?? "",
      ]);
      if (depth >= 16) continue;
      if (Array.isArray(p.properties)) visit(p.properties, `${name}.`, false, depth + 1);
      if (p.items && Array.isArray(p.items.properties)) visit(p.items.properties, `${name}[].`, false, depth + 1);
    }
  };
  visit(object.properties, "", true, 0);
  return rows;
}

function qualityRows(contract: DataContract): Cell[][] {
  const rows: Cell[][] = [];
  const operators = [
    "mustBe",
    "mustNotBe",
    "mustBeGreaterThan",
    "mustBeGreaterOrEqualTo",
    "mustBeLessThan",
    "mustBeLessOrEqualTo",
    "mustBeBetween",
    "mustNotBeBetween",
  ] as const;
  const add = (element: string, rules: SchemaObject["quality"]) => {
    for (const rule of Array.isArray(rules) ? rules : []) {
      const threshold = operators
        .filter((op) => rule[op] !== undefined)
        .map((op) => `${op} ${text(rule[op])}`)
        .join(", ");
      const args = Object.entries(rule.arguments ?? {})
        .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.map(argument).join(", ") : argument(v)}`)
        .join("; ");
      const check = rule.query ?? `${rule.metric ?? rule.rule ?? rule.type ?? ""}${args ? ` (${args})` : ""}`;
      rows.push([
        element,
        rule.name ?? rule.id ?? "",
        check,
        threshold,
        [rule.dimension, rule.severity].filter(Boolean).join(", "),
        rule.description ?? "",
      ]);
    }
  };
  const visit = (prefix: string, properties: SchemaProperty[] | undefined, depth: number) => {
    for (const p of Array.isArray(properties) ? properties : []) {
      if (typeof p?.name !== "string") continue;
      add(`${prefix}${p.name}`, p.quality);
      if (depth < 16) visit(`${prefix}${p.name}.`, p.properties, depth + 1);
    }
  };
  for (const object of objectsOf(contract)) {
    add(object.name, object.quality);
    visit(`${object.name}.`, object.properties, 0);
  }
  return rows;
}

export function contractPage(contract: DataContract): ContractPage {
  const d = contract.description ?? {};
  const defs = (list: { type?: string; url?: string; description?: string }[] | undefined) =>
    table(
      ["Type", "URL", "Description"],
      (list ?? []).map((a) => [text(a.type), link(a.url), text(a.description)]),
    );
  const sections: Section[] = [
    {
      id: "fundamentals",
      title: "Fundamentals",
      blocks: blocks(
        fields([
          ["ID", contract.id],
          ["Name", contract.name],
          ["Version", contract.version],
          ["Status", contract.status],
          ["API version", contract.apiVersion],
          ["Domain", contract.domain],
          ["Tenant", contract.tenant],
          ["Data product", contract.dataProduct],
          ["Tags", contract.tags?.join(", ")],
          ["Created", contract.contractCreatedTs],
        ]),
        defs(contract.authoritativeDefinitions),
      ),
    },
    {
      id: "description",
      title: "Description",
      blocks: blocks(
        ...(
          [
            ["Purpose", d.purpose],
            ["Usage", d.usage],
            ["Limitations", d.limitations],
          ] as const
        ).flatMap(([title, body]) =>
          body ? [{ kind: "heading", text: title } as Block, { kind: "paragraph", text: body } as Block] : [],
        ),
        defs(d.authoritativeDefinitions),
      ),
    },
    {
      id: "servers",
      title: "Servers",
      blocks: blocks(
        table(
          ["Server", "Type", "Environment", "Location", "Description"],
          (contract.servers ?? []).map((s) => [
            s.server,
            s.type,
            s.environment ?? "",
            [
              s.host && `${s.host}${s.port !== undefined ? `:${s.port}` : ""}`,
              s.account,
              s.project,
              s.catalog,
              s.database,
              s.dataset,
              s.schema,
              s.location,
              s.path,
              s.endpointUrl,
              s.format,
            ]
              .filter((v) => v !== undefined && v !== "")
              .join(" / "),
            s.description ?? "",
          ]),
        ),
      ),
    },
    {
      id: "schema",
      title: "Schema",
      blocks: objectsOf(contract).flatMap((object) =>
        blocks(
          { kind: "heading", text: object.name },
          object.description ? { kind: "paragraph", text: object.description } : undefined,
          fields([
            ["Physical name", object.physicalName],
            ["Physical type", object.physicalType],
            ["Business name", object.businessName],
            ["Granularity", object.dataGranularityDescription],
          ]),
          table(["Property", "Type", "Required", "Keys", "Classification", "Description"], propertyRows(object)),
        ),
      ),
    },
    {
      id: "quality",
      title: "Quality",
      blocks: blocks(
        table(["Element", "Rule", "Check", "Threshold", "Dimension, severity", "Description"], qualityRows(contract)),
      ),
    },
    {
      id: "sla",
      title: "Service levels",
      blocks: blocks(
        table(
          ["Property", "Value", "Unit", "Element", "Driver", "Description"],
          (contract.slaProperties ?? []).map((s) => [
            s.property,
            [text(s.value), s.valueExt !== undefined ? text(s.valueExt) : ""].filter(Boolean).join(" – "),
            s.unit ?? "",
            s.element ?? "",
            s.driver ?? "",
            s.description ?? "",
          ]),
        ),
      ),
    },
    {
      id: "team",
      title: "Team",
      blocks: blocks(
        fields([
          ["Team", contract.team?.name],
          ["Description", contract.team?.description],
        ]),
        table(
          ["Username", "Name", "Role", "Since", "Until"],
          (contract.team?.members ?? []).map((m) => [
            m.username,
            m.name ?? "",
            m.role ?? "",
            m.dateIn ?? "",
            m.dateOut ?? "",
          ]),
        ),
        table(
          ["Role", "Access", "First-level approvers", "Second-level approvers", "Description"],
          (contract.roles ?? []).map((r) => [
            r.role,
            r.access ?? "",
            r.firstLevelApprovers ?? "",
            r.secondLevelApprovers ?? "",
            r.description ?? "",
          ]),
        ),
      ),
    },
    {
      id: "support",
      title: "Support",
      blocks: blocks(
        table(
          ["Channel", "Tool", "Scope", "URL", "Description"],
          (contract.support ?? []).map((s) => [
            s.channel,
            s.tool ?? "",
            s.scope ?? "",
            s.url ? link(s.url) : "",
            s.description ?? "",
          ]),
        ),
      ),
    },
    {
      id: "price",
      title: "Price",
      blocks: blocks(
        fields([
          ["Amount", contract.price?.priceAmount],
          ["Currency", contract.price?.priceCurrency],
          ["Unit", contract.price?.priceUnit],
        ]),
      ),
    },
  ];
  for (const section of sections)
    if (section.blocks.length === 0) section.blocks.push(none(section.title.toLowerCase()));
  return { title: contract.name ?? contract.id, sections };
}
