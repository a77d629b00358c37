/**
 * Names of contract elements turned into identifiers of a target language or schema (Avro,
 * Protobuf, Python, Go, TypeScript). Contracts allow any text as a name ("order date", "größe",
 * "class"); targets do not, so every exporter goes through these and keeps the original name where
 * the target can carry it (an alias, a JSON tag, a `Field(alias=...)`).
 */

/** The words of a name: split at anything not a letter or digit and at lower→upper case changes. */
export function words(name: string): string[] {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/([\p{Ll}\d])(\p{Lu})/gu, "$1 $2")
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, "$1 $2")
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

export function pascalCase(name: string): string {
  return words(name)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())
    .join("");
}

export function camelCase(name: string): string {
  const pascal = pascalCase(name);
  return pascal.charAt(0).toLowerCase() + pascal.slice(1);
}

export function snakeCase(name: string): string {
  return words(name)
    .map((w) => w.toLowerCase())
    .join("_");
}

export interface IdentifierRules {
  /** Casing applied first; `keep` leaves the name as it is. */
  readonly case?: "keep" | "pascal" | "camel" | "snake";
  /** Words of the target that cannot be identifiers (compared case-sensitively). */
  readonly reserved?: ReadonlySet<string>;
  /** Allow only ASCII letters, digits and `_` (Avro, Protobuf, Go exported names, Python). Default true. */
  readonly asciiOnly?: boolean;
}

/**
 * A valid identifier for `name`: cased, with characters the target refuses replaced by `_`, a
 * leading digit prefixed with `_`, and a reserved word suffixed with `_`. Never empty.
 */
export function toIdentifier(name: string, rules: IdentifierRules = {}): string {
  const cased =
    rules.case === "pascal"
      ? pascalCase(name)
      : rules.case === "camel"
        ? camelCase(name)
        : rules.case === "snake"
          ? snakeCase(name)
          : name;
  const ascii = rules.asciiOnly ?? true;
  let id = ascii
    ? cased
        .normalize("NFKD")
        .replace(/[\u0300-\u036f]/g, "")
        .replace(/[^A-Za-z0-9_]/g, "_")
    : cased.replace(/[^\p{L}\p{N}_$]/gu, "_");
  if (id === "" || /^_*$/.test(id)) id = `_${id}field`;
  if (/^[0-9]/.test(id)) id = `_${id}`;
  if (rules.reserved?.has(id)) id = `${id}_`;
  return id;
}

/**
 * Identifiers for a list of names, made unique in order: a second `order date` and `order_date`
 * become `order_date` and `order_date_2`, so no field silently replaces another.
 */
export function uniqueIdentifiers(names: readonly string[], rules: IdentifierRules = {}): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    const base = toIdentifier(name, rules);
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
    taken.add(id);
    return id;
  });
}

/** A string literal safe in JSON-like languages (TypeScript, Go, Python): JSON's escaping, always ASCII-safe. */
export function quoteString(value: string): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
