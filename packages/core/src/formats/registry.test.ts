import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatIssue } from "../issues.js";
import { lintDocument } from "../lint/lint-document.js";
import { SourceDocument } from "../spec/source.js";
import { fixtures } from "./format-test-kit.test-helpers.js";
import { exportFormats, formats, getFormat, importFormats } from "./registry.js";
import { exportWithFormat, importWithFormat, placeFiles, resolveOptions } from "./run-format.js";

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

describe("export files", () => {
  const file = (path: string) => ({ path, content: "x", mediaType: "text/plain" });

  it("are written under safe names, none two ignoring case, nested folders kept", () => {
    const { files, issues } = placeFiles(
      [
        file("models/staging/stg_orders.sql"),
        file("orders.json"),
        file("Orders.json"),
        file("../../x.json"),
        file('a"b?.json'),
        file(".hidden"),
      ],
      "c.yaml",
    );
    expect(files.map((f) => f.path)).toEqual([
      "models/staging/stg_orders.sql",
      "orders.json",
      "Orders-2.json",
      "_/_/x.json",
      "a_b_.json",
      "_hidden",
    ]);
    expect(issues.map((i) => i.code)).toEqual(Array(4).fill("export-file-renamed"));
  });

  it("turn a converter that throws into an error of the input, never a crash", async () => {
    const broken = {
      name: "broken",
      title: "Broken",
      importer: {
        description: "throws",
        target: "odcs" as const,
        input: "text" as const,
        run: async () => {
          throw new TypeError("x is undefined");
        },
      },
      exporter: {
        description: "throws",
        run: async () => {
          throw new TypeError("y is undefined");
        },
      },
    };
    const imported = await importWithFormat(broken, { file: "in.txt", bytes: new Uint8Array() }, {});
    expect(imported.issues.map((i) => `${i.code}: ${i.message}`)).toEqual([
      "format-import-failed: the broken import failed on this input (a bug in Quanta; please report it): x is undefined",
    ]);
    const src = SourceDocument.parse(readFileSync(fixtures.rich, "utf8"), "rich.yaml");
    const exported = await exportWithFormat(broken, src, {});
    expect(exported.issues.map((i) => i.code)).toEqual(["format-export-failed"]);
  });

  it("are written for an object without properties by every exporter", async () => {
    const { exportText } = await import("./format-test-kit.test-helpers.js");
    const bare =
      "apiVersion: v3.1.0\nkind: DataContract\nid: bare\nversion: 1.0.0\nstatus: draft\nschema:\n  - name: t\n";
    for (const format of exportFormats) {
      const result = await exportText(format.name, bare);
      expect(
        result.issues.filter((i) => i.code.endsWith("-failed")),
        format.name,
      ).toEqual([]);
    }
  });
});

describe("detection", () => {
  it("gives an OpenAPI 3.1 document with JSON Schema inside to openapi, not jsonschema", async () => {
    const { detectImportFormat } = await import("./run-format.js");
    const doc = JSON.stringify({
      openapi: "3.1.0",
      info: { title: "x", version: "1" },
      components: { schemas: { a: { $schema: "https://json-schema.org/draft/2020-12/schema", type: "object" } } },
    });
    const bytes = new TextEncoder().encode(doc);
    expect(detectImportFormat({ file: "api.json", bytes })?.name).toBe("openapi");
    const schema = new TextEncoder().encode(
      '{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"}',
    );
    expect(detectImportFormat({ file: "s.json", bytes: schema })?.name).toBe("jsonschema");
  });
});

describe("empty input", () => {
  it("is an error of the input for every document importer, never a contract Quanta calls its own bug", async () => {
    const { importText } = await import("./format-test-kit.test-helpers.js");
    for (const format of importFormats.filter((f) => f.importer?.input === "document")) {
      for (const text of ["null\n", "", "{}\n"]) {
        const out = await importText(format.name, text);
        const errors = out.issues.filter((i) => i.severity === "error");
        expect(errors.length, `${format.name} ${JSON.stringify(text)}`).toBeGreaterThan(0);
        expect(
          errors.filter((i) => i.code.startsWith("import-output-")),
          `${format.name} ${JSON.stringify(text)}`,
        ).toEqual([]);
      }
    }
  });
});
