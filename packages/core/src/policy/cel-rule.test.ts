import { describe, expect, it } from "vitest";
import { formatIssue } from "../issues.js";
import { SourceDocument } from "../spec/source.js";
import { celLimits, compileCel, runCel } from "./cel-rule.js";
import { evaluatePolicies } from "./evaluate-policies.js";
import { subjectOf } from "./fixtures.test-helpers.js";
import { parsePolicySet } from "./parse-policy.js";

const policy = (rule: string) =>
  parsePolicySet(
    SourceDocument.parse(
      `apiVersion: quanta/v1\nkind: PolicySet\nname: cel\nversion: 1.0.0\nrules:\n${rule}`,
      "cel.yaml",
    ),
  );

const evaluate = (expression: string) => {
  const compiled = compileCel(expression);
  if ("problem" in compiled) throw new Error(compiled.problem.message);
  return runCel(compiled.compiled, subjectOf());
};

describe("CEL rules", () => {
  it("see the product, its contracts, the domain and the previous version as plain data", () => {
    expect(evaluate('product.id == "sales.orders" && product.outputPorts.size() == 1')).toEqual({ value: true });
    expect(
      evaluate(
        'contracts.all(c, c.schema.all(o, o.properties.all(p, has(p.classification) && p.classification != "")))',
      ),
    ).toEqual({ value: true });
    expect(evaluate('domain == "sales" && previous == null')).toEqual({ value: true });
    expect(evaluate("contracts[0].slaProperties.exists(s, s.property == 'retention' && s.value >= 5)")).toEqual({
      value: true,
    });
    expect(evaluate("product.?nothing.orValue('x') == 'x'")).toEqual({ value: true });
  });

  it("a compile error is an issue at the expression's position (one-line and block scalars)", () => {
    expect(
      policy("  - id: bad\n    severity: advisory\n    message: m\n    cel: product.id == && true\n").issues.map(
        formatIssue,
      ),
    ).toEqual(["cel.yaml:9:24 error policy-cel-invalid CEL expression does not compile: Unexpected token: AND"]);
    expect(
      policy(
        '  - id: bad\n    severity: advisory\n    message: m\n    cel: "product.id == undefinedThing"\n',
      ).issues.map(formatIssue),
    ).toEqual([
      "cel.yaml:9:25 error policy-cel-invalid CEL expression does not compile: Unknown variable: undefinedThing",
    ]);
    expect(
      policy(
        "  - id: bad\n    severity: advisory\n    message: m\n    cel: |\n      product.outputPorts.all(p,\n        p.name == nope)\n",
      ).issues.map(formatIssue),
    ).toEqual([
      expect.stringMatching(
        /^cel.yaml:11:19 error policy-cel-invalid CEL expression does not compile: Unknown variable: nope$/,
      ),
    ]);
    expect(
      policy("  - id: bad\n    severity: advisory\n    message: m\n    cel: size(product.outputPorts)\n").issues.map(
        formatIssue,
      ),
    ).toEqual([
      "cel.yaml:9:10 error policy-cel-invalid CEL expression does not compile: expression gives int; a rule must give a bool",
    ]);
    // A dynamic value is only known when the rule runs: not a bool there is a finding.
    expect(evaluate("product.id")).toEqual({ error: "expression gave string, not a bool" });
  });

  it("a runtime error is a finding with the reason, never a crash", () => {
    const set = policy(
      "  - id: runtime\n    severity: blocking\n    message: never shown\n    cel: product.outputPorts[5].name == 'x'\n",
    ).policySet;
    if (!set) throw new Error("policy did not parse");
    const e = evaluatePolicies(set, subjectOf());
    expect(e.blocking).toBe(true);
    expect(e.results[0]?.findings.map((f) => f.message)).toEqual([
      "rule could not be evaluated: No such key: index out of bounds, index 5 >= size 1",
    ]);
    expect(evaluate("product.nothing.deeper == 1")).toEqual({ error: "No such key: nothing" });
    expect(evaluate("1 / (product.outputPorts.size() - 1) == 1")).toEqual({ error: "division by zero" });
  });

  it("a false result is a finding with the rule's message at the product", () => {
    const set = policy(
      "  - id: tags\n    severity: advisory\n    message: the product has no tags\n    cel: has(product.tags)\n",
    ).policySet;
    if (!set) throw new Error("policy did not parse");
    const e = evaluatePolicies(set, subjectOf());
    expect(e.results[0]).toMatchObject({
      passed: false,
      findings: [{ message: "the product has no tags", file: "orders.odps.yaml", line: 1, column: 1 }],
    });
    expect(e.blocking).toBe(false);
  });

  it("bounds evaluation: nested comprehensions stop with a reason, quickly", () => {
    const list = `[${Array.from({ length: 100 }, (_, i) => i).join(",")}]`;
    const started = performance.now();
    const out = evaluate(`cel.bind(l, ${list}, l.all(a, l.all(b, l.all(c, l.all(d, a + b + c + d >= 0)))))`);
    expect(out).toEqual({ error: `evaluation stopped: more than ${celLimits.maxSteps} evaluation steps` });
    expect(performance.now() - started).toBeLessThan(5_000);
    // The budget is per evaluation: the next rule starts fresh.
    expect(evaluate("product.id != ''")).toEqual({ value: true });
  });

  it("bounds parsing: oversized expressions and literals are refused at compile time", () => {
    expect(compileCel(`${"true && ".repeat(2_000)}true`)).toMatchObject({ problem: { message: expect.any(String) } });
    expect(compileCel(`size([${Array.from({ length: 500 }, () => "1").join(",")}]) > 0`)).toMatchObject({
      problem: { message: expect.stringMatching(/maxListElements|longer/) },
    });
  });
});
