import { hasErrors, type Issue } from "../issues.js";
import { loadDocument } from "../spec/load-document.js";
import type { DataContract } from "../spec/odcs/model.js";
import { SourceDocument } from "../spec/source.js";
import type {
  ExportFile,
  ExportResult,
  Format,
  FormatOption,
  FormatOptions,
  ImportEnvironment,
  ImportInput,
  ImportResult,
} from "./format.js";
import { formats } from "./registry.js";
import { inputIssue } from "./text-source.js";
import { toYamlText } from "./yaml-output.js";

/**
 * Checks given options against a direction's declared ones and fills in defaults. Unknown names
 * and values outside `choices` are errors naming what is accepted.
 */
export function resolveOptions(
  declared: readonly FormatOption[] | undefined,
  given: FormatOptions,
  where: { file: string; format: string },
): { options: FormatOptions; issues: Issue[] } {
  const issues: Issue[] = [];
  const known = new Map((declared ?? []).map((o) => [o.name, o]));
  const options: Record<string, string | undefined> = {};
  for (const option of declared ?? []) if (option.default !== undefined) options[option.name] = option.default;
  for (const [name, value] of Object.entries(given)) {
    if (value === undefined) continue;
    const option = known.get(name);
    if (!option) {
      const accepted = [...known.keys()];
      issues.push(
        inputIssue(
          where.file,
          "format-option-unknown",
          `${where.format} has no option ${JSON.stringify(name)}; ${accepted.length ? `known: ${accepted.join(", ")}` : "it takes none"}`,
        ),
      );
      continue;
    }
    if (option.choices && !option.choices.includes(value)) {
      issues.push(
        inputIssue(
          where.file,
          "format-option-invalid",
          `${where.format} option ${name} must be one of ${option.choices.join(", ")}; got ${JSON.stringify(value)}`,
        ),
      );
      continue;
    }
    options[name] = value;
  }
  return { options, issues };
}

/** File name endings that name a format when no detector recognises the content. */
const formatByExtension: readonly [RegExp, string][] = [
  [/\.sql$/i, "sql"],
  [/\.avsc$/i, "avro"],
  [/\.proto$/i, "protobuf"],
  [/\.dbml$/i, "dbml"],
  [/\.xlsx$/i, "excel"],
  [/\.parquet$/i, "parquet"],
  [/\.(csv|tsv)(\.gz)?$/i, "csv"],
  [/\.(jsonl|ndjson)(\.gz)?$/i, "json"],
  [/\.(duckdb|ddb)$/i, "duckdb"],
];

/**
 * The format of an input: the first whose importer recognises the content, else the one its file
 * name ends with (`orders.sql`), if any.
 */
