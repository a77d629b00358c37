import { mkdir, readFile, realpath, stat, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import {
  detectImportFormat,
  type Format,
  formatIssue,
  getFormat,
  hasErrors,
  type ImportInput,
  type Issue,
  importFormats,
  importWithFormat,
  inputIssue,
  readDocument,
  sortIssues,
  sourceLimits,
} from "@quanta/core";
import { CommandError, ExitCode } from "../exit-codes.js";
import type { Io } from "../io.js";

export interface ImportOptions {
  format?: string;
  output?: string;
  force?: boolean;
}

async function readInput(io: Io, file: string): Promise<ImportInput | Issue> {
  const absolute = resolve(io.cwd, file);
  const info = await stat(absolute).catch((error: NodeJS.ErrnoException) => {
    throw new CommandError(
      error.code === "ENOENT" ? `no such file or directory: ${file}` : `cannot read ${file}: ${error.message}`,
    );
  });
  if (!info.isFile()) throw new CommandError(`${file}: not a file`);
  if (info.size > sourceLimits.maxBytes) {
    return inputIssue(
      file,
      "file-too-large",
      `file is ${(info.size / 1024 / 1024).toFixed(1)} MiB; the limit is ${sourceLimits.maxBytes / 1024 / 1024} MiB`,
    );
  }
  return { file, bytes: await readFile(absolute) };
}

/** Refuses to overwrite an existing file (or the input itself) before any work is done. */
async function checkOutput(io: Io, input: string, output: string, force: boolean): Promise<string> {
  const target = resolve(io.cwd, output);
  const existing = await stat(target).catch(() => undefined);
  if (existing?.isDirectory()) throw new CommandError(`${output} is a directory; give a file name`);
  if (existing) {
    const same = (await realpath(target)) === (await realpath(resolve(io.cwd, input)));
    if (same) throw new CommandError(`--output ${output} is the input file; write the conversion to a new file`);
    if (!force) throw new CommandError(`${output} already exists; pass --force to overwrite it`);
  }
  return target;
}

function printIssuesToStderr(io: Io, issues: readonly Issue[]): void {
  for (const issue of sortIssues(issues)) io.err(formatIssue(issue));
}

function chooseFormat(input: ImportInput, name: string | undefined): Format | Issue {
  if (name !== undefined) {
    const format = getFormat(name);
    if (!format?.importer)
      throw new CommandError(`unknown format ${name}; known: ${importFormats.map((f) => f.name).join(", ")}`);
    return format;
  }
  const detected = detectImportFormat(input);
  if (detected) return detected;
  const message = `not a document quanta import can convert (${importFormats.map((f) => f.name).join(", ")}); pass --format`;
  const src = readDocument(input);
  if (!src.readable) return src.issues[0] ?? inputIssue(input.file, "import-unknown-format", message);
  return src.at([], "import-unknown-format", "error", message);
}

/** `quanta import FILE`: converts a DCS/DPS document to ODCS/ODPS; exit 1 when it cannot be converted. */
export async function runImport(io: Io, file: string, options: ImportOptions): Promise<ExitCode> {
  const target = options.output ? await checkOutput(io, file, options.output, options.force === true) : undefined;
  const input = await readInput(io, file);
  const chosen = "code" in input ? input : chooseFormat(input, options.format);
  if ("code" in input || "code" in chosen) {
    printIssuesToStderr(io, ["code" in input ? input : (chosen as Issue)]);
    return ExitCode.failed;
  }
  const outcome = await importWithFormat(chosen as Format, input, {}, {}, options.output ?? "<stdout>");
  printIssuesToStderr(io, outcome.issues);
  const text = outcome.text;
  if (hasErrors(outcome.issues) || text === undefined) return ExitCode.failed;
  if (target && options.output) {
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text, { flag: options.force ? "w" : "wx" });
    io.err(`wrote ${options.output} (${(chosen as Format).importer?.target.toUpperCase()})`);
  } else {
    io.out(text);
  }
  return ExitCode.ok;
}
