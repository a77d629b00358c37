import { SourceDocument } from "../spec/source.js";
import { parsePolicySet } from "./parse-policy.js";
import type { PolicySet } from "./policy-model.js";

/** Where issues and findings about the default rules point. */
export const defaultPoliciesFile = "quanta:default-policies.yaml";

/**
 * Quanta's global policy set, in the same format as user policy files (and read by the same
 * parser, so it is held to the same rules). Kept as text in code: core reads no files.
 */
export const defaultPoliciesYaml = `apiVersion: quanta/v1
kind: PolicySet
name: quanta-default
version: 1.0.0
description: Global rules every data product meets; domains add rules or tighten these.
rules:
  # raw: the product is owned, explained and safe to expose. Blocking: a publish needs them.
  - id: owner-and-support
    builtin: owner-and-support
    severity: blocking
    levels: [raw]
  - id: purpose-present
    builtin: purpose-present
    severity: blocking
    levels: [raw]
  - id: properties-classified
    builtin: properties-classified
    severity: blocking
    levels: [raw]
  - id: sensitive-data-protected
    builtin: sensitive-data-protected
    severity: blocking
    levels: [raw]
  - id: restricted-lineage
    builtin: restricted-lineage
    severity: blocking
    levels: [raw]
  - id: breaking-change-notice
    builtin: breaking-change-notice
    severity: blocking
    levels: [raw]
    params:
      noticeDays: 30
  # curated: consumers can rely on it. Advisory: they decide the level, not whether to publish
  # (a domain may make them blocking).
  - id: quality-checks-declared
    builtin: quality-checks-declared
    severity: advisory
    levels: [curated]
  - id: sla-declared
    builtin: sla-declared
    severity: advisory
    levels: [curated]
  - id: retention-declared
    builtin: retention-declared
    severity: advisory
    levels: [curated]
  - id: port-version-matches-contract
    description: each output port's version is the version of its contract
    severity: advisory
    levels: [curated]
    cel: >-
      product.outputPorts.all(p, !has(p.contractId) ||
        contracts.exists(c, c.id == p.contractId && c.version == p.version))
    message: an output port's version differs from its contract's version
  - id: naming-convention
    builtin: naming-convention
    severity: advisory
    levels: [curated]
  # authoritative: the reference for its subject, fully documented and live.
  - id: documentation-coverage
    builtin: documentation-coverage
    severity: advisory
    levels: [authoritative]
    params:
      descriptions: 1
      businessNames: 0.9
      authoritativeDefinitions: 0
  - id: availability-declared
    builtin: sla-declared
    severity: advisory
    levels: [authoritative]
    params:
      properties: [availability]
  - id: product-active
    description: the product's status is active
    severity: advisory
    levels: [authoritative]
    cel: product.status == "active"
    message: the product is not active (status); only an active product is authoritative
`;

let cached: PolicySet | undefined;

/** Quanta's default global policy set. */
export function defaultPolicySet(): PolicySet {
  if (cached) return cached;
  const parsed = parsePolicySet(SourceDocument.parse(defaultPoliciesYaml, defaultPoliciesFile));
  if (!parsed.policySet)
    throw new Error(
      `default policies are invalid: ${parsed.issues.map((i) => `${i.line}:${i.column} ${i.message}`).join("; ")}`,
    );
  cached = parsed.policySet;
  return cached;
}
