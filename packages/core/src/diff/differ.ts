import type { Path } from "../issues.js";
import type { Change } from "./change.js";
import { type ChangeKind, changeTable } from "./change-table.js";
import { type MatchPass, matchItems } from "./match.js";
import { asList, deepEqual, isObj, type Obj, show, str } from "./values.js";

/** Where the differ stands: a readable label plus index paths into both documents. */
export interface Scope {
  /** Readable path, e.g. `schema[orders].properties[id]`; "" at the root. */
  label: string;
  /** What messages call this node, e.g. `property orders.id`. */
  subject: string;
  before: Path | undefined;
  after: Path | undefined;
}

export const rootScope = (subject: string): Scope => ({ label: "", subject, before: [], after: [] });

export function fieldScope(scope: Scope, field: string): Scope {
  return {
    label: scope.label ? `${scope.label}.${field}` : field,
    subject: scope.subject,
    before: scope.before && [...scope.before, field],
    after: scope.after && [...scope.after, field],
  };
}

/** Scope of one list item, addressed by its key in the readable path. */
export function itemScope(
  scope: Scope,
  field: string,
  key: string,
  subject: string,
  before: number | undefined,
  after: number | undefined,
): Scope {
  const safe = /^[^[\]"]*$/.test(key) ? key : JSON.stringify(key);
  return {
    label: `${scope.label ? `${scope.label}.` : ""}${field}[${safe}]`,
    subject,
    before: before === undefined || !scope.before ? undefined : [...scope.before, field, before],
    after: after === undefined || !scope.after ? undefined : [...scope.after, field, after],
  };
}

/** How one field of an entity is compared: a change kind for "any change", or a handler. */
export type FieldRule = ChangeKind | "ignore" | FieldHandler;
export type FieldHandler = (d: Differ, scope: Scope, before: unknown, after: unknown, field: string) => void;

/** Collects changes; the entity differs (contract, product, team) drive it. */
export class Differ {
  readonly changes: Change[] = [];

  emit(scope: Scope, kind: ChangeKind, message: string, before: unknown, after: unknown): void {
    const at: Change["at"] = {};
    if (scope.before && before !== undefined) at.before = scope.before;
    if (scope.after && after !== undefined) at.after = scope.after;
    this.changes.push({
      path: scope.label,
      kind,
      severity: changeTable[kind].severity,
      message,
      before,
      after,
      at,
    });
  }

  /** "X: field changed from a to b" / "added" / "removed", the common message shape. */
  emitField(scope: Scope, field: string, kind: ChangeKind, before: unknown, after: unknown, note = ""): void {
    const what =
      before === undefined
        ? `${field} added: ${show(after)}`
        : after === undefined
          ? `${field} removed (was ${show(before)})`
          : `${field} changed from ${show(before)} to ${show(after)}`;
    this.emit(fieldScope(scope, field), kind, `${scope.subject}: ${what}${note}`, before, after);
  }

  /**
   * Compares two objects field by field with a table of rules. Fields missing from the table are
   * unknown to Quanta: they still diff, ranked `unknown-field-changed` (see the change table).
   */
  fields(scope: Scope, before: unknown, after: unknown, rules: Record<string, FieldRule>, fallback?: FieldRule): void {
    const b = isObj(before) ? before : {};
    const a = isObj(after) ? after : {};
    const seen = new Set<string>();
    for (const key of [...Object.keys(b), ...Object.keys(a)]) {
      if (seen.has(key)) continue;
      seen.add(key);
      const bv = b[key];
      const av = a[key];
      if (deepEqual(bv, av)) continue;
      const rule = Object.hasOwn(rules, key) ? rules[key] : fallback;
      if (rule === "ignore") continue;
      if (rule === undefined) {
        this.emitField(
          scope,
          key,
          "unknown-field-changed",
          bv,
          av,
          " (a field Quanta does not rank; treated as minor because its effect is unknown)",
        );
      } else if (typeof rule === "string") {
        this.emitField(scope, key, rule, bv, av);
      } else {
        rule(this, scope, bv, av, key);
      }
    }
  }

  /**
   * Diffs two lists of keyed items. `label` names an item for paths and messages; `onPair` compares
   * matched items; `onRemoved` / `onAdded` report the rest.
   */
  list(
    scope: Scope,
    field: string,
    before: unknown,
    after: unknown,
    spec: {
      passes: readonly MatchPass[];
      label: (item: unknown, index: number, side: "before" | "after") => string;
      subject: (label: string) => string;
      onPair: (scope: Scope, before: Obj, after: Obj) => void;
      onRemoved: (scope: Scope, before: unknown) => void;
      onAdded: (scope: Scope, after: unknown) => void;
    },
  ): void {
    const bl = asList(before);
    const al = asList(after);
    if ((before !== undefined && !Array.isArray(before)) || (after !== undefined && !Array.isArray(after))) {
      // Not a list on one side (an invalid document): compare as a whole rather than guess.
      if (!deepEqual(before, after)) {
        this.emitField(
          scope,
          field,
          "unknown-field-changed",
          before,
          after,
          " (not a list; cannot compare item by item)",
        );
      }
      return;
    }
    const m = matchItems(bl, al, spec.passes);
    const scopeOf = (item: unknown, index: number, bi: number | undefined, ai: number | undefined) => {
      const label = spec.label(item, index, ai === undefined ? "before" : "after");
      return itemScope(scope, field, label, spec.subject(label), bi, ai);
    };
    for (const i of m.removed) spec.onRemoved(scopeOf(bl[i], i, i, undefined), bl[i]);
    for (const p of m.pairs) {
      const b = bl[p.before];
      const a = al[p.after];
      if (deepEqual(b, a)) continue;
      const s = scopeOf(a, p.after, p.before, p.after);
      if (isObj(b) && isObj(a)) spec.onPair(s, b, a);
      else this.emit(s, "unknown-field-changed", `${s.subject}: changed from ${show(b)} to ${show(a)}`, b, a);
    }
    for (const j of m.added) spec.onAdded(scopeOf(al[j], j, undefined, j), al[j]);
  }
}

/** Key helpers for match passes. */
export const keyOf =
  (field: string) =>
  (item: unknown): string | undefined =>
    isObj(item) ? str(item[field]) : undefined;

/** "id when present, else name": a name match is refused when both sides carry different ids. */
export const byIdThenName = (nameField = "name"): MatchPass[] => [
  { key: keyOf("id") },
  { key: keyOf(nameField), accept: (b, a) => !(isObj(b) && isObj(a) && b.id !== undefined && a.id !== undefined) },
  {
    key: (_item, index) => `#${index}`,
    accept: (b, a) => isObj(b) && isObj(a) && b[nameField] === undefined && a[nameField] === undefined,
  },
];

/** A readable label for a list item: its name-like field, else its position. */
export function itemLabel(item: unknown, index: number, ...fields: string[]): string {
  if (isObj(item)) {
    for (const f of fields) {
      const v = str(item[f]);
      if (v !== undefined && v !== "") return v;
    }
  }
  return `#${index}`;
}
