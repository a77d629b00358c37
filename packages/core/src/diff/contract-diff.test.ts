import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SourceDocument } from "../spec/source.js";
import { baseContract } from "./change-table.test.js";
import { comparePhysicalTypes } from "./constraints.js";
import { diffContracts } from "./contract-diff.js";

const summary = (before: unknown, after: unknown) => diffContracts(before, after).map((c) => `${c.kind} ${c.path}`);
const props = (d: ReturnType<typeof baseContract>) => d.schema[0].properties;

describe("matching", () => {
  it("ignores order: objects, properties, quality rules, servers, roles, tags", () => {
    const before = baseContract();
    const after = baseContract();
    props(after).reverse();
    after.tags = ["sales"];
    after.servers.reverse();
    props(after)[0].quality = [...(props(after)[0].quality ?? [])].reverse();
    expect(summary(before, after)).toEqual([]);
  });

  it("matches by name at every nesting level (properties of properties, array items)", () => {
    const before = baseContract();
    const after = baseContract();
    const customer = props(after).find((p: { name: string }) => p.name === "customer");
    customer.properties[0].name = "customer_id";
    const lines = props(after).find((p: { name: string }) => p.name === "lines");
    lines.items.logicalType = "integer";
    expect(summary(before, after)).toEqual([
      "logical-type-changed schema[orders].properties[lines].items.logicalType",
      "property-removed schema[orders].properties[customer].properties[id]",
      "property-added schema[orders].properties[customer].properties[customer_id]",
    ]);
  });

  it("points at the node in each document by index", () => {
    const before = baseContract();
    const after = baseContract();
    props(after).reverse(); // customer is now first
    props(after)[0].properties[0].logicalType = "integer";
    const [change] = diffContracts(before, after);
    expect(change?.at).toEqual({
      before: ["schema", 0, "properties", 4, "properties", 0, "logicalType"],
      after: ["schema", 0, "properties", 0, "properties", 0, "logicalType"],
    });
    expect(change?.message).toBe('property orders.customer.id: logicalType changed from "string" to "integer"');
  });

  it("matches by id first: a rename keeps its other changes attached", () => {
    const before = baseContract();
    const after = baseContract();
    const amount = props(after)[1];
    amount.name = "total";
    amount.logicalTypeOptions.maximum = 500;
    expect(summary(before, after)).toEqual([
      "property-renamed schema[orders].properties[total].name",
      "constraint-tightened schema[orders].properties[total].logicalTypeOptions.maximum",
    ]);
  });

  it("does not match two properties whose ids differ, even with one name", () => {
    const before = baseContract();
    const after = baseContract();
    props(after)[1].id = "another";
    expect(summary(before, after).map((s) => s.split(" ")[0])).toEqual(["property-removed", "property-added"]);
  });

  it("matches quality rules by metric and position, SLA entries by property and element", () => {
    const before = baseContract();
    before.slaProperties = [
      { property: "timeOfAvailability", value: "09:00", element: "orders.created_at" },
      { property: "timeOfAvailability", value: "08:00", element: "orders.updated_at" },
    ];
    const after = structuredClone(before);
    after.slaProperties.reverse();
    after.slaProperties[0].value = "10:00";
    expect(summary(before, after)).toEqual(["sla-changed slaProperties[timeOfAvailability@orders.updated_at]"]);
  });

  it("renaming a server is a removal and an addition", () => {
    const before = baseContract();
    const after = baseContract();
    after.servers[0].server = "production";
    expect(summary(before, after)).toEqual(["server-removed servers[prod]", "server-added servers[production]"]);
  });

  it("ranks a change to a server-level role", () => {
    const before = baseContract();
    const after = baseContract();
    after.servers[0].roles[0].access = "write";
    expect(diffContracts(before, after)[0]).toMatchObject({
      kind: "role-changed",
      path: "servers[prod].roles[server_reader].access",
      message: 'server prod: role server_reader: access changed from "read" to "write"',
    });
  });
});

