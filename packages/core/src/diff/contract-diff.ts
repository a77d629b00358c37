import type { Change } from "./change.js";
import {
  customPropertiesRule,
  describedFields,
  flagRule,
  supportRule,
  tagsRule,
  withDefault,
} from "./common-fields.js";
import { logicalTypeOptionsRule, physicalTypeRule } from "./constraints.js";
import {
  byIdThenName,
  Differ,
  type FieldHandler,
  type FieldRule,
  fieldScope,
  itemLabel,
  keyOf,
  rootScope,
  type Scope,
} from "./differ.js";
import type { MatchPass } from "./match.js";
import { teamRule } from "./team-diff.js";
import { asList, deepEqual, isObj, type Obj, show, str } from "./values.js";

/** Diffs two ODCS data contracts (plain parsed values, v3.0 or v3.1). */
export function diffContracts(before: unknown, after: unknown): Change[] {
  const d = new Differ();
  d.fields(rootScope("contract"), before, after, contractFields);
  return d.changes;
}

// ---------------------------------------------------------------- schema objects and properties

const subjectPath = (scope: Scope, label: string) => {
  const parent = scope.subject.replace(/^(object|property) /, "");
  return scope.subject.startsWith("object ") || scope.subject.startsWith("property ") ? `${parent}.${label}` : label;
};

const propertiesRule: FieldHandler = (d, scope, before, after, field) => {
  d.list(scope, field, before, after, {
    passes: byIdThenName(),
    label: (item, i) => itemLabel(item, i, "name", "id"),
    subject: (label) => `property ${subjectPath(scope, label)}`,
    onPair: (s, b, a) => d.fields(s, b, a, propertyFields),
    onRemoved: (s, b) => d.emit(s, "property-removed", `${s.subject} removed`, b, undefined),
    onAdded: (s, a) =>
      isObj(a) && a.required === true
        ? d.emit(
            s,
            "required-property-added",
            `${s.subject} added as required (existing data has no value for it)`,
            undefined,
            a,
          )
        : d.emit(s, "property-added", `${s.subject} added (optional)`, undefined, a),
  });
};

/** Array `items` is an unnamed child property: same rules, addressed as `items`. */
const itemsRule: FieldHandler = (d, scope, before, after, field) => {
  const s: Scope = {
    ...fieldScope(scope, field),
    subject: `property ${scope.subject.replace(/^property /, "")}[items]`,
  };
  if (before === undefined) d.emit(s, "property-added", `${s.subject} added`, before, after);
  else if (after === undefined) d.emit(s, "property-removed", `${s.subject} removed`, before, after);
  else d.fields(s, before, after, propertyFields);
};

const renamed =
  (kind: "object-renamed" | "property-renamed"): FieldHandler =>
  (d, scope, before, after, field) =>
    d.emit(
      fieldScope(scope, field),
      kind,
      `${scope.subject.split(" ")[0]} ${show(before)} renamed to ${show(after)} (same id; a rename breaks queries naming it)`,
      before,
      after,
    );

const primaryKey = withDefault(false, "primary-key-changed");

const propertyFields: Record<string, FieldRule> = {
  ...describedFields,
  id: "metadata-changed",
  name: renamed("property-renamed"),
  physicalName: "physical-name-changed",
  logicalType: "logical-type-changed",
  logicalTypeOptions: logicalTypeOptionsRule,
  physicalType: physicalTypeRule,
  required: flagRule(false, "required-added", "required-removed"),
  unique: flagRule(false, "unique-added", "unique-removed"),
  primaryKey,
  primaryKeyPosition: withDefault(-1, "primary-key-changed"),
  partitioned: withDefault(false, "partitioning-changed"),
  partitionKeyPosition: withDefault(-1, "partitioning-changed"),
  classification: "classification-changed",
  encryptedName: "metadata-changed",
  criticalDataElement: withDefault(false, "metadata-changed"),
  transformSourceObjects: "metadata-changed",
  transformLogic: "metadata-changed",
  transformDescription: "description-changed",
  examples: "examples-changed",
  relationships: "relationships-changed",
  quality: (d, s, b, a, f) => qualityRule(d, s, b, a, f),
  properties: propertiesRule,
  items: itemsRule,
};

