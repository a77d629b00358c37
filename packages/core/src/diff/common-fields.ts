import type { ChangeKind } from "./change-table.js";
import { type FieldHandler, type FieldRule, itemLabel, keyOf } from "./differ.js";
import { asList, deepEqual, show } from "./values.js";

/** `customProperties: [{ property, value }]`, matched by `property` (then `id`). */
export const customPropertiesRule: FieldHandler = (d, scope, before, after, field) => {
  d.list(scope, field, before, after, {
    passes: [{ key: keyOf("property") }, { key: keyOf("id") }],
    label: (item, i) => itemLabel(item, i, "property", "id"),
    subject: (label) => `${scope.subject}: custom property ${label}`,
    onPair: (s, b, a) =>
      d.emit(s, "custom-property-changed", `${s.subject} changed from ${show(b.value)} to ${show(a.value)}`, b, a),
    onRemoved: (s, b) => d.emit(s, "custom-property-removed", `${s.subject} removed`, b, undefined),
    onAdded: (s, a) => d.emit(s, "custom-property-added", `${s.subject} added`, undefined, a),
  });
};

/** Tags are a set: order does not matter. */
export const tagsRule: FieldHandler = (d, scope, before, after, field) => {
  const b = new Set(asList(before).map((t) => String(t)));
  const a = new Set(asList(after).map((t) => String(t)));
  const added = [...a].filter((t) => !b.has(t));
  const removed = [...b].filter((t) => !a.has(t));
  if (added.length === 0 && removed.length === 0 && Array.isArray(before) === Array.isArray(after)) return;
  const parts = [
    added.length ? `added ${added.map((t) => show(t)).join(", ")}` : "",
    removed.length ? `removed ${removed.map((t) => show(t)).join(", ")}` : "",
  ].filter(Boolean);
  d.emitField(scope, field, "tags-changed", before, after, parts.length ? ` (${parts.join("; ")})` : "");
};

/** Support channels, matched by `id`, `channel`, then `url`. */
export const supportRule: FieldHandler = (d, scope, before, after, field) => {
  d.list(scope, field, before, after, {
    passes: [{ key: keyOf("id") }, { key: keyOf("channel") }, { key: keyOf("url") }],
    label: (item, i) => itemLabel(item, i, "channel", "id", "url"),
    subject: (label) => `support channel ${label}`,
    onPair: (s, b, a) => {
      const changed = Object.keys({ ...b, ...a }).filter((k) => !deepEqual(b[k], a[k]));
      d.emit(s, "support-channel-changed", `${s.subject}: ${changed.join(", ")} changed`, b, a);
    },
    onRemoved: (s, b) => d.emit(s, "support-channel-removed", `${s.subject} removed`, b, undefined),
    onAdded: (s, a) => d.emit(s, "support-channel-added", `${s.subject} added`, undefined, a),
  });
};

/** Fields every described entity has. */
export const describedFields: Record<string, FieldRule> = {
  description: "description-changed",
  businessName: "business-name-changed",
  tags: tagsRule,
  authoritativeDefinitions: "authoritative-definitions-changed",
  customProperties: customPropertiesRule,
};

/** Compares a boolean flag with its schema default, reporting "added"/"removed" kinds. */
export function flagRule(defaultValue: boolean, on: ChangeKind, off: ChangeKind): FieldHandler {
  return (d, scope, before, after, field) => {
    const b = before ?? defaultValue;
    const a = after ?? defaultValue;
    if (b === a) return;
    if (typeof a !== "boolean" || typeof b !== "boolean") {
      d.emitField(scope, field, on, before, after, " (not a boolean; ranked as if set)");
      return;
    }
    d.emitField(scope, field, a ? on : off, before, after);
  };
}

/** A field whose absence means a default value: absent and default compare equal. */
export function withDefault(defaultValue: unknown, kind: ChangeKind): FieldHandler {
  return (d, scope, before, after, field) => {
    if (deepEqual(before ?? defaultValue, after ?? defaultValue)) return;
    d.emitField(scope, field, kind, before, after);
  };
}