describe("constraints", () => {
  const withOptions = (logicalType: string, options: unknown) => {
    const d = baseContract();
    d.schema[0].properties = [{ name: "x", logicalType, logicalTypeOptions: options }];
    return d;
  };
  const kinds = (type: string, b: unknown, a: unknown) =>
    diffContracts(withOptions(type, b), withOptions(type, a)).map((c) => c.kind);

  it.each([
    ["date", { minimum: "2020-01-01" }, { minimum: "2021-01-01" }, "constraint-tightened"],
    ["date", { maximum: "2020-01-01" }, { maximum: "2021-01-01" }, "constraint-loosened"],
    ["integer", { format: "i32" }, { format: "i64" }, "constraint-loosened"],
    ["integer", { format: "i64" }, { format: "i16" }, "constraint-tightened"],
    ["integer", { format: "i64" }, { format: "u64" }, "constraint-changed"],
    ["integer", { multipleOf: 5 }, { multipleOf: 10 }, "constraint-tightened"],
    ["integer", { multipleOf: 10 }, { multipleOf: 5 }, "constraint-loosened"],
    ["integer", { multipleOf: 4 }, { multipleOf: 6 }, "constraint-changed"],
    ["integer", { maximum: 10 }, { maximum: "ten" }, "constraint-changed"],
    ["string", {}, { format: "email" }, "constraint-tightened"],
    ["string", { format: "email" }, {}, "constraint-loosened"],
    ["string", { format: "email" }, { format: "uuid" }, "constraint-changed"],
    ["string", {}, { pattern: "^a" }, "constraint-tightened"],
    ["array", {}, { uniqueItems: true }, "constraint-tightened"],
    ["array", { uniqueItems: true }, { uniqueItems: false }, "constraint-loosened"],
    ["object", { required: ["a"] }, { required: ["a", "b"] }, "constraint-tightened"],
    ["object", { required: ["a", "b"] }, { required: ["a"] }, "constraint-loosened"],
    ["string", {}, { shinyNewOption: 1 }, "constraint-changed"],
  ])("%s %j → %j: %s", (type, b, a, kind) => {
    expect(kinds(type, b, a)).toEqual([kind]);
  });

  it.each([
    ["varchar(18)", "VARCHAR(18)", "same"],
    ["varchar(18)", "varchar(36)", "widened"],
    ["varchar(36)", "varchar(18)", "changed"],
    ["decimal(10,2)", "decimal(12,2)", "widened"],
    ["decimal(10,2)", "decimal(12,4)", "changed"],
    ["int", "bigint", "widened"],
    ["bigint", "int", "changed"],
    ["real", "double precision", "widened"],
    ["int", "double", "changed"],
    ["text", "varchar(10)", "changed"],
  ] as const)("physical type %s → %s: %s", (b, a, verdict) => {
    expect(comparePhysicalTypes(b, a)).toBe(verdict);
  });
});

describe("robustness", () => {
  it("diffs malformed shapes without throwing", () => {
    const before = baseContract();
    const bad: Record<string, unknown> = {
      ...baseContract(),
      schema: "not a list",
      team: 42,
      customProperties: { a: 1 },
    };
    const changes = diffContracts(before, bad);
    expect(changes.map((c) => `${c.kind} ${c.path}`)).toEqual([
      "unknown-field-changed schema",
      "team-changed team.name",
      "team-member-left team.members[alice]",
      "unknown-field-changed customProperties",
    ]);
    expect(changes[0]?.message).toMatch(/not a list; cannot compare item by item/);
    expect(() => diffContracts(null, 42)).not.toThrow();
    expect(() => diffContracts([1, 2], "x")).not.toThrow();
  });

  it("shows hostile names safely in paths", () => {
    const before = baseContract();
    const after = baseContract();
    props(after).push({ name: 'a]["b', logicalType: "string" });
    expect(diffContracts(before, after)[0]?.path).toBe(String.raw`schema[orders].properties["a][\"b"]`);
  });
});

describe("official ODCS examples", () => {
  const dir = join(__dirname, "../../../../../shared/standards/odcs/examples");
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".yaml"));

  it.each(files)("%s diffs against itself with no change", (file) => {
    const value = SourceDocument.parse(readFileSync(join(dir, file), "utf8"), file).value;
    expect(diffContracts(value, structuredClone(value))).toEqual([]);
  });

  it("full example: a realistic edit", () => {
    // biome-ignore lint/suspicious/noExplicitAny: the example is edited freely below
    type Loose = Record<string, any>;
    const value = SourceDocument.parse(readFileSync(join(dir, "all/full-example.odcs.yaml"), "utf8"), "x")
      .value as Loose;
    const after = structuredClone(value);
    after.schema[0].properties[1].physicalType = "varchar(36)";
    after.schema[1].properties.pop();
    after.team.members.push({ username: "jdoe", role: "Owner", dateIn: "2024-01-01" });
    expect(diffContracts(value, after).map((c) => `${c.severity} ${c.kind} ${c.message}`)).toEqual([
      'minor physical-type-widened property tbl.rcvr_id: physicalType changed from "varchar(18)" to "varchar(36)" (widened: every old value still fits)',
      "major property-removed property receivers.receiver_type removed",
      "patch team-member-joined jdoe joined as Owner on 2024-01-01",
    ]);
  });
});
