import semver from "semver";
import type { Change } from "./change.js";
import { describedFields, supportRule, tagsRule } from "./common-fields.js";
import { Differ, type FieldHandler, type FieldRule, itemLabel, keyOf, rootScope, type Scope } from "./differ.js";
import type { MatchPass } from "./match.js";
import { teamRule } from "./team-diff.js";
import { deepEqual, isObj, type Obj, str } from "./values.js";

/** Diffs two ODPS data products (plain parsed values). */
export function diffProducts(before: unknown, after: unknown): Change[] {
  const d = new Differ();
  d.fields(rootScope("product"), before, after, productFields);
  return d.changes;
}

/**
 * ODPS: "for each version, a different instance of the output port is listed; the combination of
 * the name and version is the key". Exact (name, version) pairs match first; a port whose version
 * moved pairs with the one remaining port of the same name, so a bump reads as a version change.
 */
const portPasses: MatchPass[] = [
  { key: (item) => (isObj(item) ? `${str(item.name) ?? ""}@${str(item.version) ?? ""}` : undefined) },
  { key: keyOf("name") },
];

const portLabel = (item: unknown, i: number) => {
  const name = itemLabel(item, i, "name");
  const version = isObj(item) ? str(item.version) : undefined;
  return version ? `${name}@${version}` : name;
};

/** A port version move is breaking when its major rises (its minor in 0.x), it goes down, or it is not semver. */
export function portVersionBreaks(before: unknown, after: unknown): boolean {
  const b = semver.parse(str(before) ?? "");
  const a = semver.parse(str(after) ?? "");
  if (!b || !a || semver.lt(a, b)) return true;
  if (a.major !== b.major) return true;
  return b.major === 0 && a.minor !== b.minor;
}

const portVersionRule: FieldHandler = (d, scope, before, after, field) => {
  const breaks = portVersionBreaks(before, after);
  d.emitField(
    scope,
    field,
    breaks ? "output-port-breaking-version" : "output-port-version-changed",
    before,
    after,
    breaks ? " (a breaking version for its consumers)" : "",
  );
};

const outputPortFields = (versionChanged: boolean): Record<string, FieldRule> => ({
  ...describedFields,
  name: "output-port-contract-changed",
  type: "output-port-type-changed",
  version: portVersionRule,
  // A new version normally comes with a new contract id: the version change ranks it then.
  contractId: versionChanged ? "output-port-version-changed" : "output-port-contract-changed",
  sbom: "output-port-lineage-changed",
  inputContracts: "output-port-lineage-changed",
});

const outputPortsRule: FieldHandler = (d, scope, before, after, field) => {
  d.list(scope, field, before, after, {
    passes: portPasses,
    label: portLabel,
    subject: (label) => `output port ${label}`,
    onPair: (s, b, a) => d.fields(s, b, a, outputPortFields(!deepEqual(b.version, a.version))),
    onRemoved: (s, b) =>
      d.emit(s, "output-port-removed", `${s.subject} removed (its consumers lose their data)`, b, undefined),
    onAdded: (s, a) => d.emit(s, "output-port-added", `${s.subject} added`, undefined, a),
  });
};

const inputPortFields: Record<string, FieldRule> = {
  ...describedFields,
  name: "input-port-changed",
  version: "input-port-changed",
  contractId: "input-port-changed",
};

const inputPortsRule: FieldHandler = (d, scope, before, after, field) => {
  d.list(scope, field, before, after, {
    passes: portPasses,
    label: portLabel,
    subject: (label) => `input port ${label}`,
    onPair: (s, b, a) => d.fields(s, b, a, inputPortFields),
    onRemoved: (s, b) => d.emit(s, "input-port-removed", `${s.subject} removed`, b, undefined),
    onAdded: (s, a) => d.emit(s, "input-port-added", `${s.subject} added`, undefined, a),
  });
};

const managementPortFields: Record<string, FieldRule> = {
  ...describedFields,
  name: "management-port-changed",
  content: "management-port-changed",
  type: "management-port-changed",
  url: "management-port-changed",
  channel: "management-port-changed",
};

const managementPortsRule: FieldHandler = (d, scope, before, after, field) => {
  d.list(scope, field, before, after, {
    passes: [{ key: keyOf("name") }, { key: keyOf("url") }],
    label: (item, i) => itemLabel(item, i, "name", "url"),
    subject: (label) => `management port ${label}`,
    onPair: (s: Scope, b: Obj, a: Obj) => d.fields(s, b, a, managementPortFields),
    onRemoved: (s, b) => d.emit(s, "management-port-removed", `${s.subject} removed`, b, undefined),
    onAdded: (s, a) => d.emit(s, "management-port-added", `${s.subject} added`, undefined, a),
  });
};

const productFields: Record<string, FieldRule> = {
  version: "ignore",
  kind: "ignore",
  apiVersion: "standard-version-changed",
  id: "identity-changed",
  name: "metadata-changed",
  status: "status-changed",
  domain: "metadata-changed",
  tenant: "metadata-changed",
  productCreatedTs: "metadata-changed",
  authoritativeDefinitions: "authoritative-definitions-changed",
  description: "description-changed",
  customProperties: describedFields.customProperties as FieldRule,
  tags: tagsRule,
  inputPorts: inputPortsRule,
  outputPorts: outputPortsRule,
  managementPorts: managementPortsRule,
  support: supportRule,
  team: teamRule,
};
