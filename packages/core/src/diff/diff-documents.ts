import { InputError } from "../errors.js";
import { importDcs } from "../formats/dcs/import.js";
import { importDps } from "../formats/dps/import.js";
import { formatIssue, type Issue } from "../issues.js";
import type { DocumentKind } from "../spec/kinds.js";
import { detectKind } from "../spec/kinds.js";
import { loadDocument } from "../spec/load-document.js";
import type { SourceDocument } from "../spec/source.js";
import { buildReport, type DiffReport, type DiffStandard } from "./build-report.js";
import { isObj } from "./values.js";

const names: Record<DocumentKind, string> = {
  odcs: "an ODCS data contract",
  odps: "an ODPS data product",
  dcs: "a DCS data contract",
  dps: "a DPS data product",
};

/** What a foreign standard converts to. */
const targets: Record<DocumentKind, DiffStandard> = { odcs: "odcs", odps: "odps", dcs: "odcs", dps: "odps" };

export type Converter = (src: SourceDocument) => { value: unknown; issues: Issue[] } | undefined;

export interface DiffOptions {
  /** Converts DCS → ODCS and DPS → ODPS; Quanta's import format registry by default. */
  convert?: Converter;
}

/** DCS and DPS documents are compared as the ODCS and ODPS they convert to. */
const registryConvert: Converter = (src) => {
  const kind = detectKind(src.value)?.kind;
  return kind === "dcs" ? importDcs(src) : kind === "dps" ? importDps(src) : undefined;
};

/**
 * Diffs two parsed documents: checks they are readable and of one standard (converting DCS/DPS),
 * diffs them, ranks the result and judges the version. Throws `InputError` when the two cannot be
 * compared at all; everything else is a warning in `issues`.
 */
export function diffDocuments(before: SourceDocument, after: SourceDocument, options: DiffOptions = {}): DiffReport {
  const issues: Issue[] = [];
  const b = comparable(before, options, issues);
  const a = comparable(after, options, issues);
  if (b.standard !== a.standard) {
    throw new InputError(
      `cannot compare ${names[b.kind]} (${before.file}) with ${names[a.kind]} (${after.file}): both must be contracts or both data products`,
    );
  }
  return buildReport(b.standard, b.value, a.value, issues, { before: before.file, after: after.file });
}

function comparable(
  src: SourceDocument,
  options: DiffOptions,
  issues: Issue[],
): { kind: DocumentKind; standard: DiffStandard; value: unknown } {
  if (!src.readable) {
    const first = src.issues.find((i) => i.severity === "error");
    throw new InputError(first ? `cannot read ${formatIssue(first)}` : `cannot read ${src.file}`);
  }
  const loaded = loadDocument(src);
  if (loaded.kind === undefined) {
    throw new InputError(
      `${src.file} is not a data contract or data product (expected kind: DataContract or DataProduct, dataContractSpecification or dataProductSpecification)`,
    );
  }
  const { kind } = loaded;
  const standard = targets[kind];
  const invalid = loaded.issues.filter((i) => i.severity === "error");
  if (invalid.length > 0) {
    const first = invalid[0] as Issue;
    issues.push({
      ...first,
      code: "diff-invalid-document",
      severity: "warning",
      message: `${names[kind]} that does not conform to its schema (${invalid.length} problem(s), first: ${first.message}); diffed anyway, run quanta lint`,
    });
  }
  if (kind === standard) {
    // Normalized (ODCS v3.0 → v3.1 shapes) so an upgrade of the standard is not a wall of changes;
    // the declared apiVersion is kept so the upgrade itself is still reported.
    const value = loaded.value as unknown;
    const declared = (src.value as Record<string, unknown>).apiVersion;
    return { kind, standard, value: isObj(value) ? { ...value, apiVersion: declared } : value };
  }
  const converted = (options.convert ?? registryConvert)(src);
  if (!converted)
    throw new InputError(`${src.file}: cannot convert ${names[kind]} to ${standard.toUpperCase()} for diffing`);
  for (const i of converted.issues) if (i.severity === "error") issues.push({ ...i, severity: "warning" });
  return { kind, standard, value: converted.value };
}
