import { customPropertiesRule, tagsRule } from "./common-fields.js";
import { type Differ, type FieldHandler, fieldScope, itemScope, keyOf, type Scope } from "./differ.js";
import { matchItems } from "./match.js";
import { asList, deepEqual, isObj, type Obj, show, str } from "./values.js";

/**
 * The team section as human lineage: who joined, who left, who replaced whom, with dates when the
 * document gives them. Reads ODCS v3.1 / ODPS `team: { members: [...] }` and the ODCS v3.0
 * `team: [...]` array alike, so a v3.0 → v3.1 upgrade does not look like everyone left.
 */
export const teamRule: FieldHandler = (d, scope, before, after, field) => {
  const s = fieldScope(scope, field);
  const teamScope: Scope = { ...s, subject: "team" };
  const bTeam = isObj(before) ? before : {};
  const aTeam = isObj(after) ? after : {};
  // Team-level fields (name, description, ...). The v3.0 array has none.
  d.fields(teamScope, withoutMembers(bTeam), withoutMembers(aTeam), {
    id: "team-changed",
    name: "team-changed",
    description: "team-changed",
    tags: tagsRule,
    authoritativeDefinitions: "team-changed",
    customProperties: customPropertiesRule,
  });
  diffMembers(d, s, members(before), members(after), Array.isArray(before), Array.isArray(after));
};

function withoutMembers(team: Obj): Obj {
  const { members: _members, ...rest } = team;
  return rest;
}

function members(team: unknown): Obj[] {
  return (Array.isArray(team) ? team : asList(isObj(team) ? team.members : undefined)).filter(isObj);
}

const who = (m: Obj): string => str(m.username) ?? str(m.name) ?? str(m.id) ?? "(unnamed member)";
const roleOf = (m: Obj): string | undefined => str(m.role);
const asRole = (m: Obj): string => (roleOf(m) ? ` as ${roleOf(m)}` : "");
const on = (date: unknown): string => (str(date) ? ` on ${str(date)}` : "");

interface Leaver {
  /** The member as last listed (with `dateOut` when history is kept). */
  member: Obj;
  /** The member in the old document. */
  previous: Obj;
  scope: Scope;
  /** The member is still listed, with a new `dateOut` (history kept), rather than deleted. */
  dated: boolean;
}

function diffMembers(d: Differ, s: Scope, bl: Obj[], al: Obj[], bArray: boolean, aArray: boolean): void {
  const field = "members";
  // Paths of v3.0 arrays are `team[i]`, of v3.1 objects `team.members[i]`.
  const mScope = (m: Obj, bi: number | undefined, ai: number | undefined): Scope => {
    const base = itemScope(s, field, who(m), `team member ${who(m)}`, undefined, undefined);
    return {
      ...base,
      before: bi === undefined || !s.before ? undefined : bArray ? [...s.before, bi] : [...s.before, field, bi],
      after: ai === undefined || !s.after ? undefined : aArray ? [...s.after, ai] : [...s.after, field, ai],
    };
  };
  const m = matchItems(bl, al, [{ key: keyOf("username") }, { key: keyOf("id") }, { key: keyOf("name") }]);
  const leavers: Leaver[] = [];
  const joiners: { member: Obj; scope: Scope }[] = [];
  for (const i of m.removed) {
    const b = bl[i] as Obj;
    const sc = mScope(b, i, undefined);
    // Removing someone who had already left is tidying the history, not a departure.
    if (b.dateOut !== undefined) {
      d.emit(
        sc,
        "team-member-changed",
        `${who(b)} removed from the member list (had left${on(b.dateOut)})`,
        b,
        undefined,
      );
    } else leavers.push({ member: b, previous: b, scope: sc, dated: false });
  }
  for (const p of m.pairs) {
    const b = bl[p.before] as Obj;
    const a = al[p.after] as Obj;
    if (deepEqual(b, a)) continue;
    const sc = mScope(a, p.before, p.after);
    const { dateOut: bOut, role: bRole, replacedByUsername: bBy, ...bRest } = b;
    const { dateOut: aOut, role: aRole, replacedByUsername: aBy, ...aRest } = a;
    const leaving = bOut === undefined && aOut !== undefined;
    if (!leaving && !deepEqual(bBy, aBy)) {
      bRest.replacedByUsername = bBy;
      aRest.replacedByUsername = aBy;
    }
    if (leaving) {
      leavers.push({ member: a, previous: b, scope: sc, dated: true });
    } else if (bOut !== undefined && aOut === undefined) {
      d.emit(sc, "team-member-joined", `${who(a)} rejoined${asRole(a)}${on(a.dateIn)}`, b, a);
    } else if (!deepEqual(bOut, aOut)) {
      d.emit(sc, "team-member-changed", `${who(a)}: dateOut changed from ${show(bOut)} to ${show(aOut)}`, bOut, aOut);
    }
    if (!deepEqual(bRole, aRole)) {
      d.emit(
        sc,
        "team-member-role-changed",
        `${who(a)}: role changed from ${show(bRole)} to ${show(aRole)}${on(a.dateIn !== b.dateIn ? a.dateIn : undefined)}`,
        b,
        a,
      );
    }
    const changed = Object.keys({ ...bRest, ...aRest }).filter((k) => !deepEqual(bRest[k], aRest[k]));
    if (changed.length) d.emit(sc, "team-member-changed", `${who(a)}: ${changed.join(", ")} changed`, b, a);
  }
  for (const j of m.added) {
    const a = al[j] as Obj;
    const sc = mScope(a, undefined, j);
    if (a.dateOut !== undefined) {
      d.emit(
        sc,
        "team-member-changed",
        `${who(a)} added to the history (member${asRole(a)}${a.dateIn ? ` from ${str(a.dateIn)}` : ""} until ${str(a.dateOut)})`,
        undefined,
        a,
      );
    } else joiners.push({ member: a, scope: sc });
  }
  pairReplacements(d, leavers, joiners, al);
}

