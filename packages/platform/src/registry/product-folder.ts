import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { InputError } from "@quanta/core";
import type { ProductFile } from "./publish-product.js";

/** A product's documents: ODPS, ODCS, and its pipeline (`pipeline.yaml` or `<name>.pipeline.yaml`, ADR 0029). */
const documentFile = /^(?:.*\.(?:odps|odcs)\.(?:ya?ml|json)|(?:.*\.)?pipeline\.ya?ml)$/i;
const skipped = new Set(["node_modules", ".git", ".quanta", "data"]);
const maxFiles = 200;

async function walk(dir: string, visit: (file: string) => void, depth = 0): Promise<void> {
  if (depth > 6) return;
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory() && !skipped.has(e.name) && !e.name.startsWith(".")) await walk(path, visit, depth + 1);
    else if (e.isFile() && documentFile.test(e.name)) visit(path);
  }
}

/** The ODPS, ODCS and pipeline files of a product folder, with paths relative to it (`/`-separated). */
export async function readProductFolder(dir: string): Promise<ProductFile[]> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new InputError(`${dir} is not a folder`);
  const paths: string[] = [];
  await walk(dir, (p) => paths.push(p));
  if (paths.length === 0) throw new InputError(`${dir} holds no *.odps.yaml or *.odcs.yaml file`);
  if (paths.length > maxFiles)
    throw new InputError(`${dir} holds ${paths.length} documents; a product folder holds at most ${maxFiles}`);
  return Promise.all(
    paths.map(async (p) => ({ path: relative(dir, p).split(sep).join("/"), text: await readFile(p, "utf8") })),
  );
}

/** Every folder under `root` holding an ODPS file (a data product), sorted. */
export async function findProductFolders(root: string): Promise<string[]> {
  const folders = new Set<string>();
  await walk(root, (p) => {
    if (/\.odps\.(ya?ml|json)$/i.test(p)) folders.add(join(p, ".."));
  });
  return [...folders].sort();
}
