import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
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
import { detectImportFormat } from "../run-format.js";

const here = dirname(fileURLToPath(import.meta.url));
const petstore = join(here, "testdata/petstore.openapi.yaml");
const library = join(here, "testdata/library.openapi.json");

type Prop = { name: string; logicalType?: string; required?: boolean; properties?: Prop[]; items?: Prop };
type Obj = { name: string; properties: Prop[] };

/** name → [logicalType, required] of every property, nested ones as `a.b`, items as `a[]`. */
function shape(props: Prop[] | undefined, prefix = ""): Record<string, [string | undefined, boolean]> {
  const out: Record<string, [string | undefined, boolean]> = {};
  for (const p of props ?? []) {
    const key = `${prefix}${p.name ?? ""}`;
    out[key] = [p.logicalType, p.required === true];
    Object.assign(out, shape(p.properties, `${key}.`));
    if (p.items) {
      out[`${key}[]`] = [p.items.logicalType, false];
      Object.assign(out, shape(p.items.properties, `${key}[].`));
    }
  }
  return out;
}

describe("openapi import", () => {
  it("reads a petstore-like 3.0 document into a contract that lints clean", async () => {
    const outcome = await importFile("openapi", petstore);
    const text = expectCleanImport(outcome);
    expectGolden(text, join(here, "testdata/petstore.odcs.yaml"));
    const contract = parse(text);
    expect(contract).toMatchObject({ id: "swagger-petstore", name: "Swagger Petstore", version: "1.0.11" });
    expect(contract.description.purpose).toMatch(/sample pet store/);
    // Object schemas only: PetStatus (a string enum) is read where it is used.
    expect(contract.schema.map((o: Obj) => o.name)).toEqual([
      "Category",
      "Tag",
      "NewPet",
      "Pet",
      "Order",
      "Customer",
      "ApiResponse",
    ]);
    const pet = contract.schema.find((o: Obj) => o.name === "Pet");
    // allOf of NewPet and an inline object: one object with both parts' properties.
    expect(shape(pet.properties)).toMatchObject({
      name: ["string", true],
      "category.id": ["integer", false],
      photoUrls: ["array", true],
      "tags[].name": ["string", false],
      status: ["string", false],
      birthday: ["date", false],
      id: ["integer", true],
    });
    expect(pet.customProperties).toEqual([{ property: "x-table", value: "pets" }]);
    const newPet = contract.schema.find((o: Obj) => o.name === "NewPet");
    const status = newPet.properties.find((p: Prop) => p.name === "status");
    expect(status.quality).toEqual([
      { metric: "invalidValues", arguments: { validValues: ["available", "pending", "sold"] }, mustBe: 0 },
    ]);
    const weight = newPet.properties.find((p: Prop) => p.name === "weight");
    // 3.0's boolean exclusiveMinimum becomes the bound itself; double is an f64.
    expect(weight.logicalTypeOptions).toEqual({ exclusiveMinimum: 0, format: "f64" });
    const order = contract.schema.find((o: Obj) => o.name === "Order");
    const byName = Object.fromEntries(order.properties.map((p: Prop) => [p.name, p]));
    expect(byName.id.examples).toEqual([10]);
    expect(byName.quantity.logicalTypeOptions).toEqual({ minimum: 1, maximum: 100, format: "i32" });
    expect(byName.shipDate.logicalType).toBe("timestamp");
    expect(byName.status.customProperties).toEqual([{ property: "x-display", value: "dropdown" }]);
    expect(byName.note.required).toBeUndefined();
    expect(order.customProperties).toEqual([{ property: "x-owner", value: "orders-team" }]);
    // What is not data is noted where it is written.
    const servers = issuesWith(outcome.issues, "openapi-servers-ignored");
    expect(servers).toHaveLength(1);
    expect(servers[0]).toMatchObject({ severity: "info", file: expect.stringMatching(/petstore/), line: 8 });
  });

  it("reads a 3.1 document (JSON, type arrays with null) into a contract that lints clean", async () => {
    const outcome = await importFile("openapi", library);
    const text = expectCleanImport(outcome);
    expectGolden(text, join(here, "testdata/library.odcs.yaml"));
    const contract = parse(text);
    expect(contract).toMatchObject({ id: "library-loans", version: "2.0.0" });
    // A title names the schema object.
    expect(contract.schema.map((o: Obj) => o.name)).toEqual(["Book", "Author", "loans"]);
    const book = contract.schema[0];
    expect(shape(book.properties)).toEqual({
      isbn: ["string", true],
      title: ["string", true],
      subtitle: ["string", false],
      published: ["date", false],
      pages: ["integer", false],
      price: ["number", false],
      language: ["string", false],
      authors: ["array", false],
      "authors[]": ["object", false],
      "authors[].name": ["string", true],
      "authors[].born": ["integer", false],
    });
    const loans = contract.schema[2];
    expect(loans.properties.map((p: Prop) => p.name)).toContain("x-ignored-name");
    expect(loans.customProperties).toEqual([{ property: "x-retention", value: "7 years" }]);
  });

  it("picks schemas by key or title with the schemas option, and names the unknown ones", async () => {
    const text = expectCleanImport(await importFile("openapi", library, { schemas: "Book, loans" }));
    expect(parse(text).schema.map((o: Obj) => o.name)).toEqual(["Book", "loans"]);
    const wrong = await importFile("openapi", library, { schemas: "Book,Shelf" });
    expect(issuesWith(wrong.issues, "openapi-schema-unknown")[0]?.message).toMatch(/"Shelf".*Book, Author, Loan/);
  });

  it("round-trips the rich contract through its own OpenAPI export", async () => {
    const exported = onlyText(await exportFile("openapi", fixtures.rich));
    const outcome = await importText(
      "openapi",
      exported,
      { schemas: "CustomersRow,OrdersRow", required: "non-null" },
      "rich.openapi.json",
    );
    const back = parse(expectCleanImport(outcome));
    const rich = parse(readFileSync(fixtures.rich, "utf8"));
    expect(back.name).toBe(`${rich.name}: data of shop port customers`);
    expect(back.version).toBe(rich.version);
    expect(back.schema.map((o: Obj) => o.name)).toEqual(rich.schema.map((o: Obj) => o.name));
    // The export writes timestamps and times as plain strings (the engine's text), so they come
    // back as strings; everything else keeps its logical type and required.
    const lossy = (s: Record<string, [string | undefined, boolean]>) =>
      Object.fromEntries(
        Object.entries(s).map(([k, [t, r]]) => [k, [t === "timestamp" || t === "time" ? "string" : t, r]]),
      );
    rich.schema.forEach((o: Obj, i: number) => {
      expect(shape(back.schema[i].properties)).toEqual(lossy(shape(o.properties)));
    });
  });

  it("round-trips an imported document: import → export → import gives the same objects", async () => {
    const first = parse(expectCleanImport(await importFile("openapi", library)));
    const exported = onlyText(await exportText("openapi", stringify(first), { product: "library", port: "loans" }));
    const rows = first.schema.map((o: Obj) => `${o.name.charAt(0).toUpperCase()}${o.name.slice(1)}Row`);
    const again = parse(
      expectCleanImport(
        await importText(
          "openapi",
          exported,
          { schemas: rows.join(","), required: "non-null" },
          "library.openapi.json",
        ),
      ),
    );
    expect(again.schema.map((o: Obj) => o.name)).toEqual(first.schema.map((o: Obj) => o.name));
    const lossy = (s: Record<string, [string | undefined, boolean]>) =>
      Object.fromEntries(
        Object.entries(s).map(([k, [t, r]]) => [k, [t === "timestamp" || t === "time" ? "string" : t, r]]),
      );
    first.schema.forEach((o: Obj, i: number) => {
      expect(shape(again.schema[i].properties), o.name).toEqual(lossy(shape(o.properties)));
    });
  });

  it("detects OpenAPI 3 documents and nothing else", () => {
    const input = (text: string, file = "api.yaml") => ({ file, bytes: new TextEncoder().encode(text) });
    expect(detectImportFormat(input(readFileSync(petstore, "utf8")))?.name).toBe("openapi");
    expect(detectImportFormat(input(readFileSync(library, "utf8"), "api.json"))?.name).toBe("openapi");
    expect(detectImportFormat(input("swagger: '2.0'\ninfo: {title: x, version: '1'}\n"))?.name).not.toBe("openapi");
    expect(detectImportFormat(input(readFileSync(fixtures.rich, "utf8")))?.name).not.toBe("openapi");
    // A property called openapi deeper in another document is not the top-level key.
    expect(
      detectImportFormat(input("type: object\nproperties:\n  openapi: {type: string, example: '3.1'}\n"))?.name,
    ).not.toBe("openapi");
  });

  it("refuses hostile input with positions", async () => {
    const broken = await importText("openapi", "openapi: 3.0.3\ninfo: {title: x\ncomponents: [\n", {}, "broken.yaml");
    expect(broken.text).toBeUndefined();
    const yamlError = broken.issues.find((i) => i.severity === "error");
    expect(yamlError?.code).toMatch(/^yaml-/);
    expect(yamlError?.line).toBeGreaterThan(0);

    const recursive = [
      "openapi: 3.0.3",
      "info: {title: Tree, version: 1.0.0}",
      "components:",
      "  schemas:",
      "    Node:",
      "      type: object",
      "      properties:",
      "        id: {type: integer}",
      "        parent:",
      "          $ref: '#/components/schemas/Node'",
      "",
    ].join("\n");
    const rec = await importText("openapi", recursive, {}, "tree.yaml");
    expect(rec.text).toBeUndefined();
    const refused = issuesWith(rec.issues, "jsonschema-recursive");
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ file: "tree.yaml", line: 10, column: 11 });

    const bare = await importText(
      "openapi",
      "openapi: 3.1.0\ninfo: {title: Empty, version: 1.0.0}\npaths: {}\n",
      {},
      "bare.yaml",
    );
    expect(issuesWith(bare.issues, "openapi-no-schemas")[0]).toMatchObject({ severity: "error", line: 1 });

    const swagger = await importText("openapi", "swagger: '2.0'\ninfo: {title: x, version: '1'}\n", {}, "old.yaml");
    expect(issuesWith(swagger.issues, "openapi-version")[0]).toMatchObject({ line: 1, column: 1 });
    const future = await importText("openapi", "openapi: 4.0.0\ninfo: {title: x, version: '1'}\n", {}, "new.yaml");
    expect(issuesWith(future.issues, "openapi-version")[0]?.message).toMatch(/"4.0.0".*3.0 or 3.1/);

    const binary = await importText("openapi", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0xff, 0xfe]), {}, "x.png");
    expect(binary.text).toBeUndefined();
    expect(binary.issues.some((i) => i.severity === "error")).toBe(true);
  });

  it("warns at the keyword it cannot map", async () => {
    const doc = [
      "openapi: 3.0.3",
      "info: {title: Shapes, version: 1.0.0}",
      "components:",
      "  schemas:",
      "    Shape:",
      "      type: object",
      "      discriminator: {propertyName: kind}",
      "      properties:",
      "        kind: {type: string}",
      "",
    ].join("\n");
    const outcome = await importText("openapi", doc, {}, "shapes.yaml");
    const warned = issuesWith(outcome.issues, "jsonschema-not-mapped");
    expect(warned[0]).toMatchObject({ file: "shapes.yaml", line: 7, column: 7 });
    expect(warned[0]?.message).toMatch(/discriminator/);
  });
});
