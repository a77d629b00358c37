import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { formatIssue, type Issue } from "../issues.js";
import { lintDocument } from "../lint/lint-document.js";
import { SourceDocument } from "../spec/source.js";
import type { ExportResult, FormatOptions, ImportEnvironment } from "./format.js";
import { getFormat } from "./registry.js";
import { exportWithFormat, type ImportOutcome, importWithFormat } from "./run-format.js";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "../../../..");

/** Contracts every exporter is tested with (see testdata/). */
export const fixtures = {
  /** Two related objects with every logical type, nesting, keys, value sets and ranges. */
  rich: join(here, "testdata/rich.odcs.yaml"),
  /** Reserved words, spaces, quotes and unicode in every name a target has to carry. */
  hostile: join(here, "testdata/hostile.odcs.yaml"),
  /** The demo's orders contract, whose data is examples/webshop/orders/data/orders.parquet. */
  orders: join(repoRoot, "examples/webshop/orders/contracts/orders.odcs.yaml"),
  ordersData: join(repoRoot, "examples/webshop/orders/data/orders.parquet"),
};

function formatNamed(name: string) {
  const format = getFormat(name);
  if (!format) throw new Error(`format ${name} is not in the registry`);
  return format;
}

/** Imports bytes or text the way `quanta import` does (options checked, output linted). */
export async function importText(
  name: string,
  input: string | Uint8Array,
  options: FormatOptions = {},
  file = `input.${name}`,
  env: ImportEnvironment = {},
): Promise<ImportOutcome> {
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
  return importWithFormat(formatNamed(name), { file, bytes }, options, env);
}

export async function importFile(
  name: string,
  path: string,
  options: FormatOptions = {},
  env: ImportEnvironment = {},
): Promise<ImportOutcome> {
  return importText(name, readFileSync(path), options, relative(repoRoot, path), env);
}

/** Exports a contract file the way `quanta export` does. */
export async function exportFile(name: string, path: string, options: FormatOptions = {}): Promise<ExportResult> {
  const src = SourceDocument.parse(readFileSync(path, "utf8"), relative(repoRoot, path));
  return exportWithFormat(formatNamed(name), src, options);
}

/** Exports contract text (e.g. an imported one, for round trips). */
export async function exportText(name: string, yaml: string, options: FormatOptions = {}): Promise<ExportResult> {
  return exportWithFormat(formatNamed(name), SourceDocument.parse(yaml, "contract.odcs.yaml"), options);
}

/** The only file of an export, as text. */
export function onlyText(result: ExportResult): string {
  expect(result.issues.filter((i) => i.severity === "error").map(formatIssue)).toEqual([]);
  expect(result.files).toHaveLength(1);
  const content = result.files[0]?.content;
  return typeof content === "string" ? content : new TextDecoder().decode(content);
}

/**
 * Asserts an import succeeded and its contract lints clean: valid ODCS, no lint error or warning.
 * Returns the YAML text. `allow` lists issue codes the test expects (e.g. a documented warning).
 */
export function expectCleanImport(outcome: ImportOutcome, allow: readonly string[] = []): string {
  const unexpected = outcome.issues.filter((i) => i.severity !== "info" && !allow.includes(i.code));
  expect(unexpected.map(formatIssue)).toEqual([]);
  expect(outcome.text).toBeDefined();
  const lint = lintDocument(SourceDocument.parse(outcome.text ?? "", "imported.odcs.yaml"));
  expect(lint.filter((i) => i.severity !== "info").map(formatIssue)).toEqual([]);
  return outcome.text ?? "";
}

/** The issues of an outcome with the given code (for asserting positions). */
export function issuesWith(issues: readonly Issue[], code: string): Issue[] {
  return issues.filter((i) => i.code === code);
}

/**
 * Compares text with a golden file next to the test (`testdata/<name>`). Run the tests with
 * `UPDATE_GOLDEN=1` to write it; a missing golden file fails rather than passing silently.
 */
export function expectGolden(actual: string | Uint8Array, goldenPath: string): void {
  const text = typeof actual === "string" ? actual : Buffer.from(actual).toString("base64");
  if (process.env.UPDATE_GOLDEN === "1") {
    mkdirSync(dirname(goldenPath), { recursive: true });
    writeFileSync(goldenPath, text);
    return;
  }
  if (!existsSync(goldenPath)) {
    throw new Error(`no golden file ${relative(repoRoot, goldenPath)}; run the test with UPDATE_GOLDEN=1 to write it`);
  }
  expect(text).toBe(readFileSync(goldenPath, "utf8"));
}
