import { open, stat } from "node:fs/promises";
import { basename, dirname, isAbsolute, resolve } from "node:path";
import {
  type Connection,
  type DataInspectionRequest,
  EngineError,
  InputError,
  type InspectedData,
  NotFoundError,
  UnavailableError,
} from "@quanta/core";
import { installedEngines } from "../engines/installed-engines.js";
import { observedKey, scanColumns } from "./scan-columns.js";

type Env = Readonly<Record<string, string | undefined>>;
type FileSource = Exclude<DataInspectionRequest["source"], "postgres" | "duckdb">;

const titles: Record<FileSource, string> = { parquet: "Parquet", csv: "CSV", json: "JSON" };
const hasWildcard = (path: string) => /[*?[{]/.test(path);
const isRemote = (path: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(path);

/** `data/orders.parquet` → `orders`; `data/orders/*.parquet` → `orders`; `events_*.json` → `events`. */
export function datasetNameOf(location: string): string {
  const parts = location
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, "")
    .split(/[/\\]+/)
    .filter(Boolean);
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i] as string;
    const stem = part
      .replace(/\.(gz|zst|zstd)$/i, "")
      .replace(/\.[a-z0-9]+$/i, "")
      .replace(/[*?[\]{}].*$/s, "")
      .replace(/[-_. ]+$/, "");
    if (stem !== "" && !hasWildcard(stem)) return stem;
  }
  return "data";
}

/** The first bytes of a file, to tell a Parquet file or a text file from something else before the engine sees it. */
async function head(path: string, size: number): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(size);
    const { bytesRead } = await handle.read(buffer, 0, size, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const delimiters = [",", ";", "\t", "|"];
const shown = (d: string) => (d === "\t" ? "tabs" : JSON.stringify(d));

/**
 * Why the start of a file is not CSV, or undefined: every record must have as many fields as the
 * header, with the delimiter the header uses (quotes honoured, blank lines skipped). DuckDB would
 * read such a file as one column of text lines, which is no table at all.
 */
export function csvShapeProblem(text: string, complete: boolean): string | undefined {
  const records: { line: number; fields: number }[] = [];
  const firstLine = text.split(/\r?\n/, 1)[0] ?? "";
  const delimiter = delimiters
    .map((d) => ({ d, n: firstLine.split(d).length }))
    .sort((a, b) => b.n - a.n)
    .find((c) => c.n > 1)?.d;
  if (delimiter === undefined) return undefined;
  let line = 1;
  let start = 1;
  let fields = 1;
  let quoted = false;
  let quoteLine = 0;
  let empty = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      if (!quoted) quoteLine = line;
      quoted = !quoted;
      empty = false;
    } else if (c === "\n") {
      line++;
      if (!quoted) {
        if (!empty) records.push({ line: start, fields });
        start = line;
        fields = 1;
        empty = true;
      }
    } else if (!quoted && c === delimiter) {
      fields++;
      empty = false;
    } else if (c !== "\r") empty = false;
  }
  if (complete && !quoted && !empty) records.push({ line: start, fields });
  const header = records[0];
  const odd = header === undefined ? undefined : records.find((r) => r.fields !== header.fields);
  if (complete && quoted && (odd === undefined || odd.line > quoteLine))
    return `the quote opened on line ${quoteLine} is never closed`;
  if (header === undefined || odd === undefined) return undefined;
  return `line ${odd.line} has ${odd.fields} field${odd.fields === 1 ? "" : "s"} where the header (line ${header.line}) has ${header.fields}, separated by ${shown(delimiter)}`;
}

