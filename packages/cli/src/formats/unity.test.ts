import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { exportFormatNames, importFormatNames } from "../commands/format-names.js";
import { consoleIn } from "../run-console.test-helpers.js";

// No Databricks tool runs here (the CLI and SDK are not installed, and a workspace is needed to
// create a table): the pure tests in core check that type_text, type_name and type_json agree.
// This runs the format from the console once "unity" is in its lists of formats
// (commands/format-names.ts, the lead's); until then it runs nothing.
const repoRoot = join(import.meta.dirname, "../../../..");
const rich = join(repoRoot, "packages/core/src/formats/testdata/rich.odcs.yaml");
const dir = mkdtempSync(join(tmpdir(), "quanta-unity-"));
const quanta = consoleIn(dir);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!importFormatNames.includes("unity") || !exportFormatNames.includes("unity"))(
  "unity from the console",
  () => {
    it("exports a contract and imports the table back with its keys", async () => {
      const out = await quanta(
        "export",
        rich,
        "--format",
        "unity",
        "--option",
        "schema=orders",
        "--option",
        "catalog=main",
        "--option",
        "database=shop",
        "-o",
        "orders.unity.json",
      );
      expect(out.code).toBe(0);
      const table = JSON.parse(readFileSync(join(dir, "orders.unity.json"), "utf8")) as {
        full_name?: string;
        catalog_name: string;
      };
      expect(table.catalog_name).toBe("main");
      const back = await quanta("import", "--format", "unity", "orders.unity.json");
      expect(back.code).toBe(0);
      const contract = parse(back.out) as {
        schema: { properties: { name: string; primaryKey?: boolean; required?: boolean }[] }[];
      };
      const orderId = contract.schema[0]?.properties.find((p) => p.name === "order_id");
      expect(orderId).toMatchObject({ primaryKey: true, required: true });
    });
  },
);
