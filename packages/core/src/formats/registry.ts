import { detectKind } from "../spec/kinds.js";
import type { SourceDocument } from "../spec/source.js";
import { importDcs } from "./dcs/import.js";
import { importDps } from "./dps/import.js";
import type { ImportFormat } from "./import-format.js";

export type { ImportFormat, ImportResult } from "./import-format.js";

const builtins: readonly ImportFormat[] = [
  {
    name: "dcs",
    description: "Data Contract Specification 0.9.x to 1.2.1 (datacontract.com), converted to ODCS v3.1.0",
    target: "odcs",
    detect: (src) => detectKind(src.value)?.kind === "dcs",
    import: importDcs,
  },
  {
    name: "dps",
    description: "Data Product Specification 0.0.1, converted to ODPS v1.0.0",
    target: "odps",
    detect: (src) => detectKind(src.value)?.kind === "dps",
    import: importDps,
  },
];

/** Formats keyed by name; later formats (avro, sql ddl, dbt, ...) register the same way. */
export const importFormats: ReadonlyMap<string, ImportFormat> = new Map(builtins.map((f) => [f.name, f]));

export function getImportFormat(name: string): ImportFormat | undefined {
  return importFormats.get(name.toLowerCase());
}

/** The first format whose `detect` accepts the document, if any. */
export function detectImportFormat(src: SourceDocument): ImportFormat | undefined {
  for (const format of importFormats.values()) if (format.detect?.(src)) return format;
  return undefined;
}
