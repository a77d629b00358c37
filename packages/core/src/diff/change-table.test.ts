import { describe, expect, it } from "vitest";
import { type ChangeKind, changeKinds, changeTable } from "./change-table.js";
import { diffContracts } from "./contract-diff.js";
import { diffProducts } from "./product-diff.js";

// biome-ignore lint/suspicious/noExplicitAny: fixtures are edited freely by the cases
type Doc = Record<string, any>;

/** A small contract touching every section the differ reads. */
export function baseContract(): Doc {
  return {
    apiVersion: "v3.1.0",
    kind: "DataContract",
    id: "orders-contract",
    version: "1.0.0",
    status: "active",
    name: "orders",
    domain: "sales",
    description: { purpose: "Orders of the shop" },
    tags: ["sales"],
    servers: [
      {
        server: "prod",
        type: "postgres",
        host: "db.internal",
        port: 5432,
        database: "shop",
        schema: "public",
        environment: "prod",
        roles: [{ role: "server_reader", access: "read" }],
      },
    ],
    schema: [
      {
        id: "orders_obj",
        name: "orders",
        physicalName: "orders",
        physicalType: "table",
        description: "One row per order",
        properties: [
          {
            name: "order_id",
            logicalType: "string",
            physicalType: "varchar(18)",
            required: true,
            unique: true,
            primaryKey: true,
            primaryKeyPosition: 1,
            logicalTypeOptions: { minLength: 4, maxLength: 18, pattern: "^O[0-9]+$" },
          },
          {
            id: "amount_prop",
            name: "amount",
            logicalType: "number",
            physicalType: "decimal(10,2)",
            logicalTypeOptions: { minimum: 0, maximum: 1000 },
            quality: [{ metric: "nullValues", mustBe: 0 }],
          },
          {
            name: "status",
            logicalType: "string",
            businessName: "Order status",
            classification: "public",
            quality: [{ metric: "invalidValues", mustBe: 0, arguments: { validValues: ["open", "shipped"] } }],
          },
          { name: "lines", logicalType: "array", items: { logicalType: "string", physicalType: "text" } },
          { name: "customer", logicalType: "object", properties: [{ name: "id", logicalType: "string" }] },
        ],
        quality: [{ metric: "rowCount", mustBeGreaterThan: 0 }],
      },
    ],
    roles: [{ role: "reader", access: "read", firstLevelApprovers: "lead" }],
    slaProperties: [{ property: "latency", value: 4, unit: "d" }],
    support: [{ channel: "#orders-help", tool: "slack" }],
    team: { name: "orders-team", members: [{ username: "alice", role: "owner", dateIn: "2024-01-01" }] },
    customProperties: [{ property: "costCenter", value: "42" }],
    price: { priceAmount: 1, priceCurrency: "EUR", priceUnit: "GB" },
  };
}

export function baseProduct(): Doc {
  return {
    apiVersion: "v1.0.0",
    kind: "DataProduct",
    id: "orders-product",
    version: "1.0.0",
    status: "active",
    name: "Orders",
    inputPorts: [{ name: "payments", version: "1.0.0", contractId: "payments-c" }],
    outputPorts: [{ name: "orders", version: "1.0.0", type: "tables", contractId: "orders-c1", description: "Orders" }],
    managementPorts: [{ name: "observe", content: "observability", type: "rest", url: "https://x/observe" }],
    team: { name: "t", members: [{ username: "alice", role: "owner" }] },
  };
}

const clone = <T>(v: T): T => structuredClone(v);
const prop = (doc: Doc, name: string): Doc => doc.schema[0].properties.find((p: Doc) => p.name === name);

interface Case {
  kind: ChangeKind;
  /** Other kinds the same edit legitimately produces. */
  also?: ChangeKind[];
  doc: "contract" | "product";
  edit: (doc: Doc) => void;
  /** Run the edit in reverse too and expect this kind (tightened ↔ loosened, added ↔ removed). */
  reverse?: ChangeKind;
}

const c = (kind: ChangeKind, edit: Case["edit"], extra: Partial<Case> = {}): Case => ({
  kind,
  doc: "contract",
  edit,
  ...extra,
});
const p = (kind: ChangeKind, edit: Case["edit"], extra: Partial<Case> = {}): Case => ({
  kind,
  doc: "product",
  edit,
  ...extra,
});

