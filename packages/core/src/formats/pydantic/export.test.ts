import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  expectGolden,
  exportFile,
  exportText,
  fixtures,
  issuesWith,
  onlyText,
} from "../format-test-kit.test-helpers.js";

const golden = (name: string) => join(import.meta.dirname, "testdata", name);

describe("pydantic export", () => {
  it("writes a BaseModel per object and per nested object (rich)", async () => {
    const text = onlyText(await exportFile("pydantic", fixtures.rich));
    expectGolden(text, golden("rich.py.txt"));
    expect(text).toContain("class OrdersShippingAddress(BaseModel):");
    expect(text).toContain("shipping_address: Optional[OrdersShippingAddress] = None");
    expect(text).toContain("total: Decimal = Field(ge=0, le=100000, max_digits=12, decimal_places=2)");
  });

  it("renames keywords and hostile names and keeps the original as the alias (hostile)", async () => {
    const text = onlyText(await exportFile("pydantic", fixtures.hostile));
    expectGolden(text, golden("hostile.py.txt"));
    expect(text).toContain('from_: int = Field(alias="from")');
    expect(text).toContain('class_: Optional[str] = Field(default=None, alias="class"');
    expect(text).toContain('field_1st: Optional[bool] = Field(default=None, alias="1st")');
    expect(text).toContain('field: Optional[str] = Field(default=None, alias="\\u043a\\u043b\\u044e\\u0447")');
    expect(text).toContain('order_date_2: Optional[str] = Field(default=None, alias="Order Date")');
  });

  it("warns where the model cannot check what the contract says", async () => {
    const result = await exportFile("pydantic", fixtures.rich);
    expect(issuesWith(result.issues, "export-not-representable")).toMatchObject([
      { severity: "warning", path: "schema[0].properties[1].logicalTypeOptions.format" },
    ]);
  });

  it("keeps fields off BaseModel's own attributes", async () => {
    const yaml = `apiVersion: v3.1.0
kind: DataContract
id: clash
version: 1.0.0
status: draft
schema:
  - name: base model
    properties:
      - { name: json, logicalType: string, required: true }
      - { name: model_config, logicalType: string, required: true }
      - { name: datetime, logicalType: timestamp, required: true }
      - { name: Decimal, logicalType: number }
`;
    const text = onlyText(await exportText("pydantic", yaml));
    expect(text).toContain('json_: str = Field(alias="json")');
    expect(text).toContain('model_config_: str = Field(alias="model_config")');
    expect(text).toContain('datetime_: datetime.datetime = Field(alias="datetime")');
    expect(text).toContain('decimal_: Optional[float] = Field(default=None, alias="Decimal")');
  });
});
