import { describe, expect, test } from "vitest";
import { detectKind } from "./kinds.js";
import { loadDocument } from "./load-document.js";
import { SourceDocument } from "./source.js";

const load = (text: string) => loadDocument(SourceDocument.parse(text, "x.yaml"));

describe("detectKind", () => {
  test.each([
    [
      { kind: "DataContract", apiVersion: "v3.1.0" },
      { kind: "odcs", version: "v3.1.0" },
    ],
    [
      { kind: "DataProduct", apiVersion: "v0.9.0" },
      { kind: "odps", version: "v0.9.0" },
    ],
    [{ dataContractSpecification: "1.2.1" }, { kind: "dcs", version: "1.2.1" }],
    [{ dataProductSpecification: "0.0.1" }, { kind: "dps", version: "0.0.1" }],
    [{ kind: "Other" }, undefined],
    [[], undefined],
    [null, undefined],
    ["DataContract", undefined],
  ])("%j", (value, expected) => {
    expect(detectKind(value)).toEqual(expected);
  });
});

describe("loadDocument", () => {
  test("ODCS v3.0 is read into the v3.1 model", () => {
    const doc = load(`apiVersion: v3.0.2
kind: DataContract
id: c
version: 1.0.0
status: active
team:
  - username: ann
    role: owner
slaDefaultElement: orders.created_at
slaProperties:
  - property: latency
    value: 4
    unit: d
schema:
  - name: orders
    properties:
      - name: id
        quality:
          - rule: nullCheck
            type: library
            mustBe: 0
`);
    // The official v3.1 schema (which also judges v3.0 documents) requires `metric` on library
    // checks; the verdict stays the schema's, but the value is still read into the model.
    expect(doc.issues.map((i) => `${i.line} ${i.message}`)).toEqual(["19 missing required property 'metric'"]);
    expect(doc.kind).toBe("odcs");
    expect(doc.version).toBe("v3.0.2");
    if (doc.kind !== "odcs") throw new Error("unreachable");
    expect(doc.value.apiVersion).toBe("v3.1.0");
    expect(doc.value.team).toEqual({ members: [{ username: "ann", role: "owner" }] });
    expect(doc.value.slaProperties?.[0]?.element).toBe("orders.created_at");
    expect(doc.value.schema?.[0]?.properties?.[0]?.quality?.[0]).toMatchObject({
      metric: "nullValues",
      rule: "nullCheck",
    });
  });

  test("ODCS v3.1 stays as written", () => {
    const text = "apiVersion: v3.1.0\nkind: DataContract\nid: c\nversion: '1'\nstatus: draft\nteam:\n  name: t\n";
    const doc = load(text);
    expect(doc.issues).toEqual([]);
    expect(doc.value).toEqual(SourceDocument.parse(text, "x").value);
  });

  test("ODPS v0.9.0 reads as v1.0.0", () => {
    const doc = load("apiVersion: v0.9.0\nkind: DataProduct\nid: p\nstatus: active\n");
    expect(doc).toMatchObject({ kind: "odps", version: "v0.9.0", issues: [] });
    expect((doc.value as { apiVersion: string }).apiVersion).toBe("v1.0.0");
  });

  test("schema issues come with the value", () => {
    const doc = load("apiVersion: v3.1.0\nkind: DataContract\nid: c\nversion: '1'\n");
    expect(doc.kind).toBe("odcs");
    expect(doc.issues.map((i) => i.code)).toEqual(["schema-required"]);
  });

  test("an unknown document says what was expected", () => {
    const doc = load("name: hello\n");
    expect(doc.kind).toBeUndefined();
    expect(doc.issues).toMatchObject([{ code: "document-kind-unknown", line: 1, column: 1 }]);
  });

  test("a broken file returns its parse issues only", () => {
    const doc = load("kind: DataContract\n  bad: [\n");
    expect(doc.kind).toBeUndefined();
    expect(doc.issues.length).toBeGreaterThan(0);
    expect(doc.issues.every((i) => i.code.startsWith("yaml-"))).toBe(true);
  });
});
