import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatIssue } from "../../issues.js";
import { expectGolden, exportFile, exportText, fixtures, onlyText } from "../format-test-kit.test-helpers.js";
import { sqlDialects } from "../sql/dialects.js";

const golden = (name: string) => fileURLToPath(new URL(`testdata/${name}`, import.meta.url));

describe("sql-query export", () => {
  for (const dialect of sqlDialects) {
    for (const fixture of ["rich", "hostile"] as const) {
      it(`writes the ${fixture} SELECTs for ${dialect}`, async () => {
        const result = await exportFile("sql-query", fixtures[fixture], { dialect });
        expectGolden(onlyText(result), golden(`${fixture}.${dialect}.sql`));
      });
    }
  }

  it("selects from one object with the schema option, by name or physical name", async () => {
    const text = onlyText(await exportFile("sql-query", fixtures.hostile, { schema: "order items" }));
    expect(text).toBe('SELECT\n  "def",\n  "interface",\n  "package"\nFROM "order items";\n');
    const result = await exportFile("sql-query", fixtures.rich, { schema: "customers", dialect: "bigquery" });
    expect(result.files[0]?.path).toBe("shop.orders.customers.bigquery.query.sql");
  });

  it("reads physical names, and refuses an object that is not there", async () => {
    const contract = `apiVersion: v3.1.0
kind: DataContract
id: t
version: 1.0.0
status: draft
schema:
  - name: orders
    physicalName: order facts
    properties:
      - name: id
        physicalName: order id
      - name: total
  - name: empty
`;
    const text = onlyText(await exportText("sql-query", contract, { dialect: "sqlserver" }));
    expect(text).toBe("SELECT\n  [order id],\n  [total]\nFROM [order facts];\n\nSELECT *\nFROM [empty];\n");
    const missing = await exportText("sql-query", contract, { schema: "nope" });
    expect(missing.files).toEqual([]);
    expect(missing.issues.map(formatIssue)).toEqual([
      'contract.odcs.yaml error sql-query-no-object the contract has no schema object named "nope"',
    ]);
    const warned = await exportText("sql-query", contract);
    expect(warned.issues.map(formatIssue)).toEqual([
      "contract.odcs.yaml:13:5 warning sql-query-no-columns empty has no properties; selecting every column",
    ]);
  });
});
