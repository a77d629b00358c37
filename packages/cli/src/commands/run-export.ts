import { mkdir, stat, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import {
  type ExportFile,
  exportFormats,
  exportWithFormat,
  type Format,
  formatIssue,
  getFormat,
  hasErrors,
  type Issue,
  loadDocument,
  SourceDocument,
  sortIssues,
} from "@quanta/core";
import { CommandError, ExitCode } from "../exit-codes.js";
import type { Io } from "../io.js";
import { isUrl, readSource } from "./read-source.js";

export interface ExportOptions {
  format: string;
  dialect?: string;
  schema?: string;
  product?: string;
  option?: Record<string, string>;
  output?: string;
  force?: boolean;
}

function printIssues(io: Io, issues: readonly Issue[]): void {
  for (const issue of sortIssues(issues)) io.err(formatIssue(issue));
}

function namedFormat(name: string): Format {
  const format = getFormat(name);
  if (!format?.exporter) {
    throw new CommandError(`unknown format ${name}; known: ${exportFormats.map((f) => f.name).join(", ")}`);
  }
  return format;
}

async function readDocumentFile(io: Io, file: string): Promise<SourceDocument | Issue> {
  const read = await readSource(io, file);
  if ("code" in read) return read;
  return SourceDocument.fromBytes(read.bytes, read.file);
}

/**
 * The ODPS product given with --product, as plain data, with the `pipeline.yaml` beside it (when
 * there is one) as `pipeline`: formats that drive the product (airflow) read its schedule there.
 * Problems in either are the user's to fix first.
 */
async function readProduct(io: Io, file: string): Promise<Record<string, unknown> | Issue[]> {
  const src = await readDocumentFile(io, file);
  if ("code" in src) return [src];
  const loaded = loadDocument(src);
  if (hasErrors(loaded.issues)) return loaded.issues;
  if (loaded.kind !== "odps") {
    return [
      src.at([], "export-product-not-odps", "error", "--product must be an ODPS data product (kind: DataProduct)"),
    ];
  }
  const product = { ...(loaded.value as unknown as Record<string, unknown>) };
  const pipelineFile = join(dirname(file), "pipeline.yaml");
  if (!isUrl(file) && (await stat(resolve(io.cwd, pipelineFile)).catch(() => undefined))?.isFile()) {
    const pipeline = await readDocumentFile(io, pipelineFile);
    if ("code" in pipeline) return [pipeline];
    if (!pipeline.readable) return pipeline.issues;
    product.pipeline = pipeline.value;
  }
  return product;
}

const asBytes = (content: string | Uint8Array) => (typeof content === "string" ? content : Buffer.from(content));

/** Every file lands inside the output folder: an exporter's path never climbs out of it. */
function placeIn(folder: string, file: ExportFile): string {
  const target = resolve(folder, file.path);
  const inside = relative(folder, target);
  if (inside === "" || inside.startsWith(`..${sep}`) || inside === ".." || isAbsolute(inside)) {
    throw new CommandError(`export file path ${JSON.stringify(file.path)} leaves the output folder`);
  }
  return target;
}

async function refuseExisting(paths: readonly string[], shown: (p: string) => string, force: boolean): Promise<void> {
  if (force) return;
  for (const path of paths) {
    if (await stat(path).catch(() => undefined)) {
      throw new CommandError(`${shown(path)} already exists; pass --force to overwrite it`);
    }
  }
}

/** `quanta export --format F CONTRACT`: the contract in another format; exit 1 when it cannot be written. */
export async function runExport(io: Io, contract: string, options: ExportOptions): Promise<ExitCode> {
  const format = namedFormat(options.format);
  const src = await readDocumentFile(io, contract);
  if ("code" in src) {
    printIssues(io, [src]);
    return ExitCode.failed;
  }
  let product: Record<string, unknown> | undefined;
  if (options.product !== undefined) {
    const read = await readProduct(io, options.product);
    if (Array.isArray(read)) {
      printIssues(io, read);
      return ExitCode.failed;
    }
    product = read;
  }
  const given = {
    ...(options.option ?? {}),
    ...(options.dialect !== undefined ? { dialect: options.dialect } : {}),
    ...(options.schema !== undefined ? { schema: options.schema } : {}),
  };
  const result = await exportWithFormat(format, src, given, product);
  printIssues(io, result.issues);
  if (hasErrors(result.issues)) return ExitCode.failed;
  const { files } = result;
  const first = files[0];
  if (first === undefined) throw new CommandError(`${format.name} wrote nothing for ${contract}`, ExitCode.failed);
  if (options.output === undefined) {
    if (files.length > 1) {
      throw new CommandError(
        `${format.name} writes ${files.length} files (${files.map((f) => f.path).join(", ")}); pass --output DIR`,
      );
    }
    if (typeof first.content !== "string") {
      throw new CommandError(`${format.name} writes a binary file (${first.mediaType}); pass --output FILE`);
    }
    io.out(first.content);
    return ExitCode.ok;
  }
  const output = resolve(io.cwd, options.output);
  const shown = (p: string) => relative(io.cwd, p) || p;
  if (files.length === 1) {
    if ((await stat(output).catch(() => undefined))?.isDirectory()) {
      throw new CommandError(`${options.output} is a directory; give a file name`);
    }
    await refuseExisting([output], shown, options.force === true);
    await mkdir(dirname(output), { recursive: true });
    await writeFile(output, asBytes(first.content));
    io.err(`wrote ${shown(output)}`);
    return ExitCode.ok;
  }
  const targets = files.map((file) => placeIn(output, file));
  await refuseExisting(targets, shown, options.force === true);
  for (const [i, file] of files.entries()) {
    const target = targets[i] as string;
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, asBytes(file.content));
  }
  io.err(`wrote ${files.length} files under ${shown(output)}: ${files.map((f) => f.path).join(", ")}`);
  return ExitCode.ok;
}
