import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { type DiffReport, diffDocuments, SourceDocument, sourceLimits } from "@quanta/core";
import { CommandError } from "./exit-codes.js";
import { readAtRevision } from "./git.js";
import type { Io } from "./io.js";

/** Options shared by `diff`, `breaking` and `changelog`. */
export interface DiffInputOptions {
  base?: string;
}

async function readFileSource(io: Io, file: string): Promise<SourceDocument> {
  const absolute = resolve(io.cwd, file);
  const info = await stat(absolute).catch(() => undefined);
  if (!info) throw new CommandError(`no such file: ${file}`);
  if (info.isDirectory()) throw new CommandError(`${file} is a folder; give a contract or product file`);
  if (info.size > sourceLimits.maxBytes) {
    throw new CommandError(
      `${file} is ${(info.size / 1024 / 1024).toFixed(1)} MiB; the limit is ${sourceLimits.maxBytes / 1024 / 1024} MiB`,
    );
  }
  return SourceDocument.fromBytes(await readFile(absolute), file);
}

/**
 * `OLD NEW` (two files) or `--base REV FILE` (the file at a git revision against the working tree),
 * read, checked and diffed. Anything that stops the comparison is a `CommandError` (exit 2).
 */
export async function diffInputs(
  io: Io,
  files: string[],
  options: DiffInputOptions,
): Promise<{ report: DiffReport; before: SourceDocument; after: SourceDocument }> {
  let before: SourceDocument;
  let after: SourceDocument;
  if (options.base !== undefined) {
    if (files.length !== 1)
      throw new CommandError("with --base, give exactly one file: quanta diff --base main contracts/orders.odcs.yaml");
    const file = files[0] as string;
    const old = await readAtRevision(io.cwd, options.base, file);
    before = SourceDocument.fromBytes(old.bytes, old.shown);
    after = await readFileSource(io, file);
  } else {
    if (files.length !== 2) throw new CommandError("give two files (OLD NEW), or one file with --base <git revision>");
    before = await readFileSource(io, files[0] as string);
    after = await readFileSource(io, files[1] as string);
  }
  try {
    return { report: diffDocuments(before, after), before, after };
  } catch (error) {
    if (error instanceof Error && error.name === "InputError") throw new CommandError(error.message);
    throw error;
  }
}
