import type { LogicalType } from "../../spec/odcs/model.js";
import { logicalTypeOf } from "../contract-view.js";

/** The logical type of a DBML column type (a database's own spelling), with items for `text[]`. */
export function logicalOfDbType(typeName: string): { logicalType: LogicalType; items?: Record<string, unknown> } {
  const element = /^(.*?)\s*\[\]$/.exec(typeName)?.[1];
  if (element !== undefined) {
    return {
      logicalType: "array",
      items: { logicalType: logicalOfDbType(element).logicalType, physicalType: element },
    };
  }
  const logicalType = logicalTypeOf({ physicalType: typeName });
  return { logicalType: logicalType === "array" ? "string" : logicalType };
}

/** The declared length of `varchar(n)`, `char(n)`, `character varying(n)`, `nvarchar(n)`. */
export function maxLengthOf(typeName: string): number | undefined {
  const m = /^\s*(?:n?varchar2?|n?char|character(?:\s+varying)?|string)\s*\(\s*(\d+)\s*\)\s*$/i.exec(typeName);
  return m ? Number(m[1]) : undefined;
}

/** `dir/shop.dbml` → `shop`; the name a contract gets when its input names none. */
export function baseName(file: string): string {
  const last = file.split(/[\\/]/).pop() ?? file;
  return last.replace(/\.[^.]*$/, "") || "imported";
}
