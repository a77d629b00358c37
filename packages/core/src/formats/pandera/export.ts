import type { Path } from "../../issues.js";
import type { SchemaObject, SchemaProperty } from "../../spec/odcs/model.js";
import { decimalOf, logicalTypeOf, physicalNameOf, primaryKeyOf, selectObjects } from "../contract-view.js";
import { ConvertContext, isObject } from "../convert-context.js";
import type { ExportInput, ExportResult } from "../format.js";
import { pythonComment, pythonNumber, pythonString, uniquePythonNames } from "../pydantic/python-names.js";
import { fileName, noObjectsMessage } from "../typescript/export.js";

/**
 * ODCS → pandera: one `pa.DataFrameModel` per schema object, one `Series[...]` column per property
 * (named after the column the data has: its physical name, else its name), with `pa.Field` checks
 * for what the contract says of its values. Data read into pandas (DuckDB's `.df()`, `read_parquet`)
 * validates with `Model.validate(df)`.
 */

/** Names a column attribute must not take: the module's own names and DataFrameModel's attributes. */
const modelNames = new Set([
  "pa",
  "pd",
  "Series",
  "Config",
  "object",
  "build_schema_",
  "empty",
  "example",
  "get_metadata",
  "pydantic_validate",
  "strategy",
  "to_json",
  "to_json_schema",
  "to_schema",
  "to_yaml",
  "validate",
]);

const fieldReserved: ReadonlySet<string> = {
  has: (name: string) => modelNames.has(name) || name.startsWith("__"),
} as ReadonlySet<string>;

const noNames: ReadonlySet<string> = new Set();

/** pandas dtypes by logical type: numpy ones for required columns, pandas' nullable ones for the others. */
function dtype(logical: string, required: boolean): string {
  switch (logical) {
    case "integer":
      return required ? "int" : "pd.Int64Dtype";
    case "number":
      return "float";
    case "boolean":
      return required ? "bool" : "pd.BooleanDtype";
    case "string":
      return "str";
    case "date":
      return "pa.Date";
    case "timestamp":
      return "pa.DateTime";
    default:
      return "object";
  }
}

class PanderaWriter {
  readonly classes: string[] = [];
  usesPandas = false;
  private readonly classNames = new Set<string>();

  constructor(private readonly ctx: ConvertContext) {}

  model(object: SchemaObject, path: Path): void {
    const [className] = uniquePythonNames([object.name], noNames, "class", this.classNames);
    const list = Array.isArray(object.properties) ? object.properties : [];
    const seen = new Set<string>();
    const kept = list
      .map((p, i) => ({ p, i }))
      .filter(({ p, i }) => {
        if (typeof p?.name !== "string") return false;
        const column = physicalNameOf(p);
        if (!seen.has(column)) return seen.add(column);
        this.ctx.warn(
          [...path, "properties", i, "name"],
          "export-duplicate-name",
          `a second column ${pythonString(column)} is left out`,
        );
        return false;
      });
    const names = uniquePythonNames(
      kept.map(({ p }) => physicalNameOf(p)),
      fieldReserved,
      "field",
    );
    const key = primaryKeyOf(object).map((p) => physicalNameOf(p));
    // One key column is `unique=True` on it; a composite key is unique as a whole (Config.unique).
    const composite = key.length > 1;
    const lines: string[] = [];
    kept.forEach(({ p, i }, n) => {
      const at: Path = [...path, "properties", i];
      lines.push(...this.column(p, names[n] as string, at, key.length === 1));
    });
    (object.quality ?? []).forEach((rule, q) => {
      this.ctx.warn(
        [...path, "quality", q],
        "export-not-representable",
        `quality rule ${pythonString(rule.name ?? rule.metric ?? rule.type ?? String(q))} of ${object.name} is not a pandera check; run it with quanta test`,
      );
    });
    const config = [
      "    class Config:",
      `        name = ${pythonString(object.name)}`,
      "        coerce = True",
      ...(composite ? [`        unique = [${key.map(pythonString).join(", ")}]`] : []),
    ];
    const body = [
      ...(object.description ? [`    ${pythonString(object.description)}`, ""] : []),
      ...(composite ? [`    ${pythonComment(`Primary key: ${key.join(", ")}`)}`] : []),
      ...lines,
      ...(lines.length > 0 ? [""] : []),
      ...config,
    ];
    this.classes.push(`class ${className}(pa.DataFrameModel):\n${body.join("\n")}\n`);
  }