/** A precise refusal of one named local file that is not what its format says, or undefined. */
async function checkFile(source: FileSource, location: string, path: string): Promise<void> {
  const found = await stat(path).catch(() => undefined);
  if (found === undefined) throw new NotFoundError(`no file ${location}`, { code: "data-not-found" });
  if (found.isDirectory())
    throw new InputError(`${location} is a folder; give a file or a glob such as ${location}/*.${source}`, {
      code: "data-not-a-file",
    });
  if (found.size === 0) throw new InputError(`${location} is empty`, { code: "data-empty-file" });
  // Compressed text (`.csv.gz`) is DuckDB's to unpack; only its reading can tell.
  if (/\.(gz|zst|zstd)$/i.test(path)) return;
  const bytes = await head(path, 8192);
  if (source === "parquet") {
    if (bytes.subarray(0, 4).toString("latin1") !== "PAR1")
      throw new InputError(`${location} is not a Parquet file (it does not start with PAR1)`, {
        code: "data-not-parquet",
      });
    return;
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0)
    throw new InputError(`${location} is a binary file, not ${titles[source]} text (a NUL byte at offset ${nul})`, {
      code: "data-binary-file",
    });
  if (source === "csv") {
    const complete = found.size <= bytes.length;
    const problem = csvShapeProblem(bytes.toString("utf8"), complete);
    if (problem !== undefined) throw new InputError(`${location} is not CSV: ${problem}`, { code: "data-not-csv" });
  }
  if (source === "json") {
    const first = bytes.toString("utf8").trimStart().charAt(0);
    if (first !== "{" && first !== "[")
      throw new InputError(
        `${location} is not JSON data: it starts with ${JSON.stringify(first)}, not an object or an array of objects`,
        { code: "data-not-json" },
      );
  }
}

/** DuckDB's words for "nothing there" and "not this format", as a user can act on them. */
function readError(source: FileSource, location: string, path: string, e: unknown): Error {
  const text = e instanceof Error ? e.message : String(e);
  // The engine names the resolved path; the user gave the location.
  const first = (text.split("\n")[0]?.trim() ?? text).replace(/^[A-Za-z ]*Error: /, "").replaceAll(path, location);
  if (/No files found that match the pattern/i.test(text))
    return new NotFoundError(`no file matches ${location}`, { code: "data-not-found" });
  if (/No such file|does not exist|cannot open file/i.test(text))
    return new NotFoundError(`no file ${location}`, { code: "data-not-found" });
  return new InputError(`cannot read ${location} as ${titles[source]}: ${first}`, { code: "data-unreadable" });
}

/**
 * Reads Parquet, CSV or JSON files (a path or glob, relative to `baseDir`) as one dataset through
 * the engine the registry serves `local` servers with: its columns and types, then one scan.
 */
export async function inspectFiles(
  source: FileSource,
  request: DataInspectionRequest,
  baseDir: string,
  env: Env,
): Promise<InspectedData> {
  const location = request.location.trim();
  if (location === "")
    throw new InputError(`give the ${titles[source]} file to read (a path or a glob)`, { code: "data-no-location" });
  const local = !isRemote(location);
  const path = local && !isAbsolute(location) ? resolve(baseDir, location) : location;
  if (local && !hasWildcard(location)) await checkFile(source, location, path);
  if (local && hasWildcard(location)) {
    // The folder before the first wildcard must exist, or the glob can match nothing.
    const root = path.slice(0, path.search(/[*?[{]/));
    const folder = root.endsWith("/") ? root : dirname(root);
    if ((await stat(folder).catch(() => undefined))?.isDirectory() !== true)
      throw new NotFoundError(`no file matches ${location} (there is no folder ${basename(folder)})`, {
        code: "data-not-found",
      });
  }
  const name = request.options.name?.trim() || datasetNameOf(location);
  const maxValues = Number(request.options.values ?? 20);
  const server = { server: "local", type: "local", path: location, format: source };
  const engine = installedEngines.forType("local");
  if (engine === undefined) throw new UnavailableError("no installed engine reads local files");
  const factory = await engine.load();
  let conn: Connection;
  try {
    conn = await factory({ server, objects: [{ name }], baseDir, env });
  } catch (e) {
    throw readError(source, location, path, e);
  }
  try {
    let columns: Awaited<ReturnType<Connection["introspect"]>>;
    try {
      columns = await conn.introspect(name);
    } catch (e) {
      throw readError(source, location, path, e);
    }
    if (columns === undefined || columns.length === 0)
      throw new InputError(`${location} has no columns`, { code: "data-no-columns" });
    let scanned: Awaited<ReturnType<typeof scanColumns>>;
    try {
      scanned = await scanColumns(conn, conn.relation(name), columns, maxValues);
    } catch (e) {
      if (e instanceof EngineError) throw readError(source, location, path, e);
      throw e;
    }
    const key = observedKey(conn, scanned);
    return {
      server,
      datasets: [
        {
          name,
          rowCount: scanned.rowCount,
          columns: scanned.columns,
          ...(key !== undefined ? { primaryKey: [key], keysObserved: true } : {}),
        },
      ],
    };
  } finally {
    await conn.close();
  }
}
