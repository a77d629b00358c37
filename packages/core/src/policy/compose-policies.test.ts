import { describe, expect, it } from "vitest";
import { formatIssue } from "../issues.js";
import { SourceDocument } from "../spec/source.js";
import { certify } from "./certify.js";
import { composePolicySets } from "./compose-policies.js";
import { defaultPolicySet } from "./default-policies.js";
import { evaluatePolicies } from "./evaluate-policies.js";
import { goodContract, goodProduct, subjectOf } from "./fixtures.test-helpers.js";
import { parsePolicySet } from "./parse-policy.js";
import type { PolicySet } from "./policy-model.js";

const set = (name: string, rules: string, file = `${name}.yaml`): PolicySet => {
  const parsed = parsePolicySet(
    SourceDocument.parse(
      `apiVersion: quanta/v1\nkind: PolicySet\nname: ${name}\nversion: 2.0.0\nrules:\n${rules}`,
      file,
    ),
  );
  if (!parsed.policySet) throw new Error(parsed.issues.map(formatIssue).join("\n"));
  return parsed.policySet;
};

const global = set(
  "global",
  `  - id: docs
    builtin: documentation-coverage
    severity: blocking
    levels: [curated]
    params: { descriptions: 0.5 }
  - id: tags
    severity: blocking
    cel: has(product.tags)
    message: no tags
  - id: advice
    builtin: sla-declared
    severity: advisory
    params: { properties: [availability] }
`,
);

const compose = (rules: string) => composePolicySets([global, set("sales", rules)]);

describe("scope composition", () => {
  it("a domain may tighten a blocking rule: higher threshold, lower level", () => {
    const r = compose(`  - id: docs
    builtin: documentation-coverage
    severity: blocking
    scope: { domain: sales }
    levels: [raw]
    params: { descriptions: 1 }
`);
    expect(r.issues).toEqual([]);
    expect(r.policySet.name).toBe("global+sales");
    expect(r.policySet.version).toBe("2.0.0+2.0.0");
  });

  it("a domain may make an advisory rule blocking, or change it freely", () => {
    const r = compose(`  - id: advice
    builtin: sla-declared
    severity: blocking
    scope: { domain: sales }
  - id: own-rule
    builtin: retention-declared
    severity: blocking
    scope: { domain: sales }
`);
    expect(r.issues).toEqual([]);
  });

  it("a domain never loosens a blocking global rule: each way is refused at the domain rule", () => {
    const r = compose(`  - id: docs
    builtin: documentation-coverage
    severity: advisory
    scope: { domain: sales }
    levels: [curated]
    params: { descriptions: 0.5 }
  - id: docs
    builtin: documentation-coverage
    severity: blocking
    scope: { domain: marketing }
    levels: [curated]
    params: { descriptions: 0.2 }
  - id: docs
    builtin: documentation-coverage
    severity: blocking
    scope: { domain: finance }
    levels: [authoritative]
    params: { descriptions: 0.5 }
  - id: tags
    severity: blocking
    scope: { domain: sales }
    cel: "true"
    message: never
  - id: docs
    builtin: sla-declared
    severity: blocking
    scope: { domain: hr }
    levels: [curated]
`);
    expect(r.issues.map(formatIssue)).toMatchInlineSnapshot(`
      [
        "sales.yaml:6:5 error policy-loosens-global domain sales rule "docs" makes a blocking global rule advisory; a domain may add rules or tighten a blocking global rule, never loosen it (global rule at global.yaml:6:5)",
        "sales.yaml:12:5 error policy-loosens-global domain marketing rule "docs" sets descriptions to 0.2, looser than the global 0.5 (only a higher value tightens); a domain may add rules or tighten a blocking global rule, never loosen it (global rule at global.yaml:6:5)",
        "sales.yaml:18:5 error policy-loosens-global domain finance rule "docs" requires it only from a higher certification level than the global rule (curated); a domain may add rules or tighten a blocking global rule, never loosen it (global rule at global.yaml:6:5)",
        "sales.yaml:24:5 error policy-loosens-global domain sales rule "tags" changes how a blocking global rule is checked (a CEL expression cannot be proven stricter; add a new rule instead); a domain may add rules or tighten a blocking global rule, never loosen it (global rule at global.yaml:11:5)",
        "sales.yaml:29:5 error policy-loosens-global domain hr rule "docs" replaces built-in documentation-coverage with sla-declared; a domain may add rules or tighten a blocking global rule, never loosen it (global rule at global.yaml:6:5)",
      ]
    `);
    expect(r.policySet.rules.map((x) => `${x.id}@${x.scope.kind === "domain" ? x.scope.domain : "global"}`)).toEqual([
      "docs@global",
      "tags@global",
      "advice@global",
    ]);
  });

  it("a loosening rule inside one file is refused too", () => {
    const parsed = parsePolicySet(
      SourceDocument.parse(
        `apiVersion: quanta/v1
kind: PolicySet
name: one
version: 1.0.0
rules:
  - id: purpose
    builtin: purpose-present
    severity: blocking
  - id: purpose
    builtin: purpose-present
    severity: blocking
    scope: { domain: sales }
    params: { minLength: 5 }
`,
        "one.yaml",
      ),
    );
    expect(parsed.policySet).toBeUndefined();
    expect(parsed.issues.map(formatIssue)).toEqual([
      expect.stringMatching(
        /^one.yaml:9:5 error policy-loosens-global domain sales rule "purpose" sets minLength to 5, looser than the global 20 \(only a higher value tightens\)/,
      ),
    ]);
  });

  it("the same id twice in one scope across files is refused", () => {
    const r = composePolicySets([
      global,
      set("again", "  - id: tags\n    builtin: sla-declared\n    severity: advisory\n"),
    ]);
    expect(r.issues.map(formatIssue)).toEqual([
      'again.yaml:6:5 error policy-id-duplicate rule id "tags" (global) is already defined in global.yaml:11:5',
    ]);
  });

  it("evaluation applies the domain's tightened rule in that domain only, and records versions", () => {
    const undocumented = goodContract.replace("        description: The order number.\n", "");
    const { policySet } = compose(`  - id: docs
    builtin: documentation-coverage
    severity: blocking
    scope: { domain: sales }
    levels: [curated]
    params: { descriptions: 1 }
`);
    const inSales = evaluatePolicies(policySet, subjectOf(goodProduct, [undocumented]));
    const docs = inSales.results.find((r) => r.ruleId === "docs");
    expect(inSales.domain).toBe("sales");
    expect(docs).toMatchObject({
      passed: false,
      scope: { kind: "domain", domain: "sales" },
      policy: "sales",
      policyVersion: "2.0.0",
    });
    expect(inSales.blocking).toBe(true);
    expect(inSales).toMatchObject({ policy: "global+sales", policyVersion: "2.0.0+2.0.0", productId: "sales.orders" });
    const elsewhere = evaluatePolicies(policySet, subjectOf(goodProduct, [undocumented], { domain: "finance" }));
    expect(elsewhere.results.find((r) => r.ruleId === "docs")).toMatchObject({
      passed: true,
      scope: { kind: "global" },
    });
  });
});