export function detectImportFormat(input: ImportInput): Format | undefined {
  for (const format of formats) {
    try {
      if (format.importer?.detect?.(input)) return format;
    } catch {
      // A detector that throws does not recognise the input.
    }
  }
  const path = input.file.replace(/[?#].*$/, "");
  for (const [ending, name] of formatByExtension) {
    const format = formats.find((f) => f.name === name && f.importer);
    if (ending.test(path) && format) return format;
  }
  return undefined;
}

export interface ImportOutcome extends ImportResult {
  /** The document as YAML, present when the import succeeded. */
  text?: string;
}

/**
 * Imports one input with a format and checks the result the way a user would: the official schema
 * of the target standard, then lint. A result the schema rejects is a Quanta bug and is never handed
 * out as valid (its issues carry `import-output-`); lint warnings are passed on.
 */
export async function importWithFormat(
  format: Format,
  input: ImportInput,
  given: FormatOptions,
  env: ImportEnvironment = {},
  outputName = "<output>",
): Promise<ImportOutcome> {
  const importer = format.importer;
  if (!importer) {
    return {
      value: {},
      issues: [inputIssue(input.file, "format-no-import", `${format.name} is an export format only`)],
    };
  }
  const { options, issues: optionIssues } = resolveOptions(importer.options, given, {
    file: input.file,
    format: format.name,
  });
  if (optionIssues.length > 0) return { value: {}, issues: optionIssues };
  let result: ImportResult;
  try {
    result = await importer.run(input, options, env);
  } catch (error) {
    return { value: {}, issues: [failed(input.file, format.name, "import", error)] };
  }
  if (hasErrors(result.issues)) return result;
  if (Object.keys(result.value).length === 0) {
    const nothing = inputIssue(
      input.file,
      "import-empty",
      `there is nothing in this input to convert as ${format.name}`,
    );
    return { value: {}, issues: [...result.issues, nothing] };
  }
  const text = toYamlText(result.value);
  // The linter (and its SQL parser) loads only when an import has produced something to lint.
  const { lintDocument } = await import("../lint/lint-document.js");
  const checked = lintDocument(SourceDocument.parse(text, outputName));
  const invalid = checked.filter((i) => i.severity === "error").map((i) => ({ ...i, code: `import-output-${i.code}` }));
  const warnings = checked.filter((i) => i.severity !== "error");
  const issues = [...result.issues, ...invalid, ...warnings];
  return invalid.length > 0 ? { value: result.value, issues } : { value: result.value, issues, text };
}

/**
 * Exports an ODCS contract (any version Quanta reads) with a format. A document that is not a
 * valid ODCS contract is refused with its schema issues: exporters can rely on the v3.1 shape.
 */
export async function exportWithFormat(
  format: Format,
  source: SourceDocument,
  given: FormatOptions,
  product?: Record<string, unknown>,
): Promise<ExportResult> {
  const exporter = format.exporter;
  if (!exporter) {
    return {
      files: [],
      issues: [inputIssue(source.file, "format-no-export", `${format.name} is an import format only`)],
    };
  }
  const loaded = loadDocument(source);
  if (hasErrors(loaded.issues)) return { files: [], issues: loaded.issues };
  if (loaded.kind !== "odcs") {
    return {
      files: [],
      issues: [
        inputIssue(
          source.file,
          "format-export-not-odcs",
          `export reads an ODCS data contract; this is ${loaded.kind === undefined ? "not one" : `a ${loaded.kind.toUpperCase()} document`}${loaded.kind === "dcs" ? " (convert it first: quanta import --format dcs)" : ""}`,
        ),
      ],
    };
  }
  // `schema` (one schema object) works for every format: those that do not take it themselves get
  // the contract with only that object.
  const takesSchema = exporter.options?.some((o) => o.name === "schema") === true;
  const { schema: only, ...rest } = given;
  const { options, issues } = resolveOptions(exporter.options, takesSchema ? given : rest, {
    file: source.file,
    format: format.name,
  });
  if (issues.length > 0) return { files: [], issues };
  let contract = loaded.value as DataContract;
  if (!takesSchema && only !== undefined) {
    const objects = (contract.schema ?? []).filter((o) => o.name === only || o.physicalName === only);
    if (objects.length === 0) {
      const known = (contract.schema ?? []).map((o) => o.name).join(", ") || "none";
      return {
        files: [],
        issues: [
          inputIssue(
            source.file,
            "format-schema-unknown",
            `the contract has no schema object ${JSON.stringify(only)}; it has: ${known}`,
          ),
        ],
      };
    }
    contract = { ...contract, schema: objects };
  }
  let result: ExportResult;
  try {
    result = await exporter.run({ contract, source, options, ...(product ? { product } : {}) });
  } catch (error) {
    return { files: [], issues: [failed(source.file, format.name, "export", error)] };
  }
  const placed = placeFiles(result.files, source.file);
  return { files: placed.files, issues: [...loaded.issues, ...result.issues, ...placed.issues] };
}

/** A converter that throws is a Quanta bug: said as an error of the input, never a crash or a 500. */
function failed(file: string, format: string, direction: "import" | "export", error: unknown): Issue {
  const reason = error instanceof Error ? error.message : String(error);
  return inputIssue(
    file,
    `format-${direction}-failed`,
    `the ${format} ${direction} failed on this input (a bug in Quanta; please report it): ${reason}`,
  );
}

/** Characters no file system takes in a name (Windows' list, the strictest), and control characters. */
const unsafeInName = /[<>:"\\|?*\u0000-\u001f]/g;

/**
 * Export file paths made safe to write anywhere: each segment without characters a file system
 * refuses, never `.` or `..` or hidden, and no two paths equal ignoring case (a case-insensitive
 * disk would keep one of them). A renamed path is said as a warning.
 */
export function placeFiles(
  files: readonly ExportFile[],
  contractFile: string,
): { files: ExportFile[]; issues: Issue[] } {
  const taken = new Set<string>();
  const issues: Issue[] = [];
  const out = files.map((file) => {
    const segments = file.path.split(/[\\/]+/).filter((s) => s !== "" && s !== ".");
    const safe = segments.map((s) => {
      const cleaned = s.replace(unsafeInName, "_").replace(/[. ]+$/, "");
      return cleaned === "" || cleaned === ".." ? "_" : cleaned.replace(/^\./, "_");
    });
    let path = safe.join("/") || "export";
    const base = path.lastIndexOf("/") + 1;
    const dot = path.lastIndexOf(".");
    const [stem, ending] = dot > base ? [path.slice(0, dot), path.slice(dot)] : [path, ""];
    for (let n = 2; taken.has(path.toLowerCase()); n++) path = `${stem}-${n}${ending}`;
    taken.add(path.toLowerCase());
    if (path !== file.path) {
      issues.push(
        inputIssue(
          contractFile,
          "export-file-renamed",
          `file ${JSON.stringify(file.path)} is written as ${path}`,
          "warning",
        ),
      );
    }
    return path === file.path ? file : { ...file, path };
  });
  return { files: out, issues };
}
