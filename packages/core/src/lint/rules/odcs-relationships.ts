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

type Resolution =
  | { kind: "resolved" }
  /** Not in the contract it names (this one, or a known other one): a mistake. */
  | { kind: "missing"; where: string }
  /** Names a contract Quanta does not know here: it cannot be checked. */
  | { kind: "external"; contract: string | undefined };

const matchName = (node: Obj, name: string) => node.name === name || node.physicalName === name;

/** `object.property` (by name or physicalName, RFC 0009a's `schema.` prefix allowed) in one contract. */
function findDotted(doc: unknown, ref: string): "found" | "no-object" | "no-property" {
  const objects = schemaObjects(doc).map((o) => o.node);
  const bare = ref.startsWith("schema.") && !objects.some((o) => matchName(o, "schema")) ? ref.slice(7) : ref;
  const dot = bare.indexOf(".");
  const objectName = dot < 0 ? bare : bare.slice(0, dot);
  const object = objects.find((o) => matchName(o, objectName));
  if (!object) return "no-object";
  if (dot < 0) return "no-property";
  const propertyName = bare.slice(dot + 1);
  return asArray(object.properties).some((p) => matchName(asObj(p) ?? {}, propertyName)) ? "found" : "no-property";
}

/** `schema/<id>/properties/<id>` by id in one contract. */
function findById(doc: unknown, ref: string): boolean {
  const parts = ref.replace(/^\//, "").split("/");
  if (parts[0] !== "schema" || parts.length < 2 || parts.length % 2 !== 0) return false;
  let candidates: readonly unknown[] = schemaObjects(doc).map((o) => o.node);
  let node: Obj | undefined;
  for (let i = 1; i < parts.length; i += 2) {
    if (i > 1 && parts[i - 1] !== "properties") return false;
    node = candidates.map(asObj).find((c) => c?.id === parts[i]);
    if (!node) return false;
    candidates = asArray(node.properties);
  }
  return node !== undefined;
}

const findIn = (doc: unknown, path: string): boolean =>
  path.includes("/") ? findById(doc, path) : findDotted(doc, path) === "found";

/** The contract id a reference's file part names: `orders.odcs.yaml` and `../x/orders.yaml` name `orders`. */
const contractKey = (file: string): string =>
  (file.split(/[\\/]/).pop() ?? file).replace(/\.(odcs\.)?(ya?ml|json)$/i, "");

/**
 * The other contracts a contract's relationships point into (`<file>#<path>`, RFC 0009a), by the
 * id their file part names: what a registry looks up so that the references can be checked.
 */
export function referencedContractIds(doc: unknown): string[] {
  const ids = new Set<string>();
  for (const rel of relationships(doc)) {
    for (const end of [...rel.to, ...(rel.from ?? [])]) {
      const hash = end.ref.indexOf("#");
      if (hash > 0) ids.add(contractKey(end.ref.slice(0, hash)));
    }
  }
  return [...ids];
}

/** The contract a file part names (`orders.odcs.yaml`, `../x/orders.odcs.yaml`, a URL, an id). */
function namedContract(file: string, contracts: ReadonlyMap<string, unknown> | undefined): unknown {
  if (!contracts) return undefined;
  const base = file.split(/[\\/]/).pop() ?? file;
  return contracts.get(file) ?? contracts.get(base) ?? contracts.get(contractKey(file));
}

/**
 * Where a reference points (ODCS RFC 0009a: `[<file>#]<path>`): into this contract, into another
 * contract Quanta knows (checked there), or into one it does not (external, unchecked). A dotted
 * reference whose object is not in this contract names another contract's object.
 */
function resolve(ctx: LintContext, ref: string): Resolution {
  const hash = ref.indexOf("#");
  if (hash > 0) {
    const file = ref.slice(0, hash);
    const target = namedContract(file, ctx.contracts);
    if (target === undefined) return { kind: "external", contract: file };
    return findIn(target, ref.slice(hash + 1)) ? { kind: "resolved" } : { kind: "missing", where: file };
  }
  const path = hash === 0 ? ref.slice(1) : ref;
  if (path.includes("/")) return findById(ctx.value, path) ? { kind: "resolved" } : { kind: "missing", where: "" };
  const here = findDotted(ctx.value, path);
  if (here === "found") return { kind: "resolved" };
  if (here === "no-property" || !path.includes(".")) return { kind: "missing", where: "" };
  // Another contract's object: resolved when a known contract holds it.
  for (const other of new Set(ctx.contracts?.values() ?? [])) {
    if (other !== ctx.value && findDotted(other, path) === "found") return { kind: "resolved" };
  }
  return { kind: "external", contract: undefined };
}

export const relationshipTargetMissing: LintRule = {
  code: "relationship-target-missing",
  severity: "error",
  description:
    "A relationship `to`/`from` names an object or property that is not in the contract it points into: this one (`object.property` by name, or `schema/<id>/properties/<id>` by id) or a contract Quanta knows (`<file>#<path>`).",
  check(ctx: LintContext) {
    for (const rel of relationships(ctx.value)) {
      for (const end of [...rel.to, ...(rel.from ?? [])]) {
        const r = resolve(ctx, end.ref);
        if (r.kind !== "missing") continue;
        ctx.report(
          end.path,
          r.where
            ? `relationship reference "${end.ref}" does not match any object.property in ${r.where}`
            : `relationship reference "${end.ref}" does not match any object.property in this contract`,
        );
      }
    }
  },
};

export const relationshipTargetExternal: LintRule = {
  code: "relationship-target-external",
  severity: "warning",
  description:
    "A relationship into another contract (ODCS RFC 0009a) that Quanta does not know here, so it cannot check the target; published beside it, or to the registry, the target is checked.",
  check(ctx: LintContext) {
    for (const rel of relationships(ctx.value)) {
      for (const end of [...rel.to, ...(rel.from ?? [])]) {
        const r = resolve(ctx, end.ref);
        if (r.kind !== "external") continue;
        ctx.report(
          end.path,
          r.contract
            ? `relationship reference "${end.ref}" points into contract ${r.contract}, which is not known here; its target is not checked`
            : `relationship reference "${end.ref}" names an object that is not in this contract: read as external (another contract's object), not checked; write <contract file>#${end.ref} to say which contract`,
        );
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