const objectFields: Record<string, FieldRule> = {
  ...describedFields,
  id: "metadata-changed",
  name: renamed("object-renamed"),
  physicalName: "physical-name-changed",
  physicalType: "physical-type-changed",
  logicalType: "logical-type-changed",
  dataGranularityDescription: "description-changed",
  relationships: "relationships-changed",
  quality: (d, s, b, a, f) => qualityRule(d, s, b, a, f),
  properties: propertiesRule,
};

const schemaRule: FieldHandler = (d, scope, before, after, field) => {
  d.list(scope, field, before, after, {
    passes: byIdThenName(),
    label: (item, i) => itemLabel(item, i, "name", "id"),
    subject: (label) => `object ${label}`,
    onPair: (s, b, a) => d.fields(s, b, a, objectFields),
    onRemoved: (s, b) => d.emit(s, "object-removed", `${s.subject} removed`, b, undefined),
    onAdded: (s, a) => d.emit(s, "object-added", `${s.subject} added`, undefined, a),
  });
};

// ---------------------------------------------------------------- quality rules

const ruleBase = (item: unknown): string | undefined =>
  isObj(item) ? (str(item.metric) ?? str(item.rule) ?? str(item.type) ?? "library") : undefined;

/** Quality rules match by `id`, then `name`, then metric/type in order of appearance. */
const qualityPasses: MatchPass[] = [
  { key: keyOf("id") },
  { key: keyOf("name"), accept: (b, a) => !(isObj(b) && isObj(a) && b.id !== undefined && a.id !== undefined) },
  {
    key: ruleBase,
    accept: (b, a) =>
      isObj(b) &&
      isObj(a) &&
      !(b.id !== undefined && a.id !== undefined) &&
      !(b.name !== undefined && a.name !== undefined),
  },
];

/** Valid values of an `invalidValues` rule (`arguments.validValues`), a set compared apart. */
function validValues(rule: Obj): unknown[] | undefined {
  const args = rule.arguments;
  if (!isObj(args) || !Array.isArray(args.validValues)) return undefined;
  return args.validValues;
}

function withoutValidValues(rule: Obj): Obj {
  if (!isObj(rule.arguments)) return rule;
  const { validValues: _v, ...args } = rule.arguments;
  return { ...rule, arguments: args };
}

function qualityRule(d: Differ, scope: Scope, before: unknown, after: unknown, field: string): void {
  const labels = (list: unknown) => {
    const seen = new Map<string, number>();
    return asList(list).map((item, i) => {
      const explicit = isObj(item) ? (str(item.id) ?? str(item.name)) : undefined;
      if (explicit) return explicit;
      const base = ruleBase(item) ?? `#${i}`;
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      return n > 1 ? `${base}#${n}` : base;
    });
  };
  const bLabels = labels(before);
  const aLabels = labels(after);
  const owner = scope.subject;
  d.list(scope, field, before, after, {
    passes: qualityPasses,
    label: (_item, i, side) => (side === "before" ? bLabels[i] : aLabels[i]) ?? `#${i}`,
    subject: (label) => `${owner}: quality rule ${label}`,
    onPair: (s, b, a) => {
      const bv = validValues(b);
      const av = validValues(a);
      if (bv || av) {
        const bs = bv ?? [];
        const as = av ?? [];
        const removed = bs.filter((v) => !as.some((x) => deepEqual(x, v)));
        const added = as.filter((v) => !bs.some((x) => deepEqual(x, v)));
        for (const v of removed)
          d.emit(s, "valid-value-removed", `${s.subject}: valid value ${show(v)} removed`, v, undefined);
        for (const v of added)
          d.emit(s, "valid-value-added", `${s.subject}: valid value ${show(v)} added`, undefined, v);
      }
      const b2 = withoutValidValues(b);
      const a2 = withoutValidValues(a);
      const changed = Object.keys({ ...b2, ...a2 }).filter((k) => !deepEqual(b2[k], a2[k]));
      if (changed.length === 0) return;
      const detail = changed.map((k) => `${k} ${show(b2[k])} → ${show(a2[k])}`).join("; ");
      d.emit(s, "quality-rule-changed", `${s.subject} revised: ${detail}`, b, a);
    },
    onRemoved: (s, b) => d.emit(s, "quality-rule-removed", `${s.subject} removed`, b, undefined),
    onAdded: (s, a) => d.emit(s, "quality-rule-added", `${s.subject} added`, undefined, a),
  });
}