describe("certify", () => {
  const evaluation = evaluatePolicies(defaultPolicySet(), subjectOf());
  const green = [{ contractId: "sales.orders.orders", outcome: "passed" as const, fresh: true }];

  it("reaches authoritative when every rule passes and tests are green and fresh", () => {
    expect(certify(evaluation, green)).toEqual({ level: "authoritative", reasons: [] });
  });

  it("stops below the first level whose rules fail, and names them", () => {
    const noRetention = evaluatePolicies(
      defaultPolicySet(),
      subjectOf(goodProduct, [goodContract.replace("property: retention", "property: latency")]),
    );
    expect(certify(noRetention, green)).toEqual({ level: "raw", reasons: ["curated: retention-declared fails"] });
    const noOwner = evaluatePolicies(defaultPolicySet(), subjectOf(goodProduct.replace("role: owner", "role: x")));
    expect(certify(noOwner, green)).toEqual({ level: "none", reasons: ["raw: owner-and-support fails"] });
  });

  it("needs green contract tests within their SLA window", () => {
    expect(certify(evaluation, [{ contractId: "c", outcome: "passed", fresh: false }])).toEqual({
      level: "none",
      reasons: ["contract c: latest contract test passed but is older than its SLA window"],
    });
    expect(certify(evaluation, [{ contractId: "c", outcome: "failed", fresh: true }]).reasons).toEqual([
      "contract c: latest contract test failed",
    ]);
    expect(certify(evaluation, [{ contractId: "c", outcome: "never-run", fresh: false }]).level).toBe("none");
    expect(certify(evaluation, "not-considered").level).toBe("authoritative");
  });
});
