import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { formatIssue } from "../../issues.js";
import { SourceDocument } from "../../spec/source.js";
import { validateSchema } from "../../spec/validate.js";
import {
  expectCleanImport,
  expectGolden,
  exportFile,
  exportText,
  fixtures,
  importFile,
  importText,
  issuesWith,
  onlyText,
} from "../format-test-kit.test-helpers.js";
import { odcsV222Shape, odcsV302Shape } from "./odcs-shapes.test-helpers.js";

// biome-ignore lint/suspicious/noExplicitAny: converted contracts, checked field by field
type Json = Record<string, any>;

const here = fileURLToPath(new URL(".", import.meta.url));
const testdata = (name: string) => join(here, "testdata", name);
const officialExamples = join(here, "../../../../../../shared/standards/odcs/examples");

const ajv = new Ajv2020.default({ allErrors: true, strict: false });
const shapes = { "v3.0.2": ajv.compile(odcsV302Shape), "v2.2.2": ajv.compile(odcsV222Shape) };

function expectShape(version: keyof typeof shapes, text: string): void {
  const validate = shapes[version];
  validate(parse(text));
  expect(validate.errors ?? []).toEqual([]);
}

/** What survives every version: objects, properties (flattened for v2), types, required, keys. */
function shapeOf(contract: Record<string, unknown>, flatten = false) {
  type P = Record<string, unknown>;
  const props = (list: unknown, prefix = ""): P[] =>
    ((list as P[] | undefined) ?? []).flatMap((p) => {
      const own = {
        name: `${prefix}${p.name}`,
        logicalType: p.logicalType,
        required: p.required === true,
        primaryKey: p.primaryKey === true,
        unique: p.unique === true,
      };
      if (flatten) return [own, ...props(p.properties, `${prefix}${p.name}.`)];
      return [
        {
          ...own,
          properties: props(p.properties),
          relationships: p.relationships,
          items: p.items ? props([{ ...(p.items as P), name: "items" }]) : undefined,
        },
      ];
    });
  return ((contract.schema as P[]) ?? []).map((o) => ({ name: o.name, properties: props(o.properties) }));
}

/** Every quality rule of a contract with where it sits, without the keys a version renames. */
function qualityOf(contract: Json): unknown[] {
  const out: unknown[] = [];
  const visit = (element: Json, where: string) => {
    for (const q of element.quality ?? []) {
      const { type: _t, rule: _r, ...rest } = q;
      out.push({ where, ...rest });
    }
    for (const p of element.properties ?? []) visit(p, `${where}.${p.name}`);
  };
  for (const o of contract.schema ?? []) visit(o, o.name);
  return out;
}

describe("odcs import", () => {
  it("reads an ODCS v2.2.2 contract (dataset, columns, stakeholders) into a clean v3.1.0 contract", async () => {
    const outcome = await importFile("odcs", testdata("v2.2.2-full.odcs.yaml"));
    const text = expectCleanImport(outcome, ["odcs-secret", "odcs-v2-quality"]);
    expectGolden(text, testdata("v2.2.2-full.imported.odcs.yaml"));
    const c = outcome.value as Json;
    expect(c).toMatchObject({
      apiVersion: "v3.1.0",
      id: "53581432-6c55-4ba2-a65f-72344a91553a",
      status: "active",
      domain: "seller",
    });
    expect(
      c.schema[0].properties.map((p: Json) => [p.name, p.logicalType, p.required ?? false, p.primaryKey ?? false]),
    ).toEqual([
      ["txn_ref_dt", "date", true, false],
      ["rcvr_id", "string", true, true],
      ["rcvr_cntry_code", "string", true, false],
      ["amount", "number", false, false],
    ]);
    expect(c.schema[0].properties[1].quality[0]).toMatchObject({
      type: "library",
      metric: "nullValues",
      mustBe: 0,
      schedule: "0 20 * * *",
    });
    expect(c.team.members.map((m: Json) => m.username)).toEqual(["ceastwood", "mhopper"]);
    expect(c.slaProperties[0]).toMatchObject({ property: "latency", element: "tbl.txn_ref_dt" });
    expect(text).not.toContain("env.password");
    // Credentials are refused at their line; checks without a threshold stay text rules.
    expect(issuesWith(outcome.issues, "odcs-secret").map((i) => [i.line, i.column])).toEqual([
      [22, 1],
      [23, 1],
    ]);
    expect(issuesWith(outcome.issues, "odcs-v2-quality").map((i) => [i.line, i.column])).toEqual([[105, 9]]);
  });

  it("reads every official v3.0.x example into a v3.1.0 contract the official schema accepts", async () => {
    const files = readdirSync(officialExamples, { recursive: true, encoding: "utf8" }).filter((f) =>
      f.endsWith(".yaml"),
    );
    let read = 0;
    for (const file of files) {
      const text = readFileSync(join(officialExamples, file), "utf8");
      if (!/^apiVersion: "?v3\.0/m.test(text)) continue;
      const outcome = await importText("odcs", text, {}, file);
      expect(outcome.issues.filter((i) => i.severity === "error").map(formatIssue), file).toEqual([]);
      expect(outcome.text, file).toBeDefined();
      expect(validateSchema(SourceDocument.parse(outcome.text ?? "", file), "odcs").map(formatIssue)).toEqual([]);
      expect((outcome.value as { apiVersion: string }).apiVersion).toBe("v3.1.0");
      read++;
    }
    expect(read).toBeGreaterThanOrEqual(10);
  });

  it("turns v3.0 boolean exclusive bounds and rule-level validValues into their v3.1 form", async () => {
    const yaml = [
      "apiVersion: v3.0.2",
      "kind: DataContract",
      "id: x",
      "version: 1.0.0",
      "status: active",
      "team:",
      "  - username: ada",
      "    role: owner",
      "slaDefaultElement: t.a",
      "slaProperties:",
      "  - property: latency",
      "    value: 1",
      "    unit: d",
      "schema:",
      "  - name: t",
      "    properties:",
      "      - name: a",
      "        logicalType: integer",
      "        logicalTypeOptions: {minimum: 0, exclusiveMinimum: true, maximum: 9, exclusiveMaximum: false}",
      "      - name: b",
      "        logicalType: string",
      "        quality:",
      "          - rule: validValues",
      "            validValues: [x, y]",
      "            mustBe: 0",
      "",
    ].join("\n");
    const outcome = await importText("odcs", yaml);
    expectCleanImport(outcome);
    const c = outcome.value as Json;
    expect(c.schema[0].properties[0].logicalTypeOptions).toEqual({ exclusiveMinimum: 0, maximum: 9 });
    expect(c.schema[0].properties[1].quality[0]).toEqual({
      metric: "invalidValues",
      arguments: { validValues: ["x", "y"] },
      mustBe: 0,
    });
    expect(c.team).toEqual({ members: [{ username: "ada", role: "owner" }] });
    expect(c.slaProperties[0].element).toBe("t.a");
    expect(c.slaDefaultElement).toBeUndefined();
  });

  it("refuses versions it does not read and documents that are not ODCS, at the key", async () => {
    const wrong = await importText("odcs", "kind: DataContract\napiVersion: v9.0.0\nid: x\n");
    expect(wrong.issues.map((i) => `${i.code} ${i.line}:${i.column}`)).toEqual(["odcs-version 2:1"]);
    const notOdcs = await importText("odcs", "dataContractSpecification: 1.2.1\n");
    expect(notOdcs.issues.map((i) => i.code)).toEqual(["odcs-not-odcs"]);
    const binary = await importText("odcs", new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 0xff, 0xfe]));
    expect(binary.text).toBeUndefined();
    expect(binary.issues.some((i) => i.severity === "error")).toBe(true);
  });
});

