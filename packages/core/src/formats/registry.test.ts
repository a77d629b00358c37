import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatIssue } from "../issues.js";
import { lintDocument } from "../lint/lint-document.js";
import { SourceDocument } from "../spec/source.js";
import { fixtures } from "./format-test-kit.test-helpers.js";
import { exportFormats, formats, getFormat, importFormats } from "./registry.js";
import { resolveOptions } from "./run-format.js";

const here = dirname(fileURLToPath(import.meta.url));

describe("format registry", () => {
  it("has one folder per format, named as users type it", () => {
    const folders = readdirSync(here).filter((f) => statSync(join(here, f)).isDirectory() && f !== "testdata");
    for (const format of formats) {
      expect(format.name).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(folders).toContain(format.name);
      expect(getFormat(format.name.toUpperCase())).toBe(format);
    }
    expect(new Set(formats.map((f) => f.name)).size).toBe(formats.length);
    expect(importFormats.every((f) => f.importer)).toBe(true);
    expect(exportFormats.every((f) => f.exporter)).toBe(true);
  });

  it("keeps its test contracts valid and lint-clean", () => {
    for (const path of [fixtures.rich, fixtures.hostile, fixtures.orders]) {
      const issues = lintDocument(SourceDocument.parse(readFileSync(path, "utf8"), path));
      expect(issues.filter((i) => i.severity !== "info").map(formatIssue)).toEqual([]);
    }
  });
});

describe("resolveOptions", () => {
  const declared = [
    { name: "dialect", description: "SQL flavour", choices: ["postgres", "duckdb"], default: "postgres" },
    { name: "schema", description: "one object" },
  ];
  const where = { file: "c.yaml", format: "sql" };

  it("fills defaults and keeps given values", () => {
    expect(resolveOptions(declared, { schema: "orders" }, where)).toEqual({
      options: { dialect: "postgres", schema: "orders" },
      issues: [],
    });
  });

  it("refuses unknown options and values outside the choices, naming what is accepted", () => {
    const { issues } = resolveOptions(declared, { dialekt: "x", dialect: "oracle" }, where);
    expect(issues.map((i) => i.message)).toEqual([
      'sql has no option "dialekt"; known: dialect, schema',
      'sql option dialect must be one of postgres, duckdb; got "oracle"',
    ]);
    expect(resolveOptions(undefined, { a: "1" }, where).issues[0]?.message).toBe(
      'sql has no option "a"; it takes none',
    );
  });
});

describe("schema option", () => {
  it("narrows the contract to one object for formats that do not take it themselves", async () => {
    const { exportFile } = await import("./format-test-kit.test-helpers.js");
    const withoutOption = exportFormats.find(
      (f) => f.exporter && !f.exporter.options?.some((o) => o.name === "schema"),
    );
    if (!withoutOption) return;
    const all = await exportFile(withoutOption.name, fixtures.rich);
    const one = await exportFile(withoutOption.name, fixtures.rich, { schema: "customers" });
    expect(one.issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(JSON.stringify(one.files)).toContain("customer_id");
    expect(JSON.stringify(one.files).length).toBeLessThan(JSON.stringify(all.files).length);
    const missing = await exportFile(withoutOption.name, fixtures.rich, { schema: "nope" });
    expect(missing.issues.map((i) => i.message)).toEqual([
      'the contract has no schema object "nope"; it has: customers, orders',
    ]);
  });
});
