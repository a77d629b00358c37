import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../errors.js";
import { SourceDocument } from "../spec/source.js";
import { renderChangelog } from "./changelog.js";
import { diffDocuments } from "./diff-documents.js";

const standards = join(__dirname, "../../../../../shared/standards");
const read = (rel: string) => SourceDocument.parse(readFileSync(join(standards, rel), "utf8"), rel);
const yaml = (text: string, file = "doc.yaml") => SourceDocument.parse(text, file);

const contract = (version: string, extra = "") =>
  yaml(
    `apiVersion: v3.1.0
kind: DataContract
id: orders
version: "${version}"
status: active
schema:
  - name: orders
    properties:
      - name: order_id
        logicalType: string
        required: true
${extra}`,
    `orders-${version}.odcs.yaml`,
  );

describe("diffDocuments", () => {
  it("reports severity, suggested version and whether the declared version announces it", () => {
    const r = diffDocuments(contract("1.2.0"), contract("1.3.0", "      - name: note\n        logicalType: string\n"));
    expect(r).toMatchObject({
      standard: "odcs",
      severity: "minor",
      previousVersion: "1.2.0",
      currentVersion: "1.3.0",
      suggestedVersion: "1.3.0",
      versionOk: true,
    });
    const breaking = diffDocuments(
      contract("1.2.0", "      - name: note\n        logicalType: string\n"),
      contract("1.3.0"),
    );
    expect(breaking).toMatchObject({ severity: "major", suggestedVersion: "2.0.0", versionOk: false });
  });

  it("nothing changed: severity none, any same version is fine", () => {
    expect(diffDocuments(contract("0.1.0"), contract("0.1.0"))).toMatchObject({
      severity: "none",
      suggestedVersion: "0.1.0",
      versionOk: true,
      changes: [],
    });
  });

  it("applies the pre-1.0 rule", () => {
    const r = diffDocuments(contract("0.4.2", "      - name: note\n"), contract("0.5.0"));
    expect(r).toMatchObject({ severity: "major", suggestedVersion: "0.5.0", versionOk: true });
  });

  it("versions that are not semver are an issue, not a crash", () => {
    const r = diffDocuments(contract("latest"), contract("next", "      - name: note\n"));
    expect(r.suggestedVersion).toBeNull();
    expect(r.versionOk).toBe(false);
    expect(r.issues.map((i) => i.code)).toEqual(["version-not-semver", "version-not-semver"]);
  });

  it("refuses to compare a contract with a data product", () => {
    expect(() => diffDocuments(contract("1.0.0"), read("odps/examples/simple-data-product.odps.yaml"))).toThrowError(
      new InputError(
        "cannot compare an ODCS data contract (orders-1.0.0.odcs.yaml) with an ODPS data product (odps/examples/simple-data-product.odps.yaml): both must be contracts or both data products",
      ),
    );
  });

  it("refuses unreadable and unknown documents with a position", () => {
    expect(() => diffDocuments(yaml("a: [1,\n", "bad.yaml"), contract("1.0.0"))).toThrow(
      /^cannot read bad\.yaml:\d+:\d+ error yaml-/,
    );
    expect(() => diffDocuments(yaml("hello: world\n", "x.yaml"), contract("1.0.0"))).toThrow(
      /x.yaml is not a data contract or data product/,
    );
  });

  it("still diffs a schema-invalid document, with a warning", () => {
    const invalid = yaml("apiVersion: v3.1.0\nkind: DataContract\nversion: 1.0.1\nschema: []\n", "invalid.yaml");
    const r = diffDocuments(contract("1.0.0"), invalid);
    expect(r.changes.map((c) => c.kind)).toEqual(["identity-changed", "status-changed", "object-removed"]);
    expect(
      r.issues.some((i) => i.code === "diff-invalid-document" && i.severity === "warning" && i.file === "invalid.yaml"),
    ).toBe(true);
  });

  it("an ODCS v3.0 → v3.1 upgrade reports the standard version, not a new team", () => {
    const v30 = yaml(
      "apiVersion: v3.0.2\nkind: DataContract\nid: c\nversion: 1.0.0\nstatus: active\nteam:\n  - username: alice\n    role: owner\n",
    );
    const v31 = yaml(
      "apiVersion: v3.1.0\nkind: DataContract\nid: c\nversion: 1.0.1\nstatus: active\nteam:\n  members:\n    - username: alice\n      role: owner\n",
    );
    const r = diffDocuments(v30, v31);
    expect(r.changes.map((c) => c.kind)).toEqual(["standard-version-changed"]);
    expect(r).toMatchObject({ severity: "patch", versionOk: true });
  });

  it("diffs the official ODPS example against a changed copy", () => {
    const before = read("odps/examples/customer-data-product.odps.yaml");
    const text = readFileSync(join(standards, "odps/examples/customer-data-product.odps.yaml"), "utf8").replace(
      '- name: consolidatedtransactions \n  description: "Consolidated transactions"\n  type: tables\n  version: 1.0.0\n',
      '- name: consolidatedtransactions \n  description: "Consolidated transactions"\n  type: tables\n  version: 2.0.0\n',
    );
    const r = diffDocuments(before, yaml(text, "after.yaml"));
    expect(r.changes.map((c) => `${c.kind} ${c.path}`)).toEqual([
      "output-port-breaking-version outputPorts[consolidatedtransactions@2.0.0].version",
    ]);
  });
});

describe("renderChangelog", () => {
  it("groups by severity and escapes document text", () => {
    const r = diffDocuments(
      contract("1.0.0", "      - name: note\n        description: plain\n"),
      contract(
        "2.0.0",
        "      - name: note\n        description: '<b>bold</b> *x*'\n      - name: '[link](http://x)'\n",
      ),
    );
    expect(renderChangelog(r, { title: "orders" })).toMatchInlineSnapshot(`
      "# orders

      ## 2.0.0 (from 1.0.0)

      Severity: **minor**. Suggested version: 1.1.0; the declared version announces it.

      ### Additions and compatible changes (minor)

      - property orders.\\[link\\](http://x) added (optional) (\`schema[orders].properties["[link](http://x)"]\`, property-added)

      ### Documentation and metadata (patch)

      - property orders.note: description changed from "plain" to "&lt;b&gt;bold&lt;/b&gt; \\*x\\*" (\`schema[orders].properties[note].description\`, description-changed)
      "
    `);
  });

  it("says so when nothing changed", () => {
    expect(renderChangelog(diffDocuments(contract("1.0.0"), contract("1.0.0")))).toMatchInlineSnapshot(`
      "# Changelog

      ## 1.0.0 (from 1.0.0)

      No changes.
      "
    `);
  });
});
