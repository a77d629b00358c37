import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { DataContract } from "../spec/odcs/model.js";
import type { DataProduct } from "../spec/odps/model.js";
import { SourceDocument } from "../spec/source.js";
import { certify } from "./certify.js";
import { defaultPolicySet } from "./default-policies.js";
import { evaluatePolicies } from "./evaluate-policies.js";
import { type PolicySubject, policyDocument } from "./policy-subject.js";

const examples = resolve(import.meta.dirname, "../../../../examples");

function readProduct(dir: string): PolicySubject {
  const read = (path: string) => SourceDocument.parse(readFileSync(path, "utf8"), path.slice(examples.length + 1));
  const odps = readdirSync(dir).find((f) => f.endsWith(".odps.yaml"));
  if (!odps) throw new Error(`no product in ${dir}`);
  const contracts = readdirSync(join(dir, "contracts")).filter((f) => f.endsWith(".odcs.yaml"));
  return {
    product: policyDocument<DataProduct>(read(join(dir, odps))),
    contracts: contracts.map((f) => policyDocument<DataContract>(read(join(dir, "contracts", f)))),
  };
}

const products = readdirSync(examples, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((domain) =>
    readdirSync(join(examples, domain.name), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => join(examples, domain.name, d.name)),
  );

describe("the demo mesh under the default policies", () => {
  const evaluations = products.map((dir) => evaluatePolicies(defaultPolicySet(), readProduct(dir)));

  it("every product passes every blocking rule, so each can be published", () => {
    expect(products.length).toBeGreaterThanOrEqual(8);
    for (const e of evaluations)
      expect({ product: e.productId, blocking: e.blocking }).toEqual({ product: e.productId, blocking: false });
  });

  it("reaches a sensible certification level, and says why where it stops", () => {
    const levels = Object.fromEntries(evaluations.map((e) => [e.productId, certify(e, "not-considered")]));
    expect(levels).toMatchInlineSnapshot(`
      {
        "climate.physical-risk": {
          "level": "raw",
          "reasons": [
            "contract tests not considered: the level is what the policies allow",
            "curated: retention-declared fails",
            "authoritative: availability-declared fails",
          ],
        },
        "climate.precipitation": {
          "level": "authoritative",
          "reasons": [
            "contract tests not considered: the level is what the policies allow",
          ],
        },
        "climate.sea-level": {
          "level": "authoritative",
          "reasons": [
            "contract tests not considered: the level is what the policies allow",
          ],
        },
        "climate.temperature": {
          "level": "authoritative",
          "reasons": [
            "contract tests not considered: the level is what the policies allow",
          ],
        },
        "climate.weather-station-readings": {
          "level": "raw",
          "reasons": [
            "contract tests not considered: the level is what the policies allow",
            "curated: quality-checks-declared fails",
          ],
        },
        "customer.customer-cohorts": {
          "level": "authoritative",
          "reasons": [
            "contract tests not considered: the level is what the policies allow",
          ],
        },
        "sales.orders": {
          "level": "authoritative",
          "reasons": [
            "contract tests not considered: the level is what the policies allow",
          ],
        },
        "sales.orders-analytical-consent": {
          "level": "authoritative",
          "reasons": [
            "contract tests not considered: the level is what the policies allow",
          ],
        },
      }
    `);
  });

  it("reports the one rule physical-risk fails at the contract line that lacks it", () => {
    const e = evaluations.find((x) => x.productId === "climate.physical-risk");
    const failed = e?.results.filter((r) => !r.passed && r.levels.includes("curated"));
    expect(failed?.map((r) => ({ rule: r.ruleId, findings: r.findings }))).toMatchInlineSnapshot(`
      [
        {
          "findings": [
            {
              "column": 3,
              "file": "climate/physical-risk/contracts/asset-risk-scores.odcs.yaml",
              "line": 258,
              "message": "contract climate.physical-risk.asset-risk-scores declares no retention (slaProperties: property retention)",
              "path": "slaProperties",
            },
          ],
          "rule": "retention-declared",
        },
      ]
    `);
  });
});
