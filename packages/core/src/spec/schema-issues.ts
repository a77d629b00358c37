import type { ErrorObject } from "ajv";
import type { Issue, Path } from "../issues.js";
import type { SourceDocument } from "./source.js";

/**
 * Turns Ajv's raw errors into Issues a person can act on:
 * - one issue per problem, at the node (or, for an unknown key, at the key itself);
 * - the cascades Ajv produces for `oneOf`/`anyOf`/`if` (one error per failed alternative, then
 *   one for the combinator) collapse into the most useful issue per node: errors from the
 *   alternative whose type matches the value win over "must be array" from the others.
 * Detection (Ajv) and wording (here) stay apart, like Zod's issues and their formatting.
 */
export function schemaIssues(
  src: SourceDocument,
  errors: readonly ErrorObject[],
  rootSchema: unknown,
  rootName: string,
): Issue[] {
  const ctx: Context = { src, root: rootSchema, rootName, value: src.value };
  const items = dedupe(errors.filter((e) => !droppedKeywords.has(e.keyword)).map((e) => toItem(ctx, e)));
  const byNode = new Map<string, Item[]>();
  for (const item of items) {
    const list = byNode.get(item.pointer) ?? [];
    list.push(item);
    byNode.set(item.pointer, list);
  }
  const issues: Issue[] = [];
  for (const [pointer, list] of byNode) {
    const deeper = items.some((i) => i.pointer.startsWith(`${pointer}/`));
    issues.push(...collapseNode(ctx, list, deeper));
  }
  return issues.sort((a, b) => a.line - b.line || a.column - b.column || a.code.localeCompare(b.code));
}

interface Context {
  src: SourceDocument;
  root: unknown;
  rootName: string;
  value: unknown;
}

interface Item {
  error: ErrorObject;
  /** instancePath of the node the error is about. */
  pointer: string;
  path: Path;
  /** Unknown-property and missing-required errors are about content, not about the node's type. */
  kind: "type" | "combinator" | "content";
}

/** `if` only says "the `then` failed"; the `then` errors say what is wrong. */
const droppedKeywords = new Set(["if", "$ref", "allOf"]);

function toItem(ctx: Context, error: ErrorObject): Item {
  const path = decodePointer(ctx.value, error.instancePath);
  const kind = error.keyword === "type" ? "type" : combinators.has(error.keyword) ? "combinator" : "content";
  return { error, pointer: error.instancePath, path, kind };
}

const combinators = new Set(["oneOf", "anyOf"]);

