import type { Issue } from "../../issues.js";
import type { SourceDocument } from "../../spec/source.js";
import { ConvertContext, type JsonObject } from "../convert-context.js";
import type { FormatOptions, ImportResult } from "../format.js";
import { snakeCase } from "../names.js";
import { placeItems, type QualityItem, splitReference } from "./quality-items.js";
import { convertSodaDocument } from "./soda-checks.js";

/**
 * A SodaCL checks file → an ODCS contract with one schema object per table named in
 * `checks for …`, its properties the columns the checks name (types only where a schema check
 * states them), and every check an executable rule where ODCS has one.
 */
export function importSodaCl(src: SourceDocument, options: FormatOptions): ImportResult {
  const ctx = new ConvertContext(src);
  const sections = convertSodaDocument(ctx, src.value, []);
  if (ctx.issues.some((i) => i.severity === "error")) return { value: {}, issues: [...src.issues, ...ctx.issues] };
  if (sections.length === 0) {
    ctx.error([], "sodacl-empty", "no `checks for <table>:` section: there are no checks to convert");
    return { value: {}, issues: [...src.issues, ...ctx.issues] };
  }
  const byTable = new Map<string, QualityItem[]>();
  for (const s of sections) byTable.set(s.table, [...(byTable.get(s.table) ?? []), ...s.items]);
  // A reference check needs the table it points at, with the referenced column.
  for (const items of [...byTable.values()]) {
    for (const item of items) {
      if (!item.reference) continue;
      const { table, column } = splitReference(item.reference);
      const target = byTable.get(table) ?? [];
      if (!target.some((i) => i.property === column)) target.push({ path: item.path, property: column, column: {} });
      byTable.set(table, target);
    }
  }
  const schema: JsonObject[] = [];
  for (const [table, items] of byTable) {
    const object: JsonObject = { name: table, physicalType: "table" };
    placeItems(object, items);
    schema.push(object);
  }
  const id = options.id ?? (snakeCase(baseName(src.file)) || "sodacl");
  const value: JsonObject = {
    apiVersion: "v3.1.0",
    kind: "DataContract",
    id,
    name: id,
    version: options.version ?? "1.0.0",
    status: "draft",
    schema,
  };
  const issues: Issue[] = [...src.issues, ...ctx.issues];
  return { value, issues };
}

function baseName(file: string): string {
  const last = file.split(/[\\/]/).pop() ?? file;
  return last.replace(/\.(sodacl\.)?(ya?ml|json)$/i, "").replace(/\.sodacl$/i, "");
}
