import { describe, expect, it } from "vitest";
import { goodContract, goodProduct, subjectOf } from "../fixtures.test-helpers.js";
import type { PolicySubject } from "../policy-subject.js";
import { validateParams } from "../rule-params.js";
import { contractNoticeDays } from "./breaking-change-notice.js";
import { type BuiltinName, builtinNames, builtinRules } from "./builtin-rules.js";

/** Runs one built-in with its defaults (plus `params`) and returns `line:column message` per finding. */
function run(name: BuiltinName, subject: PolicySubject, params: Record<string, unknown> = {}): string[] {
  const checked = validateParams(builtinRules[name].params, params);
  expect(checked.problems).toEqual([]);
  return builtinRules[name].apply(subject, checked.params).map((f) => `${f.file}:${f.line}:${f.column} ${f.message}`);
}

const edit = (text: string, from: string, to: string) => {
  expect(text).toContain(from);
  return text.replace(from, to);
};
const product = (from: string, to: string) => subjectOf(edit(goodProduct, from, to));
const contract = (from: string, to: string) => subjectOf(goodProduct, [edit(goodContract, from, to)]);

describe("built-in rules", () => {
  it("the good fixture passes every built-in with default parameters", () => {
    for (const name of builtinNames) expect({ name, findings: run(name, subjectOf()) }).toEqual({ name, findings: [] });
  });

  it("every built-in has a summary and described parameters with defaults that validate", () => {
    for (const name of builtinNames) {
      const rule = builtinRules[name];
      expect(rule.summary.length).toBeGreaterThan(20);
      for (const spec of Object.values(rule.params)) expect(spec.description.length).toBeGreaterThan(5);
      const defaults = Object.fromEntries(Object.entries(rule.params).map(([k, s]) => [k, s.default]));
      expect(validateParams(rule.params, defaults).problems).toEqual([]);
    }
  });

  it("owner-and-support: owner team, a current owner and a support channel", () => {
    expect(run("owner-and-support", product("  name: Sales data\n", ""))).toEqual([
      "orders.odps.yaml:18:3 the product names no owner team (team.name)",
    ]);
    expect(run("owner-and-support", product("role: owner", "role: engineer"))).toEqual([
      "orders.odps.yaml:20:5 no current team member has the role owner",
    ]);
    expect(
      run("owner-and-support", product("      role: owner\n", "      role: owner\n      dateOut: 2020-01-01\n")),
    ).toEqual(["orders.odps.yaml:20:5 no current team member has the role owner"]);
    expect(
      run(
        "owner-and-support",
        product('  - channel: "#sales-data"\n    url: https://chat.example/sales-data\n', "  []\n"),
      ),
    ).toEqual(["orders.odps.yaml:15:3 the product declares no support channel (support[].channel)"]);
    expect(
      run("owner-and-support", product("    url: https://chat.example/sales-data\n", ""), { requireSupportUrl: true }),
    ).toEqual(['orders.odps.yaml:15:5 support channel "#sales-data" has no url']);
    expect(
      run("owner-and-support", product("role: owner", "role: Data Owner"), { ownerRoles: ["data owner"] }),
    ).toEqual([]);
  });

  it("purpose-present: product and contract purposes of a minimum length", () => {
    expect(
      run(
        "purpose-present",
        product("  purpose: Every order of the web shop, for revenue reporting.\n", "  usage: x\n"),
      ),
    ).toEqual(["orders.odps.yaml:9:3 the product has no description.purpose"]);
    expect(run("purpose-present", contract("One row per order with its amount and customer.", "Orders."))).toEqual([
      "contracts/c0.odcs.yaml:7:12 contract sales.orders.orders purpose is 7 characters; say what it is for in at least 20",
    ]);
    expect(
      run("purpose-present", contract("One row per order with its amount and customer.", "Orders."), {
        contracts: false,
      }),
    ).toEqual([]);
    expect(run("purpose-present", subjectOf(), { minLength: 60 })).toHaveLength(2);
  });

  it("properties-classified: every property, from the allowed values", () => {
    expect(run("properties-classified", contract("        classification: internal\n", ""))).toEqual([
      "contracts/c0.odcs.yaml:14:9 property orders.order_id has no classification",
    ]);
    expect(run("properties-classified", contract("classification: internal", "classification: secret"))).toEqual([
      'contracts/c0.odcs.yaml:18:25 property orders.order_id is classified "secret"; allowed: public, internal, confidential, restricted',
    ]);
  });

  it("properties-classified: nested object properties and array item fields count too", () => {
    const nested = edit(
      goodContract,
      "        classification: internal\n",
      "        classification: internal\n      - name: address\n        logicalType: object\n        classification: internal\n        properties:\n          - name: street\n            logicalType: string\n      - name: lines\n        logicalType: array\n        classification: internal\n        items:\n          logicalType: object\n          properties:\n            - name: sku\n              logicalType: string\n",
    );
    expect(run("properties-classified", subjectOf(goodProduct, [nested]))).toEqual([
      "contracts/c0.odcs.yaml:23:13 property orders.address.street has no classification",
      "contracts/c0.odcs.yaml:31:15 property orders.lines[].sku has no classification",
    ]);
  });

  it("sensitive-data-protected: PII classified confidential or restricted, never on a public port", () => {
    expect(run("sensitive-data-protected", contract("classification: restricted", "classification: internal"))).toEqual(
      [
        'contracts/c0.odcs.yaml:23:25 property orders.customer_email is marked pii but classified "internal"; classify it confidential or restricted',
      ],
    );
    const publicPort = product(
      "    contractId: sales.orders.orders\n",
      "    contractId: sales.orders.orders\n    tags: [public]\n",
    );
    expect(run("sensitive-data-protected", publicPort)).toEqual([
      "orders.odps.yaml:11:5 public output port orders offers pii property orders.customer_email (contract sales.orders.orders); remove it or make the port non-public",
    ]);
    const customMarked = contract(
      "        tags: [pii]\n",
      "        customProperties:\n          - property: sensitive\n            value: true\n",
    );
    expect(run("sensitive-data-protected", customMarked)).toEqual([]);
    const notSensitive = contract(
      "        tags: [pii]\n",
      "        customProperties:\n          - property: pii\n            value: false\n",
    );
    expect(run("sensitive-data-protected", notSensitive, { protectedClassifications: ["confidential"] })).toEqual([]);
    expect(run("sensitive-data-protected", subjectOf(), { protectedClassifications: ["confidential"] })).toHaveLength(
      1,
    );
  });

  it("quality-checks-declared: completeness and freshness per output port", () => {
    expect(
      run(
        "quality-checks-declared",
        contract(
          "      - metric: rowCount\n        mustBeGreaterThan: 0\n",
          "      - metric: duplicateValues\n        mustBe: 0\n",
        ),
      ),
    ).toEqual(["contracts/c0.odcs.yaml:9:3 contract sales.orders.orders declares no completeness check"]);
    expect(run("quality-checks-declared", contract("property: freshness", "property: latency"))).toEqual([
      "contracts/c0.odcs.yaml:26:3 contract sales.orders.orders declares no freshness (slaProperties: property freshness)",
    ]);
    expect(
      run("quality-checks-declared", contract("property: freshness", "property: latency"), { freshness: false }),
    ).toEqual([]);
    expect(run("quality-checks-declared", subjectOf(goodProduct, []))).toEqual([
      "orders.odps.yaml:11:5 output port orders has no contract to declare its checks in (contractId sales.orders.orders)",
    ]);
  });

  it("retention-declared: a retention SLA with a value", () => {
    expect(run("retention-declared", contract("property: retention", "property: latency"))).toEqual([
      "contracts/c0.odcs.yaml:26:3 contract sales.orders.orders declares no retention (slaProperties: property retention)",
    ]);
    expect(run("retention-declared", contract("    value: 7\n", "    value: null\n"))).toEqual([
      "contracts/c0.odcs.yaml:29:5 retention of contract sales.orders.orders has no value",
    ]);
  });

  it("sla-declared: some SLA, and the required properties", () => {
    const none = goodContract.slice(0, goodContract.indexOf("slaProperties:"));
    expect(run("sla-declared", subjectOf(goodProduct, [none]))).toEqual([
      "contracts/c0.odcs.yaml:1:1 contract sales.orders.orders declares no SLA (slaProperties)",
    ]);
    expect(run("sla-declared", subjectOf(), { properties: ["availability", "Latency", "frequency"] })).toEqual([
      "contracts/c0.odcs.yaml:26:3 contract sales.orders.orders declares no SLA for Latency, frequency",
    ]);
  });

  it("naming-convention: ids and names match the configured patterns", () => {
    expect(run("naming-convention", product("  - name: orders\n", "  - name: Orders_Port\n"))).toEqual([
      'orders.odps.yaml:11:11 output port name "Orders_Port" does not match portName ^[a-z][a-z0-9-]*$',
    ]);
    expect(run("naming-convention", contract("- name: order_id", "- name: orderId"))).toEqual([
      'contracts/c0.odcs.yaml:14:15 property name "orderId" does not match propertyName ^[a-z][a-z0-9_]*$',
    ]);
    expect(
      run("naming-convention", contract("- name: order_id", "- name: orderId"), {
        propertyName: "^[a-z][A-Za-z0-9]*$",
      }),
    ).toEqual([
      'contracts/c0.odcs.yaml:19:15 property name "customer_email" does not match propertyName ^[a-z][A-Za-z0-9]*$',
    ]);
    expect(run("naming-convention", product("id: sales.orders", `id: ${"a".repeat(300)}`))).toEqual([
      "orders.odps.yaml:3:5 product id is 300 characters long; the limit is 256",
    ]);
  });

  it("documentation-coverage: shares of documented properties against thresholds", () => {
    const undocumented = contract("        description: The order number.\n", "");
    expect(run("documentation-coverage", undocumented)).toEqual([
      "contracts/c0.odcs.yaml:9:3 1 of 2 properties (50%) have a description; descriptions requires 100% (missing: orders.order_id)",
    ]);
    expect(run("documentation-coverage", undocumented, { descriptions: 0.5 })).toEqual([]);
    expect(run("documentation-coverage", subjectOf(), { authoritativeDefinitions: 0.5 })).toEqual([
      "contracts/c0.odcs.yaml:9:3 0 of 2 properties (0%) have an authoritative definition; authoritativeDefinitions requires 50% (missing: orders.order_id, orders.customer_email)",
    ]);
  });
});

