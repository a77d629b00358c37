import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  expectGolden,
  exportFile,
  exportText,
  fixtures,
  issuesWith,
  onlyText,
} from "../format-test-kit.test-helpers.js";

const here = fileURLToPath(new URL(".", import.meta.url));

describe("pandera export", () => {
  it("writes one DataFrameModel per schema object of the rich contract", async () => {
    const result = await exportFile("pandera", fixtures.rich);
    const text = onlyText(result);
    expectGolden(text, join(here, "testdata/rich.py"));
    expect(result.files[0]?.path).toBe("shop_orders.py");
    expect(text).toMatch(/^"""pandera DataFrame models of data contract shop\.orders 2\.1\.0 \(Shop orders\)\./);
    expect(text).toContain("class Customers(pa.DataFrameModel):");
    expect(text).toContain("class Orders(pa.DataFrameModel):");
    // Types, nullability, uniqueness, keys and checks from the contract.
    expect(text).toContain("    customer_id: Series[int] = pa.Field(nullable=False, unique=True, description=");
    expect(text).toContain(
      '    order_id: Series[str] = pa.Field(str_length={"min_value": 12, "max_value": 12}, str_matches="^ORD-[0-9]{8}$", nullable=False, unique=True)',
    );
    expect(text).toContain("    total: Series[float] = pa.Field(ge=0, le=100000, nullable=False)");
    expect(text).toContain("    quantity: Series[pd.Int64Dtype] = pa.Field(ge=1, nullable=True)");
    expect(text).toContain("    gift: Series[pd.BooleanDtype] = pa.Field(nullable=True)");
    expect(text).toContain("    ordered_at: Series[pa.DateTime] = pa.Field(nullable=False)");
    expect(text).toContain("    signed_up: Series[pa.Date] = pa.Field(nullable=False)");
    expect(text).toContain(
      '    status: Series[str] = pa.Field(isin=["placed", "shipped", "delivered", "returned"], nullable=False)',
    );
    expect(text).not.toContain("unique = [");
    expect(text).toContain("    # primary key\n    order_id:");
    expect(text).toContain(
      "    # references customers.customer_id (not checked: pandera validates one DataFrame)\n    customer_id:",
    );

    // What pandera cannot check is said, at the contract's line.
    const warned = issuesWith(result.issues, "export-not-representable");
    const email = warned.find((i) => i.message.includes('"email"'));
    expect(email).toMatchObject({ file: expect.stringMatching(/rich\.odcs\.yaml$/), line: 45 });
    expect(warned.some((i) => i.message.includes("No future orders"))).toBe(true);
    expect(warned.some((i) => i.message.includes("time-of-day"))).toBe(true);
  });

  it("keeps hostile names as aliases of safe attributes", async () => {
    const text = onlyText(await exportFile("pandera", fixtures.hostile));
    expectGolden(text, join(here, "testdata/hostile.py"));
    expect(text).toContain("class Select(pa.DataFrameModel):");
    expect(text).toContain("class OrderItems(pa.DataFrameModel):");
    expect(text).toContain('    from_: Series[int] = pa.Field(alias="from", nullable=False, unique=True)');
    expect(text).toContain('alias="a\\"b"');
    expect(text).toContain('alias="gr\\u00f6\\u00dfe"');
    expect(text).toContain('alias="a;drop table x"');
    expect(text).toContain('isin=["it\'s", "say \\"hi\\"", "a\\\\b"]');
    // Two names that become the same identifier stay apart.
    expect(text).toMatch(/ order_date: .*alias="order date"/);
    expect(text).toMatch(/ order_date_2: .*alias="Order Date"/);
    // The docstring cannot be closed by the contract's text.
    expect(text.split('"""')).toHaveLength(3);
  });

  it("names a schema object that is not there", async () => {
    const result = await exportFile("pandera", fixtures.rich, { schema: "invoices" });
    expect(result.files).toEqual([]);
    expect(issuesWith(result.issues, "export-no-schema")[0]?.message).toMatch(/invoices/);
  });

  it("escapes a contract whose text tries to end the docstring", async () => {
    const yaml = [
      "apiVersion: v3.1.0",
      "kind: DataContract",
      "id: tricky",
      'name: \'Ends """ early \\\'',
      "version: 1.0.0",
      "status: draft",
      "description:",
      '  purpose: \'a \\ backslash and """\'',
      "schema:",
      "  - name: t",
      "    properties:",
      "      - name: x",
      "        logicalType: string",
      "",
    ].join("\n");
    const text = onlyText(await exportText("pandera", yaml));
    expect(text.split('"""')).toHaveLength(3);
    expect(text).toContain('Ends \\"\\"\\" early \\\\');
  });
});
