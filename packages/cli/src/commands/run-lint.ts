import { lstat, readdir, readFile, realpath, stat } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import {
  declaredKind,
  detectKind,
  hasErrors,
  type Issue,
  lintPipeline,
  SourceDocument,
  sourceLimits,
} from "@quanta/core";
import { lintDocument, lintProductSources } from "@quanta/core/lint";
import { CommandError, ExitCode } from "../exit-codes.js";
import type { Io } from "../io.js";
import { type IssueFormat, printIssues } from "../output.js";

/** Bounds on walking a folder, so a wrong argument (`/`, a home directory) ends quickly. */
const walkLimits = { maxDepth: 12, maxFiles: 2000 };
const skipped = new Set(["node_modules", ".git"]);

/** Reads a file as bytes, refusing oversized files before reading them. */
async function readSource(absolute: string, shown: string): Promise<SourceDocument> {
  const info = await stat(absolute);
  if (info.size > sourceLimits.maxBytes) {
    return SourceDocument.failed(
      shown,
      "file-too-large",
      `file is ${(info.size / 1024 / 1024).toFixed(1)} MiB; the limit is ${sourceLimits.maxBytes / 1024 / 1024} MiB`,
    );
  }
  return SourceDocument.fromBytes(await readFile(absolute), shown);
}

/**
 * The `*.odps.*` / `*.odcs.*` files under `root` (YAML or JSON), skipping node_modules and .git,
 * and symlinks that lead outside `root`.
 */
async function productFiles(io: Io, root: string, shownRoot: string): Promise<string[]> {
  const rootReal = await realpath(root);
  const found: string[] = [];
  const visit = async (dir: string, depth: number): Promise<void> => {
    if (depth > walkLimits.maxDepth) return;
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (skipped.has(entry.name)) continue;
      const path = join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await realpath(path).catch(() => undefined);
        if (target === undefined || (target !== rootReal && !target.startsWith(rootReal + sep))) {
          io.err(`quanta: skipped ${join(shownRoot, relative(root, path))}: symlink leads outside ${shownRoot}`);
          continue;
        }
        const info = await stat(target);
        isDir = info.isDirectory();
        isFile = info.isFile();
      }
      if (isDir) await visit(path, depth + 1);
      else if (isFile && declaredKind(entry.name)) {
        if (found.length >= walkLimits.maxFiles)
          throw new CommandError(
            `${shownRoot}: more than ${walkLimits.maxFiles} contract and product files; lint a smaller folder`,
          );
        found.push(path);
      }
    }
  };
  await visit(root, 0);
  return found;
}

/**
 * A folder may be one data product or a tree of them: every folder holding an `*.odps.*` file is
 * a product, and owns the `*.odcs.*` contracts beneath it (not claimed by a deeper product).
 */