export const cases: Case[] = [
  c("identity-changed", (d) => (d.id = "other-contract")),
  c("standard-version-changed", (d) => (d.apiVersion = "v3.0.2")),
  c("status-changed", (d) => (d.status = "deprecated")),
  c("metadata-changed", (d) => (d.domain = "finance")),
  c("description-changed", (d) => (d.description.purpose = "All orders")),
  c("business-name-changed", (d) => (prop(d, "status").businessName = "State")),
  c("tags-changed", (d) => d.tags.push("orders")),
  c(
    "authoritative-definitions-changed",
    (d) => (d.authoritativeDefinitions = [{ type: "canonical", url: "https://x" }]),
  ),
  c("examples-changed", (d) => (prop(d, "amount").examples = [1.5])),
  c("custom-property-added", (d) => d.customProperties.push({ property: "owner", value: "x" }), {
    reverse: "custom-property-removed",
  }),
  c("custom-property-removed", (d) => (d.customProperties = []), { reverse: "custom-property-added" }),
  c("custom-property-changed", (d) => (d.customProperties[0].value = "43")),
  c("unknown-field-changed", (d) => (d.xQuantaExperimental = true)),
  c("price-changed", (d) => (d.price.priceAmount = 2)),

  c("object-added", (d) => d.schema.push({ name: "returns", properties: [] }), { reverse: "object-removed" }),
  c("object-removed", (d) => d.schema.pop(), { reverse: "object-added" }),
  c("object-renamed", (d) => (d.schema[0].name = "purchase_orders")),
  c("property-added", (d) => d.schema[0].properties.push({ name: "note", logicalType: "string" }), {
    reverse: "property-removed",
  }),
  c("required-property-added", (d) =>
    d.schema[0].properties.push({ name: "currency", logicalType: "string", required: true }),
  ),
  c("property-removed", (d) => d.schema[0].properties.splice(1, 1), { reverse: "property-added" }),
  c("property-renamed", (d) => (prop(d, "amount").name = "total")),
  c("physical-name-changed", (d) => (d.schema[0].physicalName = "orders_v2")),
  c("logical-type-changed", (d) => (prop(d, "amount").logicalType = "integer")),
  c("physical-type-changed", (d) => (prop(d, "order_id").physicalType = "varchar(10)")),
  c("physical-type-widened", (d) => (prop(d, "order_id").physicalType = "varchar(36)"), {
    reverse: "physical-type-changed",
  }),
  c("required-added", (d) => (prop(d, "amount").required = true), { reverse: "required-removed" }),
  c("required-removed", (d) => (prop(d, "order_id").required = false), { reverse: "required-added" }),
  c("unique-added", (d) => (prop(d, "amount").unique = true), { reverse: "unique-removed" }),
  c("unique-removed", (d) => delete prop(d, "order_id").unique, { reverse: "unique-added" }),
  c("primary-key-changed", (d) => (prop(d, "order_id").primaryKeyPosition = 2), { reverse: "primary-key-changed" }),
  c("partitioning-changed", (d) => (prop(d, "status").partitioned = true)),
  c("classification-changed", (d) => (prop(d, "status").classification = "restricted")),
  c("constraint-tightened", (d) => (prop(d, "amount").logicalTypeOptions.minimum = 1), {
    reverse: "constraint-loosened",
  }),
  c("constraint-loosened", (d) => (prop(d, "order_id").logicalTypeOptions.maxLength = 36), {
    reverse: "constraint-tightened",
  }),
  c("constraint-changed", (d) => (prop(d, "order_id").logicalTypeOptions.pattern = "^[A-Z][0-9]+$"), {
    reverse: "constraint-changed",
  }),
  c("valid-value-removed", (d) => prop(d, "status").quality[0].arguments.validValues.pop(), {
    reverse: "valid-value-added",
  }),
  c("valid-value-added", (d) => prop(d, "status").quality[0].arguments.validValues.push("returned"), {
    reverse: "valid-value-removed",
  }),
  c("relationships-changed", (d) => (prop(d, "customer").relationships = [{ type: "foreignKey", to: "customers.id" }])),

  c("quality-rule-added", (d) => (prop(d, "order_id").quality = [{ metric: "duplicateValues", mustBe: 0 }]), {
    reverse: "quality-rule-removed",
  }),
  c("quality-rule-removed", (d) => (d.schema[0].quality = []), { reverse: "quality-rule-added" }),
  c("quality-rule-changed", (d) => (d.schema[0].quality[0].mustBeGreaterThan = 10)),
  c("sla-added", (d) => d.slaProperties.push({ property: "retention", value: 3, unit: "y" }), {
    reverse: "sla-removed",
  }),
  c("sla-removed", (d) => (d.slaProperties = []), { reverse: "sla-added" }),
  c("sla-changed", (d) => (d.slaProperties[0].value = 1)),

  c("server-added", (d) => d.servers.push({ server: "dev", type: "duckdb", path: "x.duckdb" }), {
    reverse: "server-removed",
  }),
  c("server-removed", (d) => (d.servers = []), { reverse: "server-added" }),
  c("server-location-changed", (d) => (d.servers[0].host = "db2.internal")),
  c("server-metadata-changed", (d) => (d.servers[0].environment = "production")),
  c("role-added", (d) => d.roles.push({ role: "writer", access: "write" }), { reverse: "role-removed" }),
  c("role-removed", (d) => d.servers[0].roles.pop(), { reverse: "role-added" }),
  c("role-changed", (d) => (d.roles[0].access = "write")),

  c("support-channel-added", (d) => d.support.push({ channel: "orders@x", tool: "email" }), {
    reverse: "support-channel-removed",
  }),
  c("support-channel-removed", (d) => (d.support = []), { reverse: "support-channel-added" }),
  c("support-channel-changed", (d) => (d.support[0].tool = "teams")),
  c("team-changed", (d) => (d.team.name = "order-fulfilment")),
  c("team-member-joined", (d) => d.team.members.push({ username: "bob", role: "steward", dateIn: "2024-05-01" }), {
    reverse: "team-member-left",
  }),
  c("team-member-left", (d) => Object.assign(d.team.members[0], { dateOut: "2024-06-30" })),
  c("team-member-replaced", (d) => {
    Object.assign(d.team.members[0], { dateOut: "2024-06-30", replacedByUsername: "carol" });
    d.team.members.push({ username: "carol", role: "owner", dateIn: "2024-07-01" });
  }),
  c("team-member-role-changed", (d) => (d.team.members[0].role = "steward")),
  c("team-member-changed", (d) => (d.team.members[0].name = "Alice A.")),

  p("output-port-added", (d) => d.outputPorts.push({ name: "returns", version: "1.0.0" }), {
    reverse: "output-port-removed",
  }),
  p("output-port-removed", (d) => (d.outputPorts = []), { reverse: "output-port-added" }),
  p(
    "output-port-version-changed",
    (d) => Object.assign(d.outputPorts[0], { version: "1.1.0", contractId: "orders-c2" }),
    {
      also: ["output-port-version-changed"],
      reverse: "output-port-breaking-version",
    },
  ),
  p("output-port-breaking-version", (d) => Object.assign(d.outputPorts[0], { version: "2.0.0" })),
  p("output-port-contract-changed", (d) => (d.outputPorts[0].contractId = "other")),
  p("output-port-type-changed", (d) => (d.outputPorts[0].type = "topic")),
  p("output-port-lineage-changed", (d) => (d.outputPorts[0].inputContracts = [{ id: "payments-c", version: "1.0.0" }])),
  p("input-port-added", (d) => d.inputPorts.push({ name: "refunds", version: "1.0.0", contractId: "r" }), {
    reverse: "input-port-removed",
  }),
  p("input-port-removed", (d) => (d.inputPorts = []), { reverse: "input-port-added" }),
  p("input-port-changed", (d) => (d.inputPorts[0].contractId = "payments-c2")),
  p("management-port-added", (d) => d.managementPorts.push({ name: "control", content: "control" }), {
    reverse: "management-port-removed",
  }),
  p("management-port-removed", (d) => (d.managementPorts = []), { reverse: "management-port-added" }),
  p("management-port-changed", (d) => (d.managementPorts[0].url = "https://y/observe")),
];

