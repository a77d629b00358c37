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
import { type Command, Option } from "commander";
import { CommandError, ExitCode } from "../exit-codes.js";
import type { Io, SetExit } from "../io.js";

interface ImportOptions {
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

export function registerImportCommand(program: Command, io: Io, setExit: SetExit): void {
  program
    .command("import")
    .description(
      "convert a DCS data contract to ODCS v3.1.0 or a DPS data product to ODPS v1.0.0 (YAML on stdout, or --output); what does not map is reported as a warning at its line",
    )
    .argument("<file>", "the DCS or DPS document (YAML or JSON)")
    .addOption(
      new Option("--format <format>", "format of the input (detected when omitted)").choices([...importFormats.keys()]),
    )
    .option("-o, --output <file>", "write the converted document to this file instead of stdout")
    .option("--force", "overwrite --output when it exists")
    .action(async (file: string, options: ImportOptions) => {
      const target = options.output ? await checkOutput(io, file, options.output, options.force === true) : undefined;
      const src = await readInput(io, file);
      const chosen = src.readable ? chooseFormat(src, options.format) : undefined;
      if (chosen === undefined || "code" in chosen) {
        printIssuesToStderr(io, chosen ? [...src.issues, chosen] : src.issues);
        setExit(ExitCode.failed);
        return;
      }
      const { value, issues } = chosen.import(src);
      if (hasErrors(issues)) {
        printIssuesToStderr(io, issues);
        setExit(ExitCode.failed);
        return;
      }
      const text = toYamlText(value);
      // A conversion that the official schema rejects is a Quanta bug; never hand it to the user as valid.
      const check = validateSchema(SourceDocument.parse(text, options.output ?? "<stdout>"), chosen.target);
      const invalid = check.filter((i) => i.severity === "error");
      printIssuesToStderr(io, [...issues, ...invalid.map((i) => ({ ...i, code: `import-output-${i.code}` }))]);
      if (invalid.length > 0) {
        setExit(ExitCode.failed);
        return;
      }
      if (target && options.output) {
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, text, { flag: options.force ? "w" : "wx" });
        io.err(`wrote ${options.output} (${chosen.target.toUpperCase()})`);
      } else {
        io.out(text);
      }
      setExit(ExitCode.ok);
    });
}
