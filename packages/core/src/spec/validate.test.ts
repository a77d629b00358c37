import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { generateValidatorModule, validatorSources } from "../../scripts/validator-codegen.mjs";
import { formatIssue } from "../issues.js";
import type { DocumentKind } from "./kinds.js";
import { SourceDocument } from "./source.js";
import { validateSchema } from "./validate.js";

const here = dirname(fileURLToPath(import.meta.url));
const standards = join(here, "../../../../../shared/standards");

function lint(text: string, kind: DocumentKind = "odcs"): string[] {
  return validateSchema(SourceDocument.parse(text, "c.yaml"), kind).map(formatIssue);
}

const base = `apiVersion: v3.1.0
kind: DataContract
id: orders
version: 1.0.0
status: active
`;

describe("issues point at the right node with a useful message", () => {
  test("a valid contract has no issues", () => {
    expect(lint(base)).toEqual([]);
  });

  test("missing required property points at the parent object", () => {
    expect(lint("apiVersion: v3.1.0\nkind: DataContract\nid: x\nversion: '1'\n")).toMatchInlineSnapshot(`
      [
        "c.yaml:1:1 error schema-required missing required property 'status'",
      ]
    `);
    expect(lint(`${base}schema:\n  - physicalType: table\n`)).toMatchInlineSnapshot(`
      [
        "c.yaml:7:5 error schema-required missing required property 'name'",
      ]
    `);
  });

  test("unknown keys point at the key, with a suggestion when one is close", () => {
    const text = `${base}schema:
  - name: orders
    properties:
      - name: id
        requird: true
        colour: red
tenantt: x
`;
    expect(lint(text)).toMatchInlineSnapshot(`
      [
        "c.yaml:10:9 error schema-additional-property 'requird' is not a known property of a schema property; did you mean 'required'?",
        "c.yaml:11:9 error schema-additional-property 'colour' is not a known property of a schema property",
        "c.yaml:12:1 error schema-additional-property 'tenantt' is not a known property of the data contract; did you mean 'tenant'?",
      ]
    `);
  });

  test("wrong types, enum values, patterns", () => {
    const text = `apiVersion: v3.1.0
kind: DataContract
id: x
version: 2
status: active
servers:
  - server: prod
    type: postgress
    id: "not ok"
schema:
  - name: t
    properties:
      - name: a
        logicalType: strin
`;
    expect(lint(text)).toMatchInlineSnapshot(`
      [
        "c.yaml:4:10 error schema-type must be a string, not an integer",
        "c.yaml:8:11 error schema-enum must be one of: api, athena, azure, bigquery, clickhouse, databricks, denodo, dremio, duckdb, glue, cloudsql, db2, … (22 more) (found 'postgress'); did you mean 'postgres'?",
        "c.yaml:9:9 error schema-pattern 'not ok' does not match the pattern /^[A-Za-z0-9_-]+$/",
        "c.yaml:14:22 error schema-enum must be one of: string, date, timestamp, time, number, integer, object, array, boolean (found 'strin'); did you mean 'string'?",
      ]
    `);
  });

  test("oneOf/anyOf cascades collapse to one issue per node", () => {
    const text = `${base}team:
  - username: ann
    nickname: a
schema:
  - name: t
    quality:
      - metric: rowCount
      - metric: rowCount
        mustBe: 1
        mustBeGreaterThan: 0
      - type: sql
        query: 3
        mustBe: 0
    relationships:
      - from: 12
        to: a.b
`;
    expect(lint(text)).toMatchInlineSnapshot(`
      [
        "c.yaml:8:5 error schema-additional-property 'nickname' is not a known property of a team member",
        "c.yaml:12:9 error schema-required must have exactly one of the properties 'mustBe', 'mustNotBe', 'mustBeGreaterThan', 'mustBeGreaterOrEqualTo', 'mustBeLessThan', 'mustBeLessOrEqualTo', 'mustBeBetween', 'mustNotBeBetween'",
        "c.yaml:13:9 error schema-one-of must have only one of the properties 'mustBe', 'mustBeGreaterThan'",
        "c.yaml:17:16 error schema-type must be a string, not an integer",
        "c.yaml:20:15 error schema-type must be a string or an array, not an integer",
        "c.yaml:21:13 error schema-type must be an array, not a string",
      ]
    `);
  });

  test("DCS server rules from if/then (type-specific required fields)", () => {
    const text = `dataContractSpecification: 1.2.1
id: x
info:
  title: X
  version: 1.0.0
servers:
  production:
    type: s3
    format: parquett
`;
    expect(lint(text, "dcs")).toMatchInlineSnapshot(`
      [
        "c.yaml:8:5 error schema-required missing required property 'location'",
        "c.yaml:9:13 error schema-enum must be one of: parquet, delta, json, csv (found 'parquett'); did you mean 'parquet'?",
      ]
    `);
  });

  test("a document that is not an object gets one issue at its start", () => {
    expect(lint("- a\n- b\n")).toMatchInlineSnapshot(`
      [
        "c.yaml:1:1 error schema-type must be an object, not an array",
      ]
    `);
  });

  test("unreadable documents get no schema issues (their parse issues say why)", () => {
    expect(lint("a: [\n")).toEqual([]);
  });

  test("hostile keys and values stay data", () => {
    const issues = lint(`${base}"__proto__": 1\n"a/b~c": 2\n`);
    expect(issues).toMatchInlineSnapshot(`
      [
        "c.yaml:6:1 error schema-additional-property '__proto__' is not a known property of the data contract",
        "c.yaml:7:1 error schema-additional-property 'a/b~c' is not a known property of the data contract",
      ]
    `);
  });
});

describe("vendored schemas and generated validators", () => {
  const vendored: Record<DocumentKind, string> = {
    odcs: "odcs/schema/odcs-json-schema-v3.1.0.json",
    odps: "odps/schema/odps-json-schema-v1.0.0.json",
    dcs: "dcs/schema/datacontract.schema.json",
    dps: "dps/schema/dataproduct.schema.json",
  };

  test.skipIf(!existsSync(standards))(
    "vendored schema copies are byte-identical to ../shared/standards (skipped: ../shared absent)",
    () => {
      for (const [kind, rel] of Object.entries(vendored)) {
        const ours = readFileSync(join(here, "schemas", validatorSources[kind as DocumentKind].file));
        expect(ours.equals(readFileSync(join(standards, rel))), kind).toBe(true);
      }
    },
  );

  test("generated validator modules are up to date with the vendored schemas", () => {
    for (const [kind, { file }] of Object.entries(validatorSources)) {
      const expected = generateValidatorModule(kind as DocumentKind, readFileSync(join(here, "schemas", file), "utf8"));
      const actual = readFileSync(join(here, "generated", `${kind}-validator.ts`), "utf8");
      expect(actual === expected, `${kind}: run node packages/core/scripts/generate-validators.mjs`).toBe(true);
    }
  });

  test("runtime code does not read files or ../shared", () => {
    for (const f of ["validate.ts", "schema-issues.ts", "schema-validators.ts", "load-document.ts"]) {
      const text = readFileSync(join(here, f), "utf8");
      expect(text).not.toMatch(/from "node:|shared\/standards|readFileSync/);
    }
  });
});