const differ = { contract: diffContracts, product: diffProducts };
const bases = { contract: baseContract, product: baseProduct };

describe("change table", () => {
  it("ranks every kind with a reason", () => {
    for (const kind of changeKinds) {
      expect(["patch", "minor", "major"]).toContain(changeTable[kind].severity);
      expect(changeTable[kind].reason.length).toBeGreaterThan(10);
    }
  });

  it("has a test case reaching every kind", () => {
    const reached = new Set(cases.map((x) => x.kind));
    expect(changeKinds.filter((k) => !reached.has(k))).toEqual([]);
  });

  it.each(cases.map((x) => [x.kind, x] as const))("%s", (kind, x) => {
    const before = bases[x.doc]();
    const after = clone(before);
    x.edit(after);
    const changes = differ[x.doc](before, after);
    const kinds = new Set(changes.map((ch) => ch.kind));
    expect(kinds.has(kind), JSON.stringify(changes, null, 1)).toBe(true);
    expect([...kinds].filter((k) => k !== kind && !x.also?.includes(k))).toEqual([]);
    for (const ch of changes) {
      expect(ch.severity).toBe(changeTable[ch.kind].severity);
      expect(ch.message).not.toBe("");
    }
    // Nothing changed → nothing reported.
    expect(differ[x.doc](after, clone(after))).toEqual([]);
    if (x.reverse) {
      const back = differ[x.doc](after, before).map((ch) => ch.kind);
      expect(back).toContain(x.reverse);
    }
  });
});
