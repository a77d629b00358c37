import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { SourceDocument, validateSchema } from "@quanta/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { bufferIo } from "../buffer-io.js";
import { runExport } from "../commands/run-export.js";
import { runImport } from "../commands/run-import.js";

// `quanta import` of OpenAPI documents as a user runs it: detected without --format, written to a
// file, linted on the way (errors and warnings reach stderr).
const repo = resolve(import.meta.dirname, "../../../..");
const testdata = join(repo, "packages/core/src/formats/openapi/testdata");
const orders = join(repo, "examples/webshop/orders/contracts/orders.odcs.yaml");
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "quanta-openapi-import-"));
  copyFileSync(join(testdata, "petstore.openapi.yaml"), join(dir, "petstore.yaml"));
  copyFileSync(join(testdata, "library.openapi.json"), join(dir, "library.json"));
  copyFileSync(orders, join(dir, "orders.odcs.yaml"));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The stderr lines that are errors or warnings (info lines are what was noted, not refused). */
function problems(stderr: string): string[] {
  return stderr.split("\n").filter((l) => / (error|warning) /.test(l));
}

type Prop = { name: string; logicalType?: string; required?: boolean };

describe("quanta import of OpenAPI documents", () => {
  it("detects and imports a 3.0 YAML and a 3.1 JSON document into valid, lint-clean contracts", async () => {
    for (const [file, out, objects] of [
      ["petstore.yaml", "petstore.odcs.yaml", 7],
      ["library.json", "library.odcs.yaml", 3],
    ] as const) {
      const io = bufferIo(dir);
      const code = await runImport(io, file, { output: out });
      expect(problems(io.stderr()), file).toEqual([]);
      expect(code, file).toBe(0);
      const text = readFileSync(join(dir, out), "utf8");
      expect(validateSchema(SourceDocument.parse(text, out), "odcs")).toEqual([]);
      expect(parse(text).schema).toHaveLength(objects);
    }
    // What is not data is said, with its position.
    const io = bufferIo(dir);
    await runImport(io, "petstore.yaml", { output: "again.odcs.yaml" });
    expect(io.stderr()).toContain("petstore.yaml:8:1 info openapi-servers-ignored");
  });

  it("reads back the orders contract's own OpenAPI export: same columns, types and required", async () => {
    const io = bufferIo(dir);
    expect(
      await runExport(io, "orders.odcs.yaml", {
        format: "openapi",
        option: { product: "sales.orders", port: "orders" },
        output: "orders.openapi.json",
      }),
    ).toBe(0);
    const back = bufferIo(dir);
    const code = await runImport(back, "orders.openapi.json", {
      option: { schemas: "OrdersRow", required: "non-null" },
      output: "from-openapi.odcs.yaml",
    });
    expect(problems(back.stderr())).toEqual([]);
    expect(code).toBe(0);
    const imported = parse(readFileSync(join(dir, "from-openapi.odcs.yaml"), "utf8"));
    const original = parse(readFileSync(orders, "utf8"));
    const columns = (props: (Prop & { physicalName?: string })[], lossy: boolean) =>
      props.map((p) => [
        p.physicalName ?? p.name,
        lossy && (p.logicalType === "timestamp" || p.logicalType === "time") ? "string" : p.logicalType,
        p.required === true,
      ]);
    expect(imported.schema.map((o: { name: string }) => o.name)).toEqual(["orders"]);
    expect(columns(imported.schema[0].properties, false)).toEqual(columns(original.schema[0].properties, true));
  });

  it("refuses a recursive $ref and malformed YAML with their positions", async () => {
    writeFileSync(
      join(dir, "tree.yaml"),
      "openapi: 3.1.0\ninfo: {title: Tree, version: 1.0.0}\ncomponents:\n  schemas:\n    Node:\n      type: object\n      properties:\n        children:\n          type: array\n          items: {$ref: '#/components/schemas/Node'}\n",
    );
    const io = bufferIo(dir);
    expect(await runImport(io, "tree.yaml", { format: "openapi" })).toBe(1);
    expect(io.stderr()).toContain("tree.yaml:10:19 error jsonschema-recursive");
    writeFileSync(join(dir, "broken.yaml"), "openapi: 3.0.0\ncomponents:\n  schemas: [\n");
    const broken = bufferIo(dir);
    expect(await runImport(broken, "broken.yaml", { format: "openapi" })).toBe(1);
    expect(broken.stderr()).toMatch(/broken\.yaml:\d+:\d+ error yaml-/);
  });
});
