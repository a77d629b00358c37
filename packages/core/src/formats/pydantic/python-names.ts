import { quoteString, toIdentifier } from "../names.js";

/**
 * Python identifiers for contract names, shared by the pydantic and sqlalchemy exports. Names
 * start with a letter: pydantic takes `_x` for a private attribute, not a field.
 */

const keywords = [
  "False",
  "None",
  "True",
  "and",
  "as",
  "assert",
  "async",
  "await",
  "break",
  "class",
  "continue",
  "def",
  "del",
  "elif",
  "else",
  "except",
  "finally",
  "for",
  "from",
  "global",
  "if",
  "import",
  "in",
  "is",
  "lambda",
  "nonlocal",
  "not",
  "or",
  "pass",
  "raise",
  "return",
  "try",
  "while",
  "with",
  "yield",
];

/**
 * Names the generated modules use in annotations and imports: a field of that name would shadow
 * them for the fields after it in the class body.
 */
const moduleNames = [
  "Any",
  "BaseModel",
  "ConfigDict",
  "Decimal",
  "Field",
  "Literal",
  "Optional",
  "bool",
  "date",
  "datetime",
  "decimal",
  "dict",
  "float",
  "int",
  "list",
  "str",
  "time",
  "typing",
];

/** Reserved for any generated Python name. */
export const pythonReserved: ReadonlySet<string> = new Set([...keywords, ...moduleNames]);

/** The name in snake case, starting with a letter, not in `reserved`; never empty. */
export function pythonName(name: string, reserved: ReadonlySet<string>, kind: "field" | "class"): string {
  let id = toIdentifier(name, { case: kind === "class" ? "pascal" : "snake" })
    .replace(/_+/g, "_")
    .replace(/^_|_$/g, "");
  if (id === "") id = kind === "class" ? "Model" : "field";
  if (/^[0-9]/.test(id)) id = kind === "class" ? `Model${id}` : `field_${id}`;
  if (pythonReserved.has(id) || reserved.has(id)) id = `${id}_`;
  return id;
}

/** Unique Python names for a list of names, in order (`field`, `field_2`). */
export function uniquePythonNames(
  names: readonly string[],
  reserved: ReadonlySet<string>,
  kind: "field" | "class",
  taken: Set<string> = new Set(),
): string[] {
  return names.map((name) => {
    const base = pythonName(name, reserved, kind);
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}${kind === "class" ? "" : "_"}${n}`;
    taken.add(id);
    return id;
  });
}

/** A Python string literal (JSON's escapes are Python's too). */
export const pythonString = quoteString;

/** A Python number literal for a bound (`1e3` stays a number, text that is a number too). */
export function pythonNumber(value: unknown): string | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  return Number.isFinite(n) ? String(n) : undefined;
}

/** A `#` comment line for free text, one line, with no way to end early. */
export function pythonComment(text: string): string {
  return `# ${text.replace(/[\r\n\u2028\u2029\f\v]+/g, " ").trim()}`;
}