  private column(p: SchemaProperty, field: string, path: Path, soleKey: boolean): string[] {
    const column = physicalNameOf(p);
    const logical = logicalTypeOf(p);
    const required = p.required === true;
    const type = dtype(logical, required);
    if (type.startsWith("pd.")) this.usesPandas = true;
    const options = isObject(p.logicalTypeOptions) ? (p.logicalTypeOptions as Record<string, unknown>) : {};
    const args: string[] = [];
    const comments: string[] = [];
    if (field !== column) args.push(`alias=${pythonString(column)}`);
    let nullable = !required;
    let unique = p.unique === true || (soleKey && p.primaryKey === true);
    if (logical === "integer" || logical === "number") {
      for (const [key, arg] of [
        ["minimum", "ge"],
        ["maximum", "le"],
        ["exclusiveMinimum", "gt"],
        ["exclusiveMaximum", "lt"],
      ] as const) {
        if (options[key] === undefined) continue;
        const n = pythonNumber(options[key]);
        if (n !== undefined) args.push(`${arg}=${n}`);
        else this.notChecked([...path, "logicalTypeOptions", key], `${key} ${String(options[key])} is not a number`);
      }
      if (options.multipleOf !== undefined)
        this.notChecked([...path, "logicalTypeOptions", "multipleOf"], "multipleOf has no built-in pandera check");
      const decimal = decimalOf(p.physicalType);
      if (decimal) comments.push(`DECIMAL(${decimal.precision},${decimal.scale}) read as float`);
    } else if (logical === "string") {
      const min = pythonNumber(options.minLength);
      const max = pythonNumber(options.maxLength);
      if (min !== undefined || max !== undefined) {
        const bounds = [
          ...(min !== undefined ? [`"min_value": ${min}`] : []),
          ...(max !== undefined ? [`"max_value": ${max}`] : []),
        ];
        args.push(`str_length={${bounds.join(", ")}}`);
      }
      if (typeof options.pattern === "string") args.push(patternCheck(options.pattern));
      if (options.format !== undefined)
        this.notChecked(
          [...path, "logicalTypeOptions", "format"],
          `the string format ${pythonString(String(options.format))} is not checked by pandera`,
        );
    } else {
      for (const key of Object.keys(options)) {
        this.notChecked([...path, "logicalTypeOptions", key], `${key} of a ${logical} is not checked by pandera`);
      }
    }
    if (logical === "time") {
      this.notChecked(path, "pandera has no time-of-day dtype; the column is checked as object values only");
    }
    if (logical === "object" || logical === "array") {
      this.notChecked(path, `a ${logical} column holds Python values pandera does not look inside`);
    }
    (p.quality ?? []).forEach((rule, q) => {
      const at: Path = [...path, "quality", q];
      const args_ = isObject(rule.arguments) ? (rule.arguments as Record<string, unknown>) : {};
      const zero = rule.mustBe === 0;
      if (rule.metric === "invalidValues" && zero && Array.isArray(args_.validValues)) {
        const values = args_.validValues.filter((v) => v !== null).map(pythonValue);
        if (values.every((v) => v !== undefined)) args.push(`isin=[${values.join(", ")}]`);
        else this.notChecked(at, "the value set holds values that are not text, numbers or booleans");
      } else if (rule.metric === "invalidValues" && zero && typeof args_.pattern === "string") {
        args.push(patternCheck(args_.pattern));
      } else if (rule.metric === "nullValues" && zero) {
        nullable = false;
      } else if (rule.metric === "duplicateValues" && zero) {
        unique = true;
      } else {
        this.notChecked(
          at,
          `quality rule ${pythonString(rule.name ?? rule.metric ?? rule.type ?? String(q))} is not a pandera check; run it with quanta test`,
        );
      }
    });
    args.push(`nullable=${nullable ? "True" : "False"}`);
    if (unique) args.push("unique=True");
    if (p.businessName) args.push(`title=${pythonString(p.businessName)}`);
    if (p.description) args.push(`description=${pythonString(p.description)}`);
    if (p.primaryKey === true)
      comments.unshift(soleKey ? "primary key" : `primary key, position ${p.primaryKeyPosition ?? "?"}`);
    (p.relationships ?? []).forEach((r, k) => {
      if (r.type !== undefined && r.type !== "foreignKey") return;
      const to = Array.isArray(r.to) ? r.to.join(", ") : String(r.to ?? "");
      comments.push(`references ${to} (not checked: pandera validates one DataFrame)`);
      this.ctx.info(
        [...path, "relationships", k],
        "export-not-representable",
        `the foreign key to ${to} is a comment: pandera validates one DataFrame at a time`,
      );
    });
    const lines = comments.length > 0 ? [`    ${pythonComment(comments.join("; "))}`] : [];
    lines.push(`    ${field}: Series[${type}] = pa.Field(${args.join(", ")})`);
    return lines;
  }

