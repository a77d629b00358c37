import { InputError } from "../errors.js";
import { detectImportFormat } from "../formats/registry.js";
import { formatIssue, type Issue } from "../issues.js";
import type { DocumentKind } from "../spec/kinds.js";
import { loadDocument } from "../spec/load-document.js";
import type { SourceDocument } from "../spec/source.js";
import type { Change } from "./change.js";
import { type ChangeSeverity, highestSeverity } from "./change-table.js";
import { diffContracts } from "./contract-diff.js";
import { diffProducts } from "./product-diff.js";
import { isObj, str } from "./values.js";
import { announcedSeverity, isSemver, suggestVersion, versionSatisfies } from "./version.js";

/** The standards Quanta diffs natively; DCS and DPS are converted to these first. */
export type DiffStandard = "odcs" | "odps";

export interface DiffReport {
  standard: DiffStandard;
  /** Highest severity of all changes; `none` when the documents say the same. */
  severity: ChangeSeverity | "none";
  /** `version` of the old document. */
  previousVersion: string | null;
  /** `version` declared by the new document. */
  currentVersion: string | null;
  /** The least version the new document should carry, from the old version and the severity. */
  suggestedVersion: string | null;
  /** The new version announces at least the severity of the changes (pre-1.0 rule included). */
  versionOk: boolean;
  changes: Change[];
  /** Warnings about the inputs (invalid documents, versions that are not semver, conversion notes). */
  issues: Issue[];
}

const differs: Record<DiffStandard, (before: unknown, after: unknown) => Change[]> = {
  odcs: diffContracts,
  odps: diffProducts,
};

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

const registryConvert: Converter = (src) => detectImportFormat(src)?.import(src);

/** Diffs two plain values of the same standard. */
export function diffValues(standard: DiffStandard, before: unknown, after: unknown): Change[] {
  return differs[standard](before, after);
}

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

/** The report for two plain values (already of one standard). */
export function buildReport(
  standard: DiffStandard,
  before: unknown,
  after: unknown,
  issues: Issue[] = [],
  files: { before: string; after: string } = { before: "", after: "" },
): DiffReport {
  const changes = diffValues(standard, before, after);
  const severity = highestSeverity(changes.map((c) => c.severity));
  const previousVersion = versionOf(before);
  const currentVersion = versionOf(after);
  for (const [v, which] of [
    [previousVersion, "old"],
    [currentVersion, "new"],
  ] as const) {
    if (v === null) {
      issues.push(
        issue(which === "new" ? files.after : files.before, "version-missing", `the ${which} document has no version`),
      );
    } else if (!isSemver(v)) {
      issues.push(
        issue(
          which === "new" ? files.after : files.before,
          "version-not-semver",
          `the ${which} version ${JSON.stringify(v)} is not a semantic version (MAJOR.MINOR.PATCH); cannot check or suggest versions`,
        ),
      );
    }
  }
  const suggestedVersion = previousVersion === null ? null : (suggestVersion(previousVersion, severity) ?? null);
  let versionOk: boolean;
  if (previousVersion === null || currentVersion === null) versionOk = severity === "none";
  else if (severity === "none")
    versionOk = previousVersion === currentVersion || announcedSeverity(previousVersion, currentVersion) !== undefined;
  else versionOk = versionSatisfies(previousVersion, currentVersion, severity);
  return { standard, severity, previousVersion, currentVersion, suggestedVersion, versionOk, changes, issues };
}

function versionOf(value: unknown): string | null {
  if (typeof value !== "object" || value === null) return null;
  return str((value as Record<string, unknown>).version) ?? null;
}

function issue(file: string, code: string, message: string): Issue {
  return { code, severity: "warning", message, file, line: 0, column: 0, path: "version" };
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
