/**
 * `@quanta/core/diff`: diffing plain documents, the severity table, versions and changelogs. Light
 * enough for the browser; `diffDocuments` (which reads, validates and converts files) is in the
 * root entry.
 */

export { buildReport, type DiffReport, type DiffStandard, diffValues } from "./build-report.js";
export type { Change } from "./change.js";
export {
  type ChangeKind,
  type ChangeRank,
  type ChangeSeverity,
  changeKinds,
  changeTable,
  highestSeverity,
  severityRank,
} from "./change-table.js";
export { escapeMarkdown, renderChangelog } from "./changelog.js";
export { diffContracts } from "./contract-diff.js";
export { diffProducts, portVersionBreaks } from "./product-diff.js";
export { announcedSeverity, type Bump, isSemver, requiredBump, suggestVersion, versionSatisfies } from "./version.js";