// ---------------------------------------------------------------- SLA, servers, roles

const slaKey = (item: unknown) => (isObj(item) ? `${str(item.property) ?? ""}|${str(item.element) ?? ""}` : undefined);

const slaRule: FieldHandler = (d, scope, before, after, field) => {
  d.list(scope, field, before, after, {
    passes: [{ key: keyOf("id") }, { key: slaKey }, { key: keyOf("property") }],
    label: (item, i) => {
      const p = itemLabel(item, i, "property", "id");
      const el = isObj(item) ? str(item.element) : undefined;
      return el ? `${p}@${el}` : p;
    },
    subject: (label) => `SLA ${label}`,
    onPair: (s, b, a) => {
      const changed = Object.keys({ ...b, ...a }).filter((k) => !deepEqual(b[k], a[k]));
      const detail = changed.map((k) => `${k} ${show(b[k])} → ${show(a[k])}`).join("; ");
      d.emit(s, "sla-changed", `${s.subject} revised: ${detail}`, b, a);
    },
    onRemoved: (s, b) => d.emit(s, "sla-removed", `${s.subject} removed`, b, undefined),
    onAdded: (s, a) => d.emit(s, "sla-added", `${s.subject} added`, undefined, a),
  });
};

const roleFields: Record<string, FieldRule> = {
  id: "metadata-changed",
  description: "description-changed",
  access: "role-changed",
  firstLevelApprovers: "role-changed",
  secondLevelApprovers: "role-changed",
  customProperties: customPropertiesRule,
};

const rolesRule: FieldHandler = (d, scope, before, after, field) => {
  const owner = scope.subject === "contract" ? "" : `${scope.subject}: `;
  d.list(scope, field, before, after, {
    passes: [{ key: keyOf("role") }, { key: keyOf("id") }],
    label: (item, i) => itemLabel(item, i, "role", "id"),
    subject: (label) => `${owner}role ${label}`,
    onPair: (s, b, a) => d.fields(s, b, a, roleFields),
    onRemoved: (s, b) =>
      d.emit(s, "role-removed", `${s.subject} removed (consumers holding it lose access)`, b, undefined),
    onAdded: (s, a) => d.emit(s, "role-added", `${s.subject} added`, undefined, a),
  });
};

/** Every server field not listed here says where the data is (type, host, path, topic, ...). */
const serverFields: Record<string, FieldRule> = {
  id: "metadata-changed",
  description: "server-metadata-changed",
  environment: "server-metadata-changed",
  roles: rolesRule,
  customProperties: customPropertiesRule,
};

const serversRule: FieldHandler = (d, scope, before, after, field) => {
  d.list(scope, field, before, after, {
    passes: [
      { key: keyOf("server") },
      { key: (item, i) => (isObj(item) && item.server === undefined ? `#${i}` : undefined) },
    ],
    label: (item, i) => itemLabel(item, i, "server", "id"),
    subject: (label) => `server ${label}`,
    onPair: (s, b, a) => d.fields(s, b, a, serverFields, "server-location-changed"),
    onRemoved: (s, b) => d.emit(s, "server-removed", `${s.subject} removed`, b, undefined),
    onAdded: (s, a) => d.emit(s, "server-added", `${s.subject} added`, undefined, a),
  });
};

// ---------------------------------------------------------------- the contract

const contractFields: Record<string, FieldRule> = {
  version: "ignore", // compared by the version check, not a change of its own
  kind: "ignore", // both documents are contracts, checked before diffing
  apiVersion: "standard-version-changed",
  id: "identity-changed",
  name: "metadata-changed",
  tenant: "metadata-changed",
  domain: "metadata-changed",
  dataProduct: "metadata-changed",
  contractCreatedTs: "metadata-changed",
  status: "status-changed",
  tags: tagsRule,
  description: "description-changed",
  authoritativeDefinitions: "authoritative-definitions-changed",
  customProperties: customPropertiesRule,
  servers: serversRule,
  schema: schemaRule,
  support: supportRule,
  price: "price-changed",
  team: teamRule,
  roles: rolesRule,
  slaDefaultElement: "sla-changed",
  slaProperties: slaRule,
};