describe("breaking-change-notice", () => {
  const v2 = (extra = "") =>
    edit(
      edit(goodContract, "version: 1.0.0", `version: 2.0.0${extra}`),
      "      - name: customer_email",
      "      - name: email",
    );
  const now = new Date("2025-06-30T00:00:00Z");
  const runV2 = (current: string, params: Record<string, unknown> = {}) =>
    run("breaking-change-notice", subjectOf(goodProduct, [current], { previousContract: goodContract, now }), params);

  it("passes without a previous version, and for non-breaking changes", () => {
    expect(run("breaking-change-notice", subjectOf())).toEqual([]);
    const minor = edit(goodContract, "version: 1.0.0", "version: 1.1.0");
    expect(runV2(minor)).toEqual([]);
  });

  it("needs a major version for breaking changes", () => {
    const sameVersion = edit(goodContract, "      - name: customer_email", "      - name: email");
    expect(runV2(sameVersion, { noticeDays: 0 })).toEqual([
      "contracts/c0.odcs.yaml:4:10 contract sales.orders.orders has 1 breaking change(s) since 1.0.0 (property orders.customer_email removed) but version 1.0.0 is not a major version after 1.0.0",
    ]);
  });

  it("needs an announcement at least the notice period before", () => {
    expect(runV2(v2())[0]).toMatch(
      /announce them at least 30 days ahead and record the date in customProperties breakingChangeAnnounced/,
    );
    const announced = (date: string) =>
      `\ncustomProperties:\n  - property: breakingChangeAnnounced\n    value: "${date}"`;
    expect(runV2(v2(announced("2025-06-20")))).toEqual([
      expect.stringMatching(
        /^contracts\/c0.odcs.yaml:\d+:12 .*announced 2025-06-20, the 30-day notice period ends 2025-07-20$/,
      ),
    ]);
    expect(runV2(v2(announced("2025-05-01")))).toEqual([]);
    expect(runV2(v2(announced("2025-05-01")), { noticeDays: 90 })).toHaveLength(1);
  });

  it("honours a longer notice period the contract promises", () => {
    const promised = `\ncustomProperties:\n  - property: breakingChangeAnnounced\n    value: "2025-05-01"\n  - property: noticePeriod\n    value: P3M`;
    expect(runV2(v2(promised))[0]).toMatch(/the 90-day notice period ends 2025-07-30$/);
  });
});

describe("contractNoticeDays", () => {
  const sla = (value: unknown, unit: string) =>
    ({ slaProperties: [{ property: "noticePeriod", value, unit }] }) as unknown as Parameters<
      typeof contractNoticeDays
    >[0];
  it.each([
    [30, "d", 30],
    [2, "w", 14],
    [3, "months", 90],
    [1, "y", 365],
    // Agreements count notice in whole days: a part of a day is a whole one.
    [36, "h", 2],
    [90, "min", 1],
    [1, "s", 1],
  ])("%s %s → %s days", (value, unit, days) => {
    expect(contractNoticeDays(sla(value, unit))).toBe(days);
  });
  it("is undefined for a unit no table names", () => {
    expect(contractNoticeDays(sla(3, "fortnights"))).toBeUndefined();
  });
});
