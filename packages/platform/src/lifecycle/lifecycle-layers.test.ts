import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const src = join(import.meta.dirname, "..");

/** The platform's own source files: no tests, fixtures or conformance suites (those may drive an engine). */
async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(path)));
    else if (/\.tsx?$/.test(entry.name) && !/\.(test|conformance|test-helpers)\.ts$|fixtures\.ts$/.test(entry.name))
      files.push(path);
  }
  return files;
}

const importsOf = (text: string) =>
  [...text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1] as string);

describe("the layers of the platform", () => {
  it("no platform source imports an engine's driver: engines sit behind the engine registry", async () => {
    const offenders: string[] = [];
    for (const file of await sourceFiles(src))
      for (const spec of importsOf(await readFile(file, "utf8")))
        if (spec === "@duckdb/node-api" || spec === "pg" || spec.startsWith("@electric-sql/"))
          offenders.push(`${relative(src, file)}: ${spec}`);
    expect(offenders.filter((o) => !o.startsWith("storage/"))).toEqual([]);
  });

  it("lifecycle imports no engine package, only the installed engines' manifests through the registry", async () => {
    const offenders: string[] = [];
    for (const file of await sourceFiles(join(src, "lifecycle")))
      for (const spec of importsOf(await readFile(file, "utf8")))
        if (spec.startsWith("@quanta/engine-") || spec.startsWith("@duckdb/"))
          offenders.push(`${relative(src, file)}: ${spec}`);
    expect(offenders).toEqual([]);
  });
});