async function lintFolder(io: Io, root: string, shownRoot: string): Promise<Issue[]> {
  const files = await productFiles(io, root, shownRoot);
  const shown = (p: string) => join(shownRoot, relative(root, p));
  const productDirs = files.filter((f) => declaredKind(f) === "odps").map(dirname);
  const owner = (file: string): string | undefined => {
    let best: string | undefined;
    for (const dir of productDirs) {
      if ((file.startsWith(dir + sep) || dirname(file) === dir) && (!best || dir.length > best.length)) best = dir;
    }
    return best;
  };
  const groups = new Map<string, string[]>();
  const loose: string[] = [];
  for (const file of files) {
    const dir = owner(file);
    if (dir === undefined) loose.push(file);
    else groups.set(dir, [...(groups.get(dir) ?? []), file]);
  }
  const sources = new Map<string, SourceDocument>();
  for (const file of files) sources.set(file, await readSource(file, shown(file)));
  // Every contract in the walked tree: upstream products' contracts resolve input ports.
  const meshContracts = new Map<string, string>();
  for (const src of sources.values()) {
    const value = src.readable ? src.value : undefined;
    const id = typeof value === "object" && value !== null ? (value as Record<string, unknown>).id : undefined;
    if (detectKind(value)?.kind === "odcs" && typeof id === "string" && !meshContracts.has(id))
      meshContracts.set(id, src.file);
  }
  const issues: Issue[] = [];
  if (groups.size === 0) {
    issues.push({
      code: "product-odps-missing",
      severity: "error",
      message: `no data product here: a product folder holds one *.odps.yaml (kind: DataProduct) and its *.odcs.yaml contracts (also .yml/.json); found ${files.length} contract file(s)`,
      file: shownRoot,
      line: 0,
      column: 0,
      path: "",
    });
  }
  const read = (f: string) => sources.get(f) as SourceDocument;
  for (const [dir, group] of groups) {
    const unread = group.map(read).filter((src) => declaredKind(src.file) === "odcs" && !src.readable);
    issues.push(...lintProductSources(group.map(read), shown(dir), meshContracts).map((i) => pointAtUnread(i, unread)));
    // The product's pipeline (ADR 0029), checked against the product's ports.
    for (const name of ["pipeline.yaml", "pipeline.yml"]) {
      const file = join(dir, name);
      if (!(await stat(file).catch(() => undefined))?.isFile()) continue;
      const product = group.map(read).find((src) => declaredKind(src.file) === "odps");
      issues.push(...lintPipeline(await readSource(file, shown(file)), product?.readable ? product.value : undefined));
    }
  }
  for (const file of loose) issues.push(...lintDocument(read(file)));
  return issues;
}

const unresolvedContract: ReadonlySet<string> = new Set([
  "output-port-contract-unresolved",
  "input-port-contract-unresolved",
]);

/**
 * A contract file that does not parse has no id, so a port naming it reads as "the folder has no
 * contract". When the folder holds such a file, the issue says so and points at the parse error,
 * which is reported at its own file:line:column as well.
 */
function pointAtUnread(issue: Issue, unread: readonly SourceDocument[]): Issue {
  if (unread.length === 0 || !unresolvedContract.has(issue.code)) return issue;
  const at = unread.map((src) => {
    const first = src.issues.find((i) => i.severity === "error");
    return first ? `${first.file}:${first.line}:${first.column}` : src.file;
  });
  const unparsed = `${at.join(", ")} ${at.length === 1 ? "does" : "do"} not parse, so its contract id is unknown`;
  const listed = / \((the folder has no contract|contracts here: .*)\)$/.exec(issue.message);
  const readable = listed?.[1]?.startsWith("contracts here") ? `${listed[1]}; ` : "";
  const base = listed ? issue.message.slice(0, listed.index) : issue.message;
  return { ...issue, message: `${base} (${readable}${unparsed})` };
}

async function lintPaths(io: Io, paths: readonly string[]): Promise<Issue[]> {
  const targets = await Promise.all(
    paths.map(async (p) => {
      const absolute = resolve(io.cwd, p);
      const info = await lstat(absolute).catch((error: NodeJS.ErrnoException) => {
        throw new CommandError(
          error.code === "ENOENT" ? `no such file or directory: ${p}` : `cannot read ${p}: ${error.message}`,
        );
      });
      const resolved = info.isSymbolicLink() ? await stat(absolute) : info;
      if (!resolved.isFile() && !resolved.isDirectory()) throw new CommandError(`${p}: not a file or directory`);
      return { absolute, shown: p, isDir: resolved.isDirectory() };
    }),
  );
  const issues: Issue[] = [];
  for (const t of targets) {
    if (t.isDir) issues.push(...(await lintFolder(io, t.absolute, t.shown)));
    else issues.push(...lintDocument(await readSource(t.absolute, t.shown)));
  }
  return issues;
}

/** `quanta lint PATHS`: prints every issue; exit 1 when any is an error. */
export async function runLint(io: Io, paths: readonly string[], format: IssueFormat): Promise<ExitCode> {
  const issues = await lintPaths(io, paths);
  printIssues(io, issues, format);
  return hasErrors(issues) ? ExitCode.failed : ExitCode.ok;
}
