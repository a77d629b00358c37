import { scalarText as str } from "../read.js";
/** The four document standards Quanta reads. */
export type DocumentKind = "odcs" | "odps" | "dcs" | "dps";

export const documentKinds: readonly DocumentKind[] = ["odcs", "odps", "dcs", "dps"];

/** `name.odps.yaml` / `name.odcs.json` … : what a file in a product folder says it is. */
export function declaredKind(path: string): "odps" | "odcs" | undefined {
  const m = /\.(odps|odcs)\.(ya?ml|json)$/i.exec(path);
  return m ? (m[1]?.toLowerCase() as "odps" | "odcs") : undefined;
}

/**
 * Which standard a parsed document claims to follow, from its discriminating top-level keys.
 * ODCS/ODPS: `kind` + `apiVersion`; DCS: `dataContractSpecification`; DPS: `dataProductSpecification`.
 */
export function detectKind(value: unknown): { kind: DocumentKind; version: string | undefined } | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (v.kind === "DataContract") return { kind: "odcs", version: str(v.apiVersion) };
  if (v.kind === "DataProduct") return { kind: "odps", version: str(v.apiVersion) };
  if ("dataContractSpecification" in v) return { kind: "dcs", version: str(v.dataContractSpecification) };
  if ("dataProductSpecification" in v) return { kind: "dps", version: str(v.dataProductSpecification) };
  return undefined;
}
