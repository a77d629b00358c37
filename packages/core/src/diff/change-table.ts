/**
 * THE classification of contract and product changes: one row per change kind, its severity and
 * why. This table is the source of truth (docs/adr/0006-change-severity.md explains the rules);
 * the differ only decides which kind a change is. `Record<ChangeKind, …>` makes the table
 * exhaustive: a new kind does not compile until it is ranked here.
 *
 * Reading rule: a contract is a promise about data that consumers build on AND the validation rule
 * run against existing data. A change is major when data or queries valid under the old contract
 * can fail under the new one; minor when it adds or relaxes something consumers may start to rely
 * on; patch when nothing a program reads changes. When a change cannot be ranked with certainty,
 * it is ranked higher, never lower.
 */
export type ChangeSeverity = "patch" | "minor" | "major";

export type ChangeKind =
  // document identity and metadata
  | "identity-changed"
  | "standard-version-changed"
  | "status-changed"
  | "metadata-changed"
  | "description-changed"
  | "business-name-changed"
  | "tags-changed"
  | "authoritative-definitions-changed"
  | "examples-changed"
  | "custom-property-added"
  | "custom-property-removed"
  | "custom-property-changed"
  | "unknown-field-changed"
  | "price-changed"
  // schema objects and properties
  | "object-added"
  | "object-removed"
  | "object-renamed"
  | "property-added"
  | "required-property-added"
  | "property-removed"
  | "property-renamed"
  | "physical-name-changed"
  | "logical-type-changed"
  | "physical-type-changed"
  | "physical-type-widened"
  | "required-added"
  | "required-removed"
  | "unique-added"
  | "unique-removed"
  | "primary-key-changed"
  | "partitioning-changed"
  | "classification-changed"
  | "constraint-tightened"
  | "constraint-loosened"
  | "constraint-changed"
  | "valid-value-removed"
  | "valid-value-added"
  | "relationships-changed"
  // quality and service levels
  | "quality-rule-added"
  | "quality-rule-removed"
  | "quality-rule-changed"
  | "sla-added"
  | "sla-removed"
  | "sla-changed"
  // servers and access roles
  | "server-added"
  | "server-removed"
  | "server-location-changed"
  | "server-metadata-changed"
  | "role-added"
  | "role-removed"
  | "role-changed"
  // support and team
  | "support-channel-added"
  | "support-channel-removed"
  | "support-channel-changed"
  | "team-changed"
  | "team-member-joined"
  | "team-member-left"
  | "team-member-replaced"
  | "team-member-role-changed"
  | "team-member-changed"
  // data product ports (ODPS)
  | "output-port-added"
  | "output-port-removed"
  | "output-port-version-changed"
  | "output-port-breaking-version"
  | "output-port-contract-changed"
  | "output-port-type-changed"
  | "output-port-lineage-changed"
  | "input-port-added"
  | "input-port-removed"
  | "input-port-changed"
  | "management-port-added"
  | "management-port-removed"
  | "management-port-changed";

export interface ChangeRank {
  severity: ChangeSeverity;
  reason: string;
}

const major = (reason: string): ChangeRank => ({ severity: "major", reason });
const minor = (reason: string): ChangeRank => ({ severity: "minor", reason });
const patch = (reason: string): ChangeRank => ({ severity: "patch", reason });

