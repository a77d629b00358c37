import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import type { ResultColumn, RowSource } from "./result-column.js";

/** CSV field per RFC 4180: quoted when it holds a comma, quote or line break; an empty string quoted, so it differs from NULL. */
export function csvField(v: string): string {
  return v === "" ? '""' : /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** A CSV cell from the server's text of a value: booleans as `true`/`false`, NULL as nothing. */
function csvCell(column: ResultColumn): (v: string | null) => string {
  if (column.oid === 16) return (v) => (v === null ? "" : v === "t" ? "true" : "false");
  return (v) => (v === null ? "" : csvField(v));
}

async function write(out: WriteStream, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, "drain");
}

async function close(out: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

export interface Written {
  rows: number;
  /** A row past `limit` was read: the result goes on. */
  truncated: boolean;
}

/**
 * Writes at most `limit` rows into `file`: CSV (a header, RFC 4180 records, CRLF line ends) or the
 * JSON array of the rows' objects (each row one JSON object the server wrote with `row_to_json`).
 * The statement reads one row past the limit, which tells a complete result from a truncated one.
 */
export async function writeText(
  next: RowSource,
  format: "json" | "csv",
  columns: readonly ResultColumn[],
  limit: number,
  file: string,
): Promise<Written> {
  const out = createWriteStream(file);
  const failed = once(out, "error").then(([e]) => {
    throw e;
  });
  failed.catch(() => undefined);
  let rows = 0;
  let truncated = false;
  const cells = columns.map(csvCell);
  try {
    await Promise.race([
      failed,
      (async () => {
        if (format === "csv") await write(out, `${columns.map((c) => csvField(c.name)).join(",")}\r\n`);
        else await write(out, "[");
        while (!truncated) {
          const batch = await next();
          if (batch === undefined) break;
          let chunk = "";
          for (const row of batch) {
            if (rows === limit) {
              truncated = true;
              break;
            }
            if (format === "json") chunk += `${rows === 0 ? "\n" : ",\n"}${row[0]}`;
            else {
              let line = "";
              for (let i = 0; i < cells.length; i++) line += (i === 0 ? "" : ",") + cells[i]!(row[i] ?? null);
              chunk += `${line}\r\n`;
            }
            rows++;
          }
          await write(out, chunk);
        }
        if (format === "json") await write(out, "\n]");
        await close(out);
      })(),
    ]);
    return { rows, truncated };
  } catch (e) {
    out.destroy();
    throw e;
  }
}
