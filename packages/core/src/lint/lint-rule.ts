import type { Issue, Path, Severity } from "../issues.js";
import type { DocumentKind } from "../spec/kinds.js";
import type { Position, SourceDocument } from "../spec/source.js";

/** What a product folder knows that a single file does not: the contracts beside the ODPS file. */
export interface ProductContext {
  /** Contract `id` → file it was found in. */
  contractIds: ReadonlyMap<string, string>;
  /** Contract `id` → its `version` (when it has one as text). */
  contractVersions?: ReadonlyMap<string, string>;
  /** Contracts of other products linted in the same run (a mesh folder): input ports resolve here too. */
  upstreamContractIds?: ReadonlyMap<string, string>;
}

export interface LintContext {
  src: SourceDocument;
  value: unknown;
  kind: DocumentKind;
  /** Present only when linting a data product folder (cross-file checks). */
  product?: ProductContext;
  /**
   * Other contracts a reference may name (ODCS RFC 0009a, `<file>#<path>`), by file name, path and
   * contract id: the contracts beside this one in its folder, and those the registry knows.
   */
  contracts?: ReadonlyMap<string, unknown>;
  /**
   * Reports an issue with this rule's code and severity at the node (or its key), or at `position`
   * when the rule knows a finer place inside the node (e.g. inside an SQL query).
   */
  report(path: Path, message: string, opts?: { key?: boolean; position?: Position }): void;
}

/**
 * One semantic check beyond the JSON Schema. One code per row, so the rule list in the docs and
 * the codes users see are the same thing.
 */
export interface LintRule {
  code: string;
  severity: Severity;
  description: string;
  check(ctx: LintContext): void;
}

/** Runs rules over one document; a rule that meets data it cannot read skips it, never throws. */
export function runRules(rules: readonly LintRule[], base: Omit<LintContext, "report">): Issue[] {
  const issues: Issue[] = [];
  for (const rule of rules) {
    const ctx: LintContext = {
      ...base,
      report: (path, message, opts = {}) => {
        const issue = base.src.at(path, rule.code, rule.severity, message, opts);
        if (opts.position) Object.assign(issue, opts.position);
        issues.push(issue);
      },
    };
    try {
      rule.check(ctx);
    } catch (error) {
      // A bug in a rule must not hide the other rules' findings; surface it as an issue instead.
      issues.push({
        code: "lint-internal-error",
        severity: "error",
        message: `rule ${rule.code} failed: ${(error as Error)?.message ?? String(error)}`,
        file: base.src.file,
        line: 0,
        column: 0,
        path: "",
      });
    }
  }
  return issues;
}
