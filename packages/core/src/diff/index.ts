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
export {
  buildReport,
  type Converter,
  type DiffOptions,
  type DiffReport,
  type DiffStandard,
  diffDocuments,
  diffValues,
} from "./diff-documents.js";
export { diffProducts, portVersionBreaks } from "./product-diff.js";
export { announcedSeverity, type Bump, isSemver, requiredBump, suggestVersion, versionSatisfies } from "./version.js";