export const changeTable: Record<ChangeKind, ChangeRank> = {
  "identity-changed": major("consumers, ports and agreements reference the document by its id"),
  "standard-version-changed": patch("the same promise written in a newer edition of the standard"),
  "status-changed": minor("a lifecycle signal (e.g. deprecated) consumers must plan for"),
  "metadata-changed": patch("informational metadata; no program reads it to query data"),
  "description-changed": patch("text for humans"),
  "business-name-changed": patch("text for humans"),
  "tags-changed": patch("search and grouping metadata"),
  "authoritative-definitions-changed": patch("links to documentation"),
  "examples-changed": patch("illustrative values, not a promise"),
  "custom-property-added": minor("tools may start to rely on a new custom property"),
  "custom-property-removed": minor("tools may read custom properties; their use is unknown, so ranked above patch"),
  "custom-property-changed": minor("tools may read custom properties; their use is unknown, so ranked above patch"),
  "unknown-field-changed": minor("a field Quanta does not know: its effect cannot be judged, so ranked above patch"),
  "price-changed": minor("consumers pay by it; no data or query breaks"),

  "object-added": minor("a new dataset; nothing existing changes"),
  "object-removed": major("queries reading the dataset fail"),
  "object-renamed": major("queries naming the dataset fail"),
  "property-added": minor("a new optional column; readers that ignore it keep working"),
  "required-property-added": major("a required column without default: existing data and writers become invalid"),
  "property-removed": major("queries reading the column fail"),
  "property-renamed": major("queries naming the column fail"),
  "physical-name-changed": major("SQL and files address the physical name"),
  "logical-type-changed": major("values change type; readers' parsing and casts break"),
  "physical-type-changed": major("the stored type changes; casts, joins and loaders can break"),
  "physical-type-widened": minor("the same type with a larger size: every old value still fits"),
  "required-added": major("existing rows with nulls become invalid"),
  "required-removed": minor("constraint loosened: nulls may now appear; nothing valid becomes invalid"),
  "unique-added": major("existing duplicates become invalid"),
  "unique-removed": minor("constraint loosened: duplicates may now appear"),
  "primary-key-changed": major("joins, deduplication and upserts depend on the key"),
  "partitioning-changed": minor("query pruning and performance change; results do not"),
  "classification-changed": minor("access policies read the classification; who may read can change"),
  "constraint-tightened": major("values valid before can be invalid now"),
  "constraint-loosened": minor("every value valid before stays valid; new values may appear"),
  "constraint-changed": major("cannot tell whether the constraint was tightened, so it is ranked as if it was"),
  "valid-value-removed": major("rows holding the removed value become invalid; consumers' mappings miss it"),
  "valid-value-added": minor("a new value may appear; consumers with exhaustive mappings should prepare"),
  "relationships-changed": minor("documented joins change; stored data does not"),

  "quality-rule-added": minor("a new promise about the data"),
  "quality-rule-removed": minor("a promise about the data is withdrawn"),
  "quality-rule-changed": minor("a promise about the data is revised"),
  "sla-added": minor("a new service-level promise"),
  "sla-removed": minor("a service-level promise is withdrawn"),
  "sla-changed": minor("a service-level promise is revised"),

  "server-added": minor("a new place to read the data"),
  "server-removed": major("consumers reading from that server lose access"),
  "server-location-changed": major("connections and paths to the data stop working"),
  "server-metadata-changed": patch("description or environment label; connections unchanged"),
  "role-added": minor("a new way to be granted access"),
  "role-removed": major("consumers holding the role lose access"),
  "role-changed": minor("the access a role grants or its approval path changes"),

  "support-channel-added": patch("where to ask for help"),
  "support-channel-removed": patch("where to ask for help"),
  "support-channel-changed": patch("where to ask for help"),
  "team-changed": patch("who owns the product; no data changes"),
  "team-member-joined": patch("who owns the product; no data changes"),
  "team-member-left": patch("who owns the product; no data changes"),
  "team-member-replaced": patch("who owns the product; no data changes"),
  "team-member-role-changed": patch("who owns the product; no data changes"),
  "team-member-changed": patch("who owns the product; no data changes"),

  "output-port-added": minor("a new way to consume the product"),
  "output-port-removed": major("consumers of that port lose their data"),
  "output-port-version-changed": minor("the port moves to a compatible (minor or patch) version"),
  "output-port-breaking-version": major(
    "the port moves to a new major version, a lower one, or one that is not semver",
  ),
  "output-port-contract-changed": major("the port now promises a different contract under the same version"),
  "output-port-type-changed": major("consumers read the port a different way"),
  "output-port-lineage-changed": patch("dependency and SBOM information"),
  "input-port-added": minor("the product reads a new source; its content may change"),
  "input-port-removed": minor("the product stops reading a source; its content may change"),
  "input-port-changed": minor("the product reads another version of a source; its content may change"),
  "management-port-added": minor("a new management endpoint"),
  "management-port-removed": major("tools using the endpoint break"),
  "management-port-changed": major("tools using the endpoint break"),
};

export const changeKinds = Object.keys(changeTable) as ChangeKind[];

const severityOrder: Record<ChangeSeverity | "none", number> = { none: 0, patch: 1, minor: 2, major: 3 };

export function severityRank(severity: ChangeSeverity | "none"): number {
  return severityOrder[severity];
}

/** The highest severity of a list of changes, `none` when there are none. */
export function highestSeverity(severities: Iterable<ChangeSeverity>): ChangeSeverity | "none" {
  let best: ChangeSeverity | "none" = "none";
  for (const s of severities) if (severityOrder[s] > severityOrder[best]) best = s;
  return best;
}
