import { describe, expect, it } from "vitest";
import { formatIssue } from "../issues.js";
import { SourceDocument } from "../spec/source.js";
import { composePolicySets } from "./compose-policies.js";
import { evaluatePolicies } from "./evaluate-policies.js";
import { parsePolicySet } from "./parse-policy.js";
import type { PolicyData, PolicySubject } from "./policy-subject.js";

const parse = (text: string, file = "policy.yaml") => parsePolicySet(SourceDocument.parse(text, file));
const header = "apiVersion: quanta/v1\nkind: PolicySet\nname: finance\nversion: 1.0.0\nrules:\n";

const rules = `${header}  - id: completeness-passes
    severity: blocking
    on: data
    cel: data.checks.all(c, c.dimension != 'completeness' || c.status == 'passed')
    message: every completeness check of a new version passes
  - id: enough-rows
    severity: advisory
    on: data
    cel: data.rows >= 100
    message: a new version has at least 100 rows
  - id: has-tags
    severity: blocking
    cel: has(product.tags) && size(product.tags) > 0
    message: the product has tags
`;

const subject = (data?: PolicyData): PolicySubject => ({
  product: { value: { id: "fin.ledger", domain: "finance", tags: ["ledger"] } as never, file: "ledger.odps.yaml" },
  contracts: [],
  ...(data ? { data } : {}),
});

const data = (checks: PolicyData["checks"], rows = 500): PolicyData => ({
  port: "entries",
  dataset: "entries",
  version: 7,
  source: "pipeline",
  rows,
  bytes: 4096,
  status: checks.some((c) => c.status === "failed") ? "failed" : "passed",
  checks,
});

const check = (id: string, status: string, dimension: string | null = "completeness") => ({
  id,
  name: id,
  status,
  dimension,
  value: null,
});

describe("policy rules on a port's new data (on: data)", () => {
  it("judge only a version's data, and publish rules only documents", () => {
    const set = parse(rules).policySet;
    expect(set?.rules.map((r) => r.on ?? "publish")).toEqual(["data", "data", "publish"]);
    if (!set) return;
    const atPublish = evaluatePolicies(set, subject());
    expect(atPublish.results.map((r) => r.ruleId)).toEqual(["has-tags"]);
    const atData = evaluatePolicies(set, subject(data([check("nulls", "passed"), check("rows", "passed")])));
    expect(atData.results.map((r) => [r.ruleId, r.passed])).toEqual([
      ["completeness-passes", true],
      ["enough-rows", true],
    ]);
    expect(atData.blocking).toBe(false);
  });

  it("block a version whose completeness check failed, and only advise on a small one", () => {
    const set = parse(rules).policySet;
    if (!set) throw new Error("the rules parse");
    const failed = evaluatePolicies(
      set,
      subject(data([check("nulls", "failed"), check("range", "failed", "conformity")], 20)),
    );
    expect(failed.blocking).toBe(true);
    expect(failed.results.filter((r) => !r.passed).map((r) => [r.ruleId, r.severity])).toEqual([
      ["completeness-passes", "blocking"],
      ["enough-rows", "advisory"],
    ]);
    // A failed check of another dimension is not this rule's business.
    const other = evaluatePolicies(set, subject(data([check("range", "failed", "conformity")])));
    expect(other.blocking).toBe(false);
  });

  it("refuse a wrong moment, and a built-in rule on data, at the field", () => {
    const bad = parse(`${header}  - id: when
    severity: blocking
    on: nightly
    cel: data.rows > 0
    message: rows
  - id: builtin-data
    severity: blocking
    on: data
    builtin: owner-and-support
`);
    expect(bad.issues.map(formatIssue)).toEqual([
      expect.stringMatching(/^policy\.yaml:8:9 error policy-on-invalid on must be publish .* not "nightly"$/),
      expect.stringMatching(/^policy\.yaml:13:9 error policy-on-invalid built-in rules judge documents/),
    ]);
  });

  it("a rule reading data that is absent is a finding, never a crash", () => {
    const set = parse(`${header}  - id: rows
    severity: advisory
    on: data
    cel: data.checks[3].status == 'passed'
    message: the fourth check passes
`).policySet;
    if (!set) throw new Error("the rule parses");
    const e = evaluatePolicies(set, subject(data([check("a", "passed")])));
    expect(e.results[0]?.passed).toBe(false);
    expect(e.results[0]?.findings[0]?.message).toMatch(/could not be evaluated/);
  });

  it("a domain cannot move a blocking global rule to another moment", () => {
    const global = parse(
      `${header.replace("finance", "global")}  - id: rows
    severity: blocking
    on: data
    cel: data.rows > 0
    message: a version has rows
`,
      "global.yaml",
    ).policySet;
    const domain = parse(
      `${header}  - id: rows
    severity: blocking
    scope: { domain: finance }
    cel: "true"
    message: nothing
`,
      "finance.yaml",
    ).policySet;
    if (!global || !domain) throw new Error("both parse");
    const composed = composePolicySets([global, domain]);
    expect(composed.issues.map(formatIssue).join("\n")).toMatch(
      /policy-loosens-global .* judges on publish, where the blocking global rule judges on data/,
    );
  });
});
