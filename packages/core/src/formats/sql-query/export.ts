import { selectObjects } from "../contract-view.js";
import { ConvertContext } from "../convert-context.js";
import type { ExportInput, ExportResult } from "../format.js";
import { dialects, type SqlDialectName } from "../sql/dialects.js";
import { sqlTargets } from "../sql/export.js";
import { inputIssue } from "../text-source.js";

/** `SELECT "col", … FROM "table";` for each schema object (or the one named), in one dialect. */
export function exportSqlQuery(
  input: ExportInput,
  dialectName: SqlDialectName,
  schema: string | undefined,
): ExportResult {
  const d = dialects[dialectName];
  const objects = selectObjects(input.contract, schema);
  if (objects.length === 0) {
    const message =
      schema === undefined
        ? "the contract has no schema objects to select from"
        : `the contract has no schema object named ${JSON.stringify(schema)}`;
    return { files: [], issues: [inputIssue(input.source.file, "sql-query-no-object", message)] };
  }
  const ctx = new ConvertContext(input.source);
  // The names the sql export gives tables and columns, so the queries read the tables it creates.
  const targets = sqlTargets(Array.isArray(input.contract.schema) ? input.contract.schema : [], d);
  const queries: string[] = [];
  for (const object of objects) {
    const target = targets.find((t) => t.object === object);
    if (!target) continue;
    const columns = [...target.columns.values()].map((name) => d.quote(name));
    if (columns.length === 0) {
      ctx.warn(
        ["schema", target.index, "name"],
        "sql-query-no-columns",
        `${object.name} has no properties; selecting every column`,
      );
    }
    const list = columns.length > 0 ? `\n  ${columns.join(",\n  ")}\n` : " *\n";
    queries.push(`SELECT${list}FROM ${d.quote(target.table)};`);
  }
  const base = (input.contract.id ?? "contract").replace(/[^\w.-]+/g, "_");
  const suffix =
    schema === undefined ? "" : `.${(objects[0]?.physicalName ?? objects[0]?.name ?? "").replace(/[^\w.-]+/g, "_")}`;
  return {
    files: [
      {
        path: `${base}${suffix}.${dialectName}.query.sql`,
        content: `${queries.join("\n\n")}\n`,
        mediaType: "application/sql",
      },
    ],
    issues: ctx.issues,
  };
}