describe("odcs export", () => {
  it("writes v3.1.0 by default: the normalized contract, valid against the official schema", async () => {
    const text = onlyText(await exportFile("odcs", fixtures.rich));
    expect(validateSchema(SourceDocument.parse(text, "x.yaml"), "odcs").map(formatIssue)).toEqual([]);
    expect(parse(text)).toEqual(parse(readFileSync(fixtures.rich, "utf8")));
    // A v3.0 contract comes out at v3.1.0.
    const v30 = readFileSync(join(officialExamples, "schema/table-column.odcs.yaml"), "utf8");
    const upgraded = onlyText(await exportText("odcs", v30));
    expect(parse(upgraded).apiVersion).toBe("v3.1.0");
  });

  it("writes v3.0.2 in the v3.0.2 shape, keeping what v3.0 lacks in customProperties", async () => {
    const result = await exportFile("odcs", fixtures.rich, { version: "v3.0.2" });
    const text = onlyText(result);
    expectShape("v3.0.2", text);
    expectGolden(text, testdata("rich.v3.0.2.odcs.yaml"));
    const downgraded = issuesWith(result.issues, "odcs-export-downgraded").map(
      (i) => `${i.line}:${i.column} ${i.message}`,
    );
    expect(downgraded).toContain(
      "91:9 ODCS v3.0 has no logical type timestamp; written as date (the original is in customProperties)",
    );
    expect(downgraded).toContain("87:9 ODCS v3.0 properties have no relationships; it went to customProperties");
  });

  it("round trips v3.0.2: export and import give back the same contract shape", async () => {
    for (const fixture of [fixtures.rich, fixtures.hostile, fixtures.orders]) {
      const text = onlyText(await exportFile("odcs", fixture, { version: "v3.0.2" }));
      expectShape("v3.0.2", text);
      const back = await importText("odcs", text, {}, "v302.odcs.yaml");
      expect(back.text, fixture).toBeDefined();
      expect(shapeOf(back.value)).toEqual(shapeOf(parse(readFileSync(fixture, "utf8"))));
      expect(qualityOf(back.value)).toEqual(qualityOf(parse(readFileSync(fixture, "utf8"))));
    }
  });

  it("writes v2.2.2 (dataset, columns) and reads it back with the same tables and columns", async () => {
    const result = await exportFile("odcs", fixtures.rich, { version: "v2.2.2" });
    const text = onlyText(result);
    expectShape("v2.2.2", text);
    expectGolden(text, testdata("rich.v2.2.2.odcs.yaml"));
    expect(issuesWith(result.issues, "odcs-export-downgraded").map((i) => `${i.line}:${i.column}`)).toContain("122:9");
    for (const fixture of [fixtures.rich, fixtures.hostile, fixtures.orders]) {
      const v2 = onlyText(await exportFile("odcs", fixture, { version: "v2.2.2" }));
      expectShape("v2.2.2", v2);
      const back = await importText("odcs", v2, {}, "v222.odcs.yaml");
      expect(back.issues.filter((i) => i.severity === "error").map(formatIssue)).toEqual([]);
      const original = parse(readFileSync(fixture, "utf8"));
      // Nested properties come back flattened (`shipping_address.city`); types, keys and required stay.
      expect(shapeOf(back.value, true)).toEqual(shapeOf(original, true));
      expect(qualityOf(back.value)).toEqual(qualityOf(original));
    }
  });

  it("refuses an unknown version with the choices", async () => {
    const result = await exportFile("odcs", fixtures.rich, { version: "v4" });
    expect(result.issues.map((i) => i.message)).toEqual([
      'odcs option version must be one of v3.1.0, v3.0.2, v2.2.2; got "v4"',
    ]);
  });
});
