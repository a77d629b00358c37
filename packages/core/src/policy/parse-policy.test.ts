import { describe, expect, it } from "vitest";
import { formatIssue } from "../issues.js";
import { SourceDocument } from "../spec/source.js";
import { defaultPoliciesYaml, defaultPolicySet } from "./default-policies.js";
import { parsePolicySet } from "./parse-policy.js";

const parse = (text: string) => parsePolicySet(SourceDocument.parse(text, "policy.yaml"));
const issues = (text: string) => parse(text).issues.map(formatIssue);

const header = "apiVersion: quanta/v1\nkind: PolicySet\nname: sales\nversion: 1.2.0\nrules:\n";

describe("parsePolicySet", () => {
  it("reads a policy set: builtin rules with defaults filled in, CEL rules, scopes and levels", () => {
    const r = parse(`${header}  - id: owner
    builtin: owner-and-support
    severity: blocking
    levels: [raw, curated]
  - id: has-tags
    description: products carry tags
    severity: advisory
    scope: { domain: sales }
    cel: has(product.tags) && size(product.tags) > 0
    message: the product has no tags
`);
    expect(r.issues).toEqual([]);
    expect(r.policySet?.name).toBe("sales");
    expect(r.policySet?.version).toBe("1.2.0");
    const [owner, tags] = r.policySet?.rules ?? [];
    expect(owner?.implementation).toEqual({
      kind: "builtin",
      builtin: "owner-and-support",
      params: { ownerRoles: ["owner"], requireSupportUrl: false },
    });
    expect(owner?.description).toMatch(/owner team/);
    expect(owner?.origin).toMatchObject({ file: "policy.yaml", line: 6, column: 5, policy: "sales", version: "1.2.0" });
    expect(tags).toMatchObject({ scope: { kind: "domain", domain: "sales" }, levels: [], severity: "advisory" });
  });

  it("reads a single-rule kind: Policy file", () => {
    const r = parse(`apiVersion: quanta/v1
kind: Policy
version: 0.1.0
id: products-have-tags
severity: advisory
cel: has(product.tags)
message: the product has no tags
`);
    expect(r.issues).toEqual([]);
    expect(r.policySet).toMatchObject({
      name: "products-have-tags",
      version: "0.1.0",
      rules: [{ id: "products-have-tags" }],
    });
  });

  it("refuses unknown fields at their key, with a hint", () => {
    expect(
      issues(`${header}  - id: owner
    builtin: owner-and-support
    severity: blocking
    level: [raw]
    params:
      ownerRole: [lead]
`),
    ).toMatchInlineSnapshot(`
      [
        "policy.yaml:9:5 error policy-field-unknown unknown field "level" in a rule; did you mean "levels"?",
        "policy.yaml:11:7 error policy-param-unknown unknown parameter "ownerRole"; allowed: ownerRoles, requireSupportUrl",
      ]
    `);
    expect(issues("apiVersion: quanta/v1\nkind: PolicySet\nname: x\nversion: 1.0.0\nrules: []\nowner: me\n")).toEqual([
      'policy.yaml:6:1 error policy-field-unknown unknown field "owner" in a PolicySet; allowed: apiVersion, kind, name, version, description, rules',
    ]);
  });

  it("refuses wrong kinds, api versions and versions", () => {
    expect(issues("apiVersion: quanta/v1\nkind: Policies\nname: x\nversion: 1.0.0\n")).toEqual([
      'policy.yaml:2:7 error policy-kind-unknown kind must be PolicySet or Policy, not "Policies"; did you mean "PolicySet"?',
    ]);
    expect(issues("apiVersion: v3.1.0\nkind: DataContract\nid: x\n")).toEqual([
      'policy.yaml:1:13 error policy-api-version apiVersion must be quanta/v1, not "v3.1.0"',
      'policy.yaml:2:7 error policy-kind-unknown kind must be PolicySet or Policy, not "DataContract"',
    ]);
    expect(issues("apiVersion: quanta/v1\nkind: PolicySet\nname: x\nversion: one\nrules: []\n")).toEqual([
      'policy.yaml:4:10 error policy-version-invalid version "one" is not a semantic version (e.g. 1.0.0)',
    ]);
    expect(issues("- 1\n- 2\n")).toEqual([
      "policy.yaml:1:1 error policy-not-mapping a policy file is a mapping with apiVersion: quanta/v1 and kind: PolicySet or Policy",
    ]);
  });

  it("reports malformed YAML with its position and reads nothing", () => {
    const r = parse(`${header}  - id: a\n    severity: [blocking\n`);
    expect(r.policySet).toBeUndefined();
    expect(r.issues[0]).toMatchObject({ severity: "error", line: 8, file: "policy.yaml" });
    expect(r.issues[0]?.code).toMatch(/^yaml-/);
    expect(issues("")).toEqual(["policy.yaml:1:1 error yaml-empty document is empty"]);
  });

  it("checks every rule field precisely", () => {
    expect(
      issues(`${header}  - id: Bad_Id
    builtin: owner-and-suport
    severity: mandatory
    scope: sales
    levels: [gold]
  - id: both
    builtin: sla-declared
    cel: "true"
    severity: advisory
  - id: neither
    severity: advisory
  - id: params
    builtin: documentation-coverage
    severity: advisory
    params: { descriptions: 2, businessNames: high }
  - id: cel-without-message
    severity: advisory
    cel: "true"
  - id: twice
    builtin: sla-declared
    severity: advisory
  - id: twice
    builtin: sla-declared
    severity: advisory
`),
    ).toMatchInlineSnapshot(`
      [
        "policy.yaml:6:9 error policy-id-invalid rule id "Bad_Id" must be kebab-case (a-z, 0-9, -)",
        "policy.yaml:8:15 error policy-severity-invalid severity must be blocking or advisory, not "mandatory"",
        "policy.yaml:9:12 error policy-scope-invalid scope must be "global" or { domain: <name> }",
        "policy.yaml:10:14 error policy-level-unknown unknown certification level "gold"; levels are raw, curated, authoritative",
        "policy.yaml:7:14 error policy-builtin-unknown unknown built-in rule "owner-and-suport"; did you mean "owner-and-support"?",
        "policy.yaml:11:5 error policy-implementation-invalid a rule has either builtin or cel, not both",
        "policy.yaml:15:5 error policy-implementation-invalid a rule needs builtin: <name> or cel: <expression>",
        "policy.yaml:20:29 error policy-param-invalid parameter "descriptions" must be at most 1",
        "policy.yaml:20:47 error policy-param-invalid parameter "businessNames" must be a number",
        "policy.yaml:21:5 error policy-field-missing missing required field "message"",
        "policy.yaml:27:9 error policy-id-duplicate rule id "twice" is already used by rules[5] in the same scope",
      ]
    `);
  });

  it("refuses an invalid regular expression parameter", () => {
    expect(
      issues(`${header}  - id: names
    builtin: naming-convention
    severity: advisory
    params: { propertyName: "([a-z" }
`),
    ).toEqual([
      expect.stringMatching(
        /^policy.yaml:9:29 error policy-param-invalid parameter "propertyName" must be a valid regular expression/,
      ),
    ]);
  });

  it("ships a default set that parses and uses every built-in", () => {
    const set = defaultPolicySet();
    expect(parse(defaultPoliciesYaml).issues).toEqual([]);
    expect(set.name).toBe("quanta-default");
    const builtins = new Set(
      set.rules.flatMap((r) => (r.implementation.kind === "builtin" ? [r.implementation.builtin] : [])),
    );
    expect(builtins.size).toBe(11);
    expect(set.rules.some((r) => r.implementation.kind === "cel")).toBe(true);
  });
});
