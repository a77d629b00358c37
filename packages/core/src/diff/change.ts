import type { Path } from "../issues.js";
import type { ChangeKind, ChangeSeverity } from "./change-table.js";

/** One classified difference between two versions of a contract or data product. */
export interface Change {
  /** Readable location; array items by their key: `schema[orders].properties[id].logicalType`. */
  path: string;
  kind: ChangeKind;
  severity: ChangeSeverity;
  message: string;
  /** The old and new values (undefined when absent on that side). */
  before: unknown;
  after: unknown;
  /** Index paths into the old and new documents, so tools can point at a line. */
  at: { before?: Path; after?: Path };
}
