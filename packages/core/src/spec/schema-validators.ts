import type { CompiledValidator } from "./compiled-validator.js";
import * as dcs from "./generated/dcs-validator.js";
import * as dps from "./generated/dps-validator.js";
import * as odcs from "./generated/odcs-validator.js";
import * as odps from "./generated/odps-validator.js";
import type { DocumentKind } from "./kinds.js";

export interface OfficialSchema {
  /** Standard name and version of the schema, e.g. `ODCS v3.1.0`. */
  title: string;
  validate: CompiledValidator;
  /** The official JSON Schema document itself. */
  schema: unknown;
}

/** The official schema of each kind, compiled ahead of time (scripts/generate-validators.mjs). */
export const officialSchemas: Record<DocumentKind, OfficialSchema> = {
  odcs: { title: "ODCS v3.1.0", ...odcs },
  odps: { title: "ODPS v1.0.0", ...odps },
  dcs: { title: "DCS 1.2.1", ...dcs },
  dps: { title: "DPS 0.0.1", ...dps },
};
