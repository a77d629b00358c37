import { describe, expect, it } from "vitest";
import { compileCel, runCel } from "../cel-rule.js";
import { defaultPolicySet } from "../default-policies.js";
import { evaluatePolicies } from "../evaluate-policies.js";
import { goodContract, goodProduct, subjectOf } from "../fixtures.test-helpers.js";
import type { PolicyColumnLineage, PolicySubject, PolicyUpstreamColumn } from "../policy-subject.js";
import { validateParams } from "../rule-params.js";
import { restrictedLineage } from "./restricted-lineage.js";

const email: PolicyUpstreamColumn = {
  product: "crm.customers",
  port: "customers",
  dataset: "customers",
  column: "email",
  classification: "restricted",
  kind: "direct",
  masked: false,
  transformations: ["DIRECT/IDENTITY"],
};
const derived = (column: string, ...upstream: PolicyUpstreamColumn[]): PolicyColumnLineage => ({
  port: "orders",
  dataset: "orders",
  column,
  upstream,
});
const withLineage = (lineage: PolicyColumnLineage[], contracts = [goodContract]): PolicySubject => ({
  ...subjectOf(goodProduct, contracts),
  lineage,
});
const run = (subject: PolicySubject, params: Record<string, unknown> = {}) => {
  const checked = validateParams(restrictedLineage.params, params);
  expect(checked.problems).toEqual([]);
  return restrictedLineage.apply(subject, checked.params).map((f) => `${f.file}:${f.line}:${f.column} ${f.message}`);
};

describe("restricted-lineage", () => {
  it("refuses an output column derived from a restricted column and classified below confidential", () => {
    expect(run(withLineage([derived("order_id", email)]))).toEqual([
      'contracts/c0.odcs.yaml:18:25 output column orders.order_id is derived from restricted column crm.customers.customers.email but classified "internal"; classify it confidential or restricted, or mask it on the way (a hash such as sha256(), or leave the column ungranted in the agreement)',
    ]);
  });

  it("points at the property when it has no classification, and at the port when the contract lacks the column", () => {
    const unclassified = goodContract.replace("        classification: internal\n", "");
    expect(run(withLineage([derived("order_id", email)], [unclassified]))).toEqual([
      expect.stringMatching(/^contracts\/c0\.odcs\.yaml:14:9 .* but classified nowhere; classify it/),
    ]);
    expect(run(withLineage([derived("email_domain", email, { ...email, column: "alt_email" })]))).toEqual([
      expect.stringMatching(
        /^orders\.odps\.yaml:11:5 output column orders\.email_domain is derived from restricted columns crm\.customers\.customers\.email, crm\.customers\.customers\.alt_email but classified nowhere; .*mask them on the way/,
      ),
    ]);
  });

  it("passes when the column is classified confidential or restricted, or every path masks it", () => {
    const confidential = goodContract.replace("classification: internal", "classification: Confidential");
    expect(run(withLineage([derived("order_id", email)], [confidential]))).toEqual([]);
    expect(run(withLineage([derived("customer_email", email)]))).toEqual([]);
    expect(run(withLineage([derived("order_id", { ...email, masked: true })]))).toEqual([]);
  });

  it("does not judge columns that only decide the rows, nor unrestricted ones, nor a subject without lineage", () => {
    expect(run(withLineage([derived("order_id", { ...email, kind: "indirect" })]))).toEqual([]);
    expect(run(withLineage([derived("order_id", { ...email, classification: "confidential" })]))).toEqual([]);
    expect(run(withLineage([derived("order_id", { ...email, classification: null })]))).toEqual([]);
    expect(run(subjectOf())).toEqual([]);
  });

  it("is as strict as its parameters say", () => {
    const confidential = { ...email, classification: "confidential" };
    expect(
      run(withLineage([derived("order_id", confidential)]), { restricted: ["restricted", "confidential"] }),
    ).toEqual([expect.stringContaining("derived from restricted column crm.customers.customers.email")]);
    const onlyRestricted = goodContract.replace("classification: internal", "classification: confidential");
    expect(run(withLineage([derived("order_id", email)], [onlyRestricted]), { atLeast: ["restricted"] })).toEqual([
      expect.stringContaining('classified "confidential"; classify it restricted, or mask it'),
    ]);
  });

  it("is a blocking rule of the default policies, at level raw", () => {
    const rule = defaultPolicySet().rules.find((r) => r.id === "restricted-lineage");
    expect(rule).toMatchObject({ severity: "blocking", levels: ["raw"] });
    const evaluation = evaluatePolicies(defaultPolicySet(), withLineage([derived("order_id", email)]));
    expect(evaluation.blocking).toBe(true);
    expect(evaluation.results.filter((r) => !r.passed).map((r) => r.ruleId)).toEqual(["restricted-lineage"]);
    expect(evaluatePolicies(defaultPolicySet(), withLineage([derived("customer_email", email)])).blocking).toBe(false);
  });

  it("hands the lineage to CEL rules", () => {
    const compiled = compileCel(
      "lineage.all(c, c.upstream.all(u, u.kind != 'direct' || u.masked || u.classification != 'restricted'))",
    );
    if (!("compiled" in compiled)) throw new Error(compiled.problem.message);
    expect(runCel(compiled.compiled, withLineage([derived("order_id", email)]))).toEqual({ value: false });
    expect(runCel(compiled.compiled, withLineage([derived("order_id", { ...email, masked: true })]))).toEqual({
      value: true,
    });
    expect(runCel(compiled.compiled, subjectOf())).toEqual({ value: true });
  });
});