/**
 * A departure and an arrival are one replacement when the leaver names the successor
 * (`replacedByUsername`) or, failing that, when both hold the same role.
 */
function pairReplacements(
  d: Differ,
  leavers: Leaver[],
  joiners: { member: Obj; scope: Scope }[],
  current: Obj[],
): void {
  const taken = new Set<number>();
  const findJoiner = (pred: (m: Obj) => boolean) => joiners.findIndex((j, i) => !taken.has(i) && pred(j.member));
  for (const l of leavers) {
    const successorName = str(l.member.replacedByUsername);
    let idx = successorName ? findJoiner((m) => str(m.username) === successorName) : -1;
    if (idx < 0 && !successorName && roleOf(l.member)) {
      const role = roleOf(l.member)?.toLowerCase();
      idx = findJoiner((m) => roleOf(m)?.toLowerCase() === role);
    }
    const out = on(l.member.dateOut);
    if (idx >= 0) {
      taken.add(idx);
      const j = joiners[idx] as { member: Obj; scope: Scope };
      const role = roleOf(l.member) ?? roleOf(j.member);
      d.emit(
        j.scope,
        "team-member-replaced",
        `${role ? `${role}: ` : ""}${who(l.member)} replaced by ${who(j.member)}${j.member.dateIn ? ` (joined ${str(j.member.dateIn)})` : ""}${l.member.dateOut ? ` (left ${str(l.member.dateOut)})` : ""}`,
        l.previous,
        j.member,
      );
    } else if (successorName && current.some((m) => str(m.username) === successorName)) {
      // The successor was already on the team: a hand-over, not an arrival.
      d.emit(
        l.scope,
        "team-member-replaced",
        `${roleOf(l.member) ? `${roleOf(l.member)}: ` : ""}${who(l.member)} replaced by ${successorName}${out}`,
        l.previous,
        l.member,
      );
    } else {
      d.emit(
        l.scope,
        "team-member-left",
        `${who(l.member)} left${roleOf(l.member) ? ` (${roleOf(l.member)})` : ""}${out}${l.dated ? "" : " (removed from the member list)"}`,
        l.previous,
        l.dated ? l.member : undefined,
      );
    }
  }
  joiners.forEach((j, i) => {
    if (taken.has(i)) return;
    d.emit(
      j.scope,
      "team-member-joined",
      `${who(j.member)} joined${asRole(j.member)}${on(j.member.dateIn)}`,
      undefined,
      j.member,
    );
  });
}
