import { mkdir, readFile, realpath, stat, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import {
  detectImportFormat,
  formatIssue,
  getImportFormat,
  hasErrors,
  type ImportFormat,
  type Issue,
  importFormats,
  SourceDocument,
  sortIssues,
  sourceLimits,
  toYamlText,
  validateSchema,
} from "@quanta/core";
import { CommandError, ExitCode } from "../exit-codes.js";
import type { Io } from "../io.js";

export interface ImportOptions {
  format?: string;
  output?: string;
  force?: boolean;
}

async function readInput(io: Io, file: string): Promise<SourceDocument> {
  const absolute = resolve(io.cwd, file);
  const info = await stat(absolute).catch((error: NodeJS.ErrnoException) => {
    throw new CommandError(
      error.code === "ENOENT" ? `no such file or directory: ${file}` : `cannot read ${file}: ${error.message}`,
    );
  });
  if (!info.isFile()) throw new CommandError(`${file}: not a file`);
  if (info.size > sourceLimits.maxBytes) {
    return SourceDocument.failed(
      file,
      "file-too-large",
      `file is ${(info.size / 1024 / 1024).toFixed(1)} MiB; the limit is ${sourceLimits.maxBytes / 1024 / 1024} MiB`,
    );
  }
  return SourceDocument.fromBytes(await readFile(absolute), file);
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

function chooseFormat(src: SourceDocument, name: string | undefined): ImportFormat | Issue {
  if (name !== undefined) {
    const format = getImportFormat(name);
    if (!format) throw new CommandError(`unknown format ${name}; known: ${[...importFormats.keys()].join(", ")}`);
    return format;
  }
  return (
    detectImportFormat(src) ??
    src.at(
      [],
      "import-unknown-format",
      "error",
      `not a document quanta import can convert (${[...importFormats.values()].map((f) => f.name).join(", ")}); pass --format`,
    )
  );
}

/** `quanta import FILE`: converts a DCS/DPS document to ODCS/ODPS; exit 1 when it cannot be converted. */
export async function runImport(io: Io, file: string, options: ImportOptions): Promise<ExitCode> {
  const target = options.output ? await checkOutput(io, file, options.output, options.force === true) : undefined;
  const src = await readInput(io, file);
  const chosen = src.readable ? chooseFormat(src, options.format) : undefined;
  if (chosen === undefined || "code" in chosen) {
    printIssuesToStderr(io, chosen ? [...src.issues, chosen] : src.issues);
    return ExitCode.failed;
  }
  const { value, issues } = chosen.import(src);
  if (hasErrors(issues)) {
    printIssuesToStderr(io, issues);
    return ExitCode.failed;
  }
  const text = toYamlText(value);
  // A conversion that the official schema rejects is a Quanta bug; never hand it to the user as valid.
  const check = validateSchema(SourceDocument.parse(text, options.output ?? "<stdout>"), chosen.target);
  const invalid = check.filter((i) => i.severity === "error");
  printIssuesToStderr(io, [...issues, ...invalid.map((i) => ({ ...i, code: `import-output-${i.code}` }))]);
  if (invalid.length > 0) {
    return ExitCode.failed;
  }
  if (target && options.output) {
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text, { flag: options.force ? "w" : "wx" });
    io.err(`wrote ${options.output} (${chosen.target.toUpperCase()})`);
  } else {
    io.out(text);
  }
  return ExitCode.ok;
}