  private notChecked(path: Path, message: string): void {
    this.ctx.warn(path, "export-not-representable", message);
  }
}

/**
 * A regular expression check. ODCS patterns (like JSON Schema's) match anywhere in the value, which
 * is `str_contains` (re.search); an anchored pattern is the same as `str_matches`, which reads better.
 */
function patternCheck(pattern: string): string {
  return pattern.startsWith("^") ? `str_matches=${pythonString(pattern)}` : `str_contains=${pythonString(pattern)}`;
}

function pythonValue(value: unknown): string | undefined {
  if (typeof value === "string") return pythonString(value);
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

/** Text inside a triple-quoted docstring: backslashes and quotes escaped, so nothing ends it early. */
function docText(text: string): string {
  return text
    .replaceAll("\\", "\\\\")
    .replaceAll('"', '\\"')
    .replace(/[\r\u2028\u2029]/g, " ");
}

export function exportPandera(input: ExportInput): ExportResult {
  const ctx = new ConvertContext(input.source);
  const { contract } = input;
  const objects = selectObjects(contract, input.options.schema);
  if (objects.length === 0) {
    ctx.error(["schema"], "export-no-schema", noObjectsMessage(input.options.schema));
    return { files: [], issues: ctx.issues };
  }
  const writer = new PanderaWriter(ctx);
  for (const object of objects) writer.model(object, ["schema", (contract.schema ?? []).indexOf(object)]);
  const purpose = isObject(contract.description) ? contract.description.purpose : undefined;
  const doc = [
    `pandera DataFrame models of data contract ${contract.id} ${contract.version}${contract.name ? ` (${contract.name})` : ""}.`,
    "",
    ...(typeof purpose === "string" && purpose.trim() !== "" ? [purpose.trim(), ""] : []),
    `Exported by Quanta from the ODCS contract's schema objects: ${objects.map((o) => o.name).join(", ")}.`,
    "Validate a pandas DataFrame with Model.validate(df). Do not edit: export the contract again.",
  ];
  const content = [
    `"""${doc.map(docText).join("\n")}\n"""`,
    "",
    ...(writer.usesPandas ? ["import pandas as pd"] : []),
    "import pandera.pandas as pa",
    "from pandera.typing import Series",
    "",
    "",
    writer.classes.join("\n\n"),
  ].join("\n");
  return {
    files: [
      { path: fileName(contract.id, "py").replace(/[.-](?=.*\.py$)/g, "_"), content, mediaType: "text/x-python" },
    ],
    issues: ctx.issues,
  };
}
