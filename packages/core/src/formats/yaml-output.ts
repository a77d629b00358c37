import { Document } from "yaml";

/**
 * YAML text of a converted document. Keys keep their insertion order (the converters build
 * objects in the order of the official examples); long strings are never folded, multi-line
 * strings become literal blocks.
 */
export function toYamlText(value: unknown): string {
  // Shared values (a definition used by two fields) are written out twice, never as YAML aliases.
  const doc = new Document(value, { version: "1.2", aliasDuplicateObjects: false });
  return doc.toString({ lineWidth: 0, minContentWidth: 0, indentSeq: true });
}