/** `additionalProperties: false` and `unevaluatedProperties: false` both fire for the same key. */
function dedupe(items: Item[]): Item[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const key = `${i.pointer}\u0000${i.error.keyword === "unevaluatedProperties" ? "additionalProperties" : i.error.keyword}\u0000${JSON.stringify(i.error.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function collapseNode(ctx: Context, list: Item[], deeper: boolean): Issue[] {
  const tooMany = list
    .filter((i) => i.error.keyword === "oneOf" && Array.isArray(i.error.params.passingSchemas))
    .map((i) => `${i.error.schemaPath}/`);
  const others = list.some((i) => i.error.keyword !== "unevaluatedProperties") || deeper;
  const content = list.filter(
    (i) =>
      i.kind === "content" &&
      // Ajv stops at the second matching alternative, so the remaining ones' errors are partial.
      !(i.error.keyword === "required" && tooMany.some((t) => i.error.schemaPath.startsWith(t))) &&
      // A known key goes "unevaluated" when the subschema declaring it failed; that failure is
      // the real issue, reported on its own.
      !(i.error.keyword === "unevaluatedProperties" && others && isKnownUnevaluated(ctx, i)),
  );
  const types = list.filter((i) => i.kind === "type");
  const combos = list.filter((i) => i.kind === "combinator");
  const out: Issue[] = [];
  // An alternative that accepted the value's type and then found problems inside it is the one the
  // author meant; "must be array" from the other alternatives is noise.
  const typeMatters = content.length === 0 && !deeper;
  const first = list[0];
  if (typeMatters && types.length > 0 && first) out.push(typeIssue(ctx, first.path, types));
  out.push(...contentIssues(ctx, content));
  for (const c of combos) {
    const passing = c.error.params.passingSchemas as number[] | null | undefined;
    if (c.error.keyword === "oneOf" && Array.isArray(passing)) out.push(oneOfTooMany(ctx, c, passing));
    else if (out.length === 0 && !deeper) out.push(noAlternative(ctx, c));
  }
  return out;
}

function isKnownUnevaluated(ctx: Context, item: Item): boolean {
  return knownProperties(ctx.root, item.error.parentSchema).includes(String(item.error.params.unevaluatedProperty));
}

function typeIssue(ctx: Context, path: Path, types: Item[]): Issue {
  const wanted = unique(types.flatMap((t) => String(t.error.params.type).split(",")));
  const actual = jsonType(valueAt(ctx.value, path));
  return ctx.src.at(
    path,
    "schema-type",
    "error",
    `must be ${orList(wanted.map(withArticle))}, not ${withArticle(actual)}`,
  );
}

function contentIssues(ctx: Context, content: Item[]): Issue[] {
  const out: Issue[] = [];
  // Alternatives that each require a different key ("exactly one of mustBe, mustBeGreaterThan, ...")
  // fail together; report them as one choice rather than eight missing properties.
  const branchRequired = new Map<string, Item[]>();
  const enums: Item[] = [];
  const patterns: Item[] = [];
  for (const item of content) {
    const { keyword, schemaPath } = item.error;
    const branch = /^(.*)\/(oneOf|anyOf)\/\d+(?:\/allOf\/\d+)?\/required$/.exec(schemaPath);
    if (keyword === "required" && branch) {
      const key = `${branch[1]}/${branch[2]}`;
      branchRequired.set(key, [...(branchRequired.get(key) ?? []), item]);
    } else if (keyword === "enum" || keyword === "const") enums.push(item);
    else if (keyword === "pattern") patterns.push(item);
    else out.push(contentIssue(ctx, item));
  }
  for (const [key, items] of branchRequired) {
    const first = items[0];
    if (!first) continue;
    const names = unique(items.map((i) => String(i.error.params.missingProperty)));
    const how = key.endsWith("oneOf") ? "exactly one" : "at least one";
    out.push(
      names.length === 1
        ? ctx.src.at(
            [...first.path, names[0] ?? ""],
            "schema-required",
            "error",
            `missing required property '${names[0]}'`,
          )
        : ctx.src.at(first.path, "schema-required", "error", `must have ${how} of the properties ${quoteList(names)}`),
    );
  }
  const firstEnum = enums[0];
  if (firstEnum) {
    const allowed = unique(
      enums.flatMap((i) =>
        i.error.keyword === "const" ? [i.error.params.allowedValue] : (i.error.params.allowedValues as unknown[]),
      ),
    );
    const actual = valueAt(ctx.value, firstEnum.path);
    const code = enums.every((i) => i.error.keyword === "const") ? "schema-const" : "schema-enum";
    const hint = typeof actual === "string" ? didYouMean(actual, allowed.filter(isString)) : "";
    const message =
      allowed.length === 1
        ? `must be ${show(allowed[0])}, not ${show(actual)}`
        : `must be one of: ${shortList(allowed.map(showBare))} (found ${show(actual)})${hint}`;
    out.push(ctx.src.at(firstEnum.path, code, "error", message));
  }
  const firstPattern = patterns[0];
  if (firstPattern) {
    const wanted = unique(patterns.map((p) => String(p.error.params.pattern)));
    const actual = valueAt(ctx.value, firstPattern.path);
    out.push(
      ctx.src.at(
        firstPattern.path,
        "schema-pattern",
        "error",
        `${show(actual)} does not match the pattern ${wanted.map((w) => `/${w}/`).join(" or ")}`,
      ),
    );
  }
  return out;
}

function contentIssue(ctx: Context, item: Item): Issue {
  const { error, path } = item;
  const p = error.params as Record<string, unknown>;
  const code = codeOf(error.keyword);
  switch (error.keyword) {
    case "required":
      return ctx.src.at(
        [...path, String(p.missingProperty)],
        code,
        "error",
        `missing required property '${p.missingProperty}'`,
      );
    case "additionalProperties":
    case "unevaluatedProperties": {
      const key = String(p.additionalProperty ?? p.unevaluatedProperty);
      const known = knownProperties(ctx.root, error.parentSchema);
      const message = known.includes(key)
        ? `'${key}' is not allowed in ${describeSchema(ctx, error.parentSchema, path)} of this form`
        : `'${key}' is not a known property of ${describeSchema(ctx, error.parentSchema, path)}${didYouMean(key, known)}`;
      return ctx.src.at([...path, key], code, "error", message, { key: true });
    }
    case "not": {
      const schema = error.schema;
      const forbidden = isRecord(schema) && Array.isArray(schema.required) ? schema.required.map(String) : [];
      if (forbidden.length > 0) {
        const present = forbidden.filter(
          (f) => isRecord(valueAt(ctx.value, path)) && f in (valueAt(ctx.value, path) as object),
        );
        return ctx.src.at(
          [...path, present[0] ?? forbidden[0] ?? ""],
          code,
          "error",
          `property ${quoteList(present.length > 0 ? present : forbidden)} is not allowed here`,
          { key: true },
        );
      }
      return ctx.src.at(path, code, "error", "must not match the excluded schema");
    }
    case "uniqueItems":
      return ctx.src.at(path, code, "error", `must not contain duplicates (items ${p.j} and ${p.i} are equal)`);
    case "minItems":
      return ctx.src.at(path, code, "error", `must have at least ${plural(Number(p.limit), "item")}`);
    case "maxItems":
      return ctx.src.at(path, code, "error", `must have at most ${plural(Number(p.limit), "item")}`);
    case "minLength":
      return ctx.src.at(path, code, "error", `must be at least ${plural(Number(p.limit), "character")} long`);
    case "maxLength":
      return ctx.src.at(path, code, "error", `must be at most ${plural(Number(p.limit), "character")} long`);
    case "format":
      return ctx.src.at(path, code, "error", `${show(valueAt(ctx.value, path))} is not a valid ${p.format}`);
    case "dependentRequired":
    case "dependencies":
      return ctx.src.at(path, code, "error", `property '${p.property}' requires property '${p.missingProperty}'`);
    default:
      return ctx.src.at(path, code, "error", error.message ?? `fails '${error.keyword}'`);
  }
}

function oneOfTooMany(ctx: Context, item: Item, passing: number[]): Issue {
  const branches = item.error.schema;
  const keys = passing.map((i) => {
    const b = Array.isArray(branches) ? branches[i] : undefined;
    return isRecord(b) && Array.isArray(b.required) && b.required.length === 1 ? String(b.required[0]) : undefined;
  });
  const message = keys.every(isString)
    ? `must have only one of the properties ${quoteList(keys)}`
    : `matches ${passing.length} alternatives (${passing.map((i) => i + 1).join(" and ")}) where exactly one is allowed`;
  return ctx.src.at(item.path, "schema-one-of", "error", message);
}

function noAlternative(ctx: Context, item: Item): Issue {
  return ctx.src.at(item.path, codeOf(item.error.keyword), "error", "does not match any of the allowed forms");
}

const codeOverrides: Record<string, string> = {
  additionalProperties: "schema-additional-property",
  unevaluatedProperties: "schema-additional-property",
  dependencies: "schema-dependent-required",
};

function codeOf(keyword: string): string {
  return codeOverrides[keyword] ?? `schema-${keyword.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

// --- schema lookups (for known property names and readable names) ---------------------------

function resolvePointer(root: unknown, pointer: string): unknown {
  const parts = pointer.replace(/^#/, "").split("/").slice(1).map(unescapePointer);
  let node = root;
  for (const part of parts) {
    if (Array.isArray(node)) node = node[Number(part)];
    else if (isRecord(node)) node = node[part];
    else return undefined;
  }
  return node;
}

/** Every property name `schema` would accept, following $ref and combinators. */
function knownProperties(root: unknown, schema: unknown): string[] {
  const names = new Set<string>();
  const seen = new Set<unknown>();
  const visit = (schema: unknown): void => {
    if (!isRecord(schema) || seen.has(schema)) return;
    seen.add(schema);
    if (isRecord(schema.properties)) for (const k of Object.keys(schema.properties)) names.add(k);
    if (typeof schema.$ref === "string" && schema.$ref.startsWith("#")) visit(resolvePointer(root, schema.$ref));
    for (const key of ["allOf", "anyOf", "oneOf"]) {
      const list = schema[key];
      if (Array.isArray(list)) list.forEach(visit);
    }
    visit(schema.then);
    visit(schema.else);
  };
  visit(schema);
  return [...names];
}

/** "a schema property", "the data contract", "'logicalTypeOptions'": what the rule is about. */
function describeSchema(ctx: Context, schema: unknown, path: Path): string {
  if (path.length === 0) return ctx.rootName;
  const raw =
    (isRecord(schema) && typeof schema.title === "string" ? schema.title : undefined) ?? defName(ctx.root, schema);
  const name = raw === undefined ? undefined : (defAliases[raw] ?? raw);
  if (name) {
    const words = name
      .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
      .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
      .toLowerCase();
    return `${/^[aeiou]/.test(words) ? "an" : "a"} ${words}`;
  }
  const last = [...path].reverse().find((p) => typeof p === "string");
  return last === undefined ? "this object" : `'${last}'`;
}

/** Internal building blocks of the schemas, named as a user knows them. */
const defAliases: Record<string, string> = {
  SchemaBaseProperty: "SchemaProperty",
  SchemaItemProperty: "SchemaProperty",
  SchemaElement: "SchemaObject",
  RelationshipBase: "Relationship",
  RelationshipSchemaLevel: "Relationship",
  RelationshipPropertyLevel: "Relationship",
  DataQualityLibrary: "DataQuality",
  DataQualitySql: "DataQuality",
  DataQualityCustom: "DataQuality",
  DataQualityOperators: "DataQuality",
};

const defNames = new WeakMap<object, Map<string, string>>();

/** The `$defs` name of a subschema. Ajv's generated code holds copies, so match by content. */
function defName(root: unknown, schema: unknown): string | undefined {
  if (!isRecord(root) || !isRecord(schema)) return undefined;
  let names = defNames.get(root);
  if (!names) {
    names = new Map();
    const defs = root.$defs ?? root.definitions;
    if (isRecord(defs)) for (const [k, v] of Object.entries(defs)) names.set(JSON.stringify(v), k);
    defNames.set(root, names);
  }
  return names.get(JSON.stringify(schema));
}

// --- values and wording ----------------------------------------------------------------------

function decodePointer(value: unknown, pointer: string): Path {
  if (pointer === "") return [];
  const out: (string | number)[] = [];
  let node = value;
  for (const raw of pointer.split("/").slice(1)) {
    const part = unescapePointer(raw);
    if (Array.isArray(node)) {
      out.push(Number(part));
      node = node[Number(part)];
    } else {
      out.push(part);
      node = isRecord(node) ? node[part] : undefined;
    }
  }
  return out;
}

function unescapePointer(part: string): string {
  return part.replaceAll("~1", "/").replaceAll("~0", "~");
}

function valueAt(value: unknown, path: Path): unknown {
  let node = value;
  for (const part of path) {
    if (Array.isArray(node) && typeof part === "number") node = node[part];
    else if (isRecord(node)) node = node[String(part)];
    else return undefined;
  }
  return node;
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function withArticle(type: string): string {
  return type === "null" ? "null" : `${/^[aeiou]/.test(type) ? "an" : "a"} ${type}`;
}

function orList(items: string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

function quoteList(items: readonly string[]): string {
  return items.map((i) => `'${i}'`).join(", ");
}

function shortList(items: string[], max = 12): string {
  return items.length > max ? `${items.slice(0, max).join(", ")}, … (${items.length - max} more)` : items.join(", ");
}

function show(value: unknown): string {
  if (typeof value === "string") return `'${value.length > 60 ? `${value.slice(0, 57)}...` : value}'`;
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function showBare(value: unknown): string {
  return typeof value === "string" ? value : show(value);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

function isString(x: unknown): x is string {
  return typeof x === "string";
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** `; did you mean 'required'?` when a candidate is close (case, typo or prefix), else "". */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const best = closest(word, candidates);
  return best === undefined ? "" : `; did you mean '${best}'?`;
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    if (c === word) continue;
    const d = c.toLowerCase() === lower ? 0 : levenshtein(lower, c.toLowerCase());
    if (d < bestScore) {
      best = c;
      bestScore = d;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  return bestScore <= limit ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Number.POSITIVE_INFINITY;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? Number.POSITIVE_INFINITY;
}
