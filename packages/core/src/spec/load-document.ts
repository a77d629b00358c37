import type { Issue } from "../issues.js";
import { type DocumentKind, detectKind } from "./kinds.js";
import type { DataContract } from "./odcs/model.js";
import { normalizeOdcs } from "./odcs/normalize.js";
import type { DataProduct } from "./odps/model.js";
import { normalizeOdps } from "./odps/normalize.js";
import type { SourceDocument } from "./source.js";
import { validateSchema } from "./validate.js";

/** DCS and DPS are read as they are (other code converts them); their shape is the schema's. */
export type DcsDocument = Record<string, unknown> & { dataContractSpecification: string };
export type DpsDocument = Record<string, unknown> & { dataProductSpecification?: string };

interface Loaded<K extends DocumentKind, V> {
  kind: K;
  /** The version the document declares (`apiVersion`, or the DCS/DPS specification version). */
  version: string | undefined;
  /** Normalized to the current model (ODCS v3.1, ODPS v1.0). Trust it only without error issues. */
  value: V;
  /** Parse and schema issues. */
  issues: Issue[];
}

export type LoadedDocument =
  | Loaded<"odcs", DataContract>
  | Loaded<"odps", DataProduct>
  | Loaded<"dcs", DcsDocument>
  | Loaded<"dps", DpsDocument>
  | { kind: undefined; version: undefined; value: unknown; issues: Issue[] };

const normalizers: Record<DocumentKind, (value: unknown) => unknown> = {
  odcs: normalizeOdcs,
  odps: normalizeOdps,
  dcs: (v) => v,
  dps: (v) => v,
};

/** The single entry to read a file: which standard, its value in our model, and every issue. */
export function loadDocument(src: SourceDocument): LoadedDocument {
  const issues = [...src.issues];
  if (!src.readable) return { kind: undefined, version: undefined, value: undefined, issues };
  const detected = detectKind(src.value);
  if (!detected) {
    issues.push(
      src.at(
        [],
        "document-kind-unknown",
        "error",
        "not a data contract or data product: expected `kind: DataContract` (ODCS), `kind: DataProduct` (ODPS), `dataContractSpecification` (DCS) or `dataProductSpecification` (DPS)",
      ),
    );
    return { kind: undefined, version: undefined, value: src.value, issues };
  }
  issues.push(...validateSchema(src, detected.kind));
  return {
    kind: detected.kind,
    version: detected.version,
    value: normalizers[detected.kind](src.value),
    issues,
  } as LoadedDocument;
}
