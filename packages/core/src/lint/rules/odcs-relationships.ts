import type { Path } from "../../issues.js";
import type { LintContext, LintRule } from "../lint-rule.js";
import { allProperties, schemaObjects } from "../odcs-walk.js";
import { asArray, asObj, type Obj } from "../read.js";

interface Endpoint {
  ref: string;
  path: Path;
}

interface RelationshipRef {
  path: Path;
  from: Endpoint[] | undefined;
  to: Endpoint[];
  level: "object" | "property";
}

function endpoints(value: unknown, path: Path): Endpoint[] | undefined {
  if (typeof value === "string") return [{ ref: value, path }];
  if (!Array.isArray(value)) return undefined;
  return value.flatMap((v, i) => (typeof v === "string" ? [{ ref: v, path: [...path, i] }] : []));
}

function relationships(doc: unknown): RelationshipRef[] {
  const out: RelationshipRef[] = [];
  const collect = (owner: Obj, ownerPath: Path, level: RelationshipRef["level"]) => {
    asArray(owner.relationships).forEach((r, i) => {
      const rel = asObj(r);
      if (!rel) return;
      const path = [...ownerPath, "relationships", i];
      const to = endpoints(rel.to, [...path, "to"]);
      if (!to) return;
      out.push({
        path,
        from: endpoints(rel.from, [...path, "from"]),
        to,
        level,
      });
    });
  };
  for (const o of schemaObjects(doc)) collect(o.node, o.path, "object");
  for (const p of allProperties(doc)) collect(p.node, p.path, "property");
  return out;
}

/**
 * Resolves `object.property` (by name or physicalName) and `schema/<id>/properties/<id>` (by id).
 * References into other files (`other.yaml#...`) cannot be checked here and count as resolved.
 */
function resolves(doc: unknown, ref: string): boolean {
  if (ref.includes("#")) return true;
  const objects = schemaObjects(doc).map((o) => o.node);
  const matchName = (node: Obj, name: string) => node.name === name || node.physicalName === name;
  if (!ref.includes("/")) {
    const dot = ref.indexOf(".");
    if (dot < 0) return false;
    const objectName = ref.slice(0, dot);
    const propertyName = ref.slice(dot + 1);
    return objects.some(
      (o) => matchName(o, objectName) && asArray(o.properties).some((p) => matchName(asObj(p) ?? {}, propertyName)),
    );
  }
  const parts = ref.replace(/^\//, "").split("/");
  if (parts[0] !== "schema" || parts.length < 2 || parts.length % 2 !== 0) return false;
  let candidates: readonly unknown[] = objects;
  let node: Obj | undefined;
  for (let i = 1; i < parts.length; i += 2) {
    if (i > 1 && parts[i - 1] !== "properties") return false;
    node = candidates.map(asObj).find((c) => c?.id === parts[i]);
    if (!node) return false;
    candidates = asArray(node.properties);
  }
  return node !== undefined;
}

export const relationshipTargetMissing: LintRule = {
  code: "relationship-target-missing",
  severity: "error",
  description:
    "A relationship `to`/`from` names an object or property that is not in the contract (`object.property` by name, or `schema/<id>/properties/<id>` by id).",
  check(ctx: LintContext) {
    for (const rel of relationships(ctx.value)) {
      for (const end of [...rel.to, ...(rel.from ?? [])]) {
        if (resolves(ctx.value, end.ref)) continue;
        ctx.report(end.path, `relationship reference "${end.ref}" does not match any object.property in this contract`);
      }
    }
  },
};

export const relationshipArityMismatch: LintRule = {
  code: "relationship-arity-mismatch",
  severity: "error",
  description:
    "A composite relationship whose `from` and `to` lists differ in length (a property-level relationship maps exactly one column).",
  check(ctx) {
    for (const rel of relationships(ctx.value)) {
      const fromCount = rel.level === "property" ? 1 : rel.from?.length;
      if (fromCount === undefined) continue;
      if (fromCount === rel.to.length) continue;
      const side = rel.level === "property" ? "the property itself (1 column)" : `from has ${fromCount}`;
      ctx.report(
        [...rel.path, "to"],
        `relationship maps ${side} to ${rel.to.length} target(s); the column lists must pair up one to one`,
        {
          key: true,
        },
      );
    }
  },
};
