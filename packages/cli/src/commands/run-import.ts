import { mkdir, realpath, stat, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import {
  detectImportFormat,
  type Format,
  formatIssue,
  getFormat,
  hasErrors,
  type ImportEnvironment,
  type ImportInput,
  type Issue,
  importFormats,
  importWithFormat,
  inputIssue,
  readDocument,
  sortIssues,
  toYamlText,
} from "@quanta/core";
import { CommandError, ExitCode } from "../exit-codes.js";
import type { Io } from "../io.js";
import { isUrl, readSource } from "./read-source.js";

export interface ImportOptions {
  format?: string;
  dialect?: string;
  option?: Record<string, string>;
  output?: string;
  force?: boolean;
}

/** Refuses to overwrite an existing file (or the input itself) before any work is done. */
async function checkOutput(io: Io, input: string, output: string, force: boolean): Promise<string> {
  const target = resolve(io.cwd, output);
  const existing = await stat(target).catch(() => undefined);
  if (existing?.isDirectory()) throw new CommandError(`${output} is a directory; give a file name`);
  if (existing) {
    const same = !isUrl(input) && (await realpath(target)) === (await realpath(resolve(io.cwd, input)).catch(() => ""));
    if (same) throw new CommandError(`--output ${output} is the input file; write the conversion to a new file`);
    if (!force) throw new CommandError(`${output} already exists; pass --force to overwrite it`);
  }
  return target;
}

function printIssuesToStderr(io: Io, issues: readonly Issue[]): void {
  for (const issue of sortIssues(issues)) io.err(formatIssue(issue));
}

function namedFormat(name: string): Format {
  const format = getFormat(name);
  if (!format?.importer) {
    throw new CommandError(`unknown format ${name}; known: ${importFormats.map((f) => f.name).join(", ")}`);
  }
  return format;
}

/** Sources that are data where it lives (a database URL, data files), named without reading them. */
function dataFormatOf(source: string): Format | undefined {
  const name = /^postgres(ql)?:\/\//i.test(source)
    ? "postgres"
    : /\.parquet$/i.test(source)
      ? "parquet"
      : /\.(csv|tsv)(\.gz)?$/i.test(source)
        ? "csv"
        : /\.(jsonl|ndjson)(\.gz)?$/i.test(source)
          ? "json"
          : /\.(duckdb|ddb)$/i.test(source)
            ? "duckdb"
            : undefined;
  const format = name === undefined ? undefined : getFormat(name);
  return format?.importer?.input === "data" ? format : undefined;
}

function detect(input: ImportInput): Format | Issue {
  const detected = detectImportFormat(input);
  if (detected) return detected;
  const message = `not a document quanta import recognises; pass --format (one of ${importFormats.map((f) => f.name).join(", ")})`;
  const src = readDocument(input);
  if (input.bytes.byteLength > 0 && !src.readable && /\.(ya?ml|json)$/i.test(input.file)) {
    return src.issues[0] ?? inputIssue(input.file, "import-unknown-format", message);
  }
  return src.readable
    ? src.at([], "import-unknown-format", "error", message)
    : inputIssue(input.file, "import-unknown-format", message);
}

/** What the data importers read through: the engine registry, loaded only when data is imported. */
async function environmentFor(format: Format, io: Io, password: string | undefined): Promise<ImportEnvironment> {
  if (format.importer?.input !== "data") return {};
  const { dataImportEnvironment } = await import("@quanta/platform");
  return dataImportEnvironment({ baseDir: io.cwd, env: process.env, password });
}

/** A password in a database URL is taken out of it, so that no message or contract can show it. */
function splitPassword(source: string): { location: string; password?: string } {
  // Taken apart by hand, to the last `@`: a password may hold an unencoded `/` or `@`, which URL
  // parsing would split into host and path (and then show).
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)@([^@]*)$/is.exec(source);
  const userinfo = m?.[2];
  if (!m || userinfo === undefined || !userinfo.includes(":")) return { location: source };
  const colon = userinfo.indexOf(":");
  const raw = userinfo.slice(colon + 1);
  let password = raw;
  try {
    password = decodeURIComponent(raw);
  } catch {
    // Not percent-encoded: the text is the password.
  }
  return { location: `${m[1]}${userinfo.slice(0, colon)}@${m[3]}`, password };
}

/**
 * A contract inferred from files names them as the user did, relative to where the import ran;
 * `quanta test` resolves a server's path against the contract's folder, so a contract written
 * elsewhere (`-o contracts/orders.odcs.yaml`) gets its paths rewritten relative to that folder.
 */
function rebase(contract: Record<string, unknown>, from: string, to: string): Record<string, unknown> {
  if (!Array.isArray(contract.servers)) return contract;
  const servers = contract.servers.map((server: Record<string, unknown>) => {
    const out = { ...server };
    for (const key of ["path", "database"]) {
      const value = out[key];
      if (typeof value !== "string" || isAbsolute(value) || /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) continue;
      if (key === "database" && out.type !== "duckdb") continue;
      out[key] = relative(to, resolve(from, value)) || ".";
    }
    return out;
  });
  return { ...contract, servers };
}

/** `quanta import SOURCE`: converts a document, a schema or real data to ODCS/ODPS; exit 1 when it cannot. */
export async function runImport(io: Io, source: string, options: ImportOptions): Promise<ExitCode> {
  const target = options.output ? await checkOutput(io, source, options.output, options.force === true) : undefined;
  let format = options.format !== undefined ? namedFormat(options.format) : dataFormatOf(source);
  let input: ImportInput;
  let password: string | undefined;
  if (format?.importer?.input === "data") {
    const split = format.name === "postgres" ? splitPassword(source) : { location: source };
    password = split.password;
    input = { file: split.location, bytes: new Uint8Array() };
  } else {
    const read = await readSource(io, source);
    if ("code" in read) {
      printIssuesToStderr(io, [read]);
      return ExitCode.failed;
    }
    input = read;
    if (!format) {
      const found = detect(input);
      if ("code" in found) {
        printIssuesToStderr(io, [found]);
        return ExitCode.failed;
      }
      format = found;
    }
  }
  const given = { ...(options.option ?? {}), ...(options.dialect !== undefined ? { dialect: options.dialect } : {}) };
  const outcome = await importWithFormat(
    format,
    input,
    given,
    await environmentFor(format, io, password),
    options.output ?? "<stdout>",
  );
  printIssuesToStderr(io, outcome.issues);
  let text = outcome.text;
  if (hasErrors(outcome.issues) || text === undefined) return ExitCode.failed;
  if (target && format.importer?.input === "data") text = toYamlText(rebase(outcome.value, io.cwd, dirname(target)));
  if (target && options.output) {
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text, { flag: options.force ? "w" : "wx" });
    io.err(`wrote ${options.output} (${format.importer?.target.toUpperCase()})`);
  } else {
    io.out(text);
  }
  return ExitCode.ok;
}
