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

describe("sqlalchemy export", () => {
  it("writes declarative models with keys and foreign keys (rich)", async () => {
    const text = onlyText(await exportFile("sqlalchemy", fixtures.rich));
    expectGolden(text, golden("rich.py.txt"));
    expect(text).toContain('__tablename__ = "orders"');
    expect(text).toContain(
      'customer_id: Mapped[int] = mapped_column("customer_id", BigInteger, ForeignKey("customers.customer_id"), nullable=False)',
    );
    expect(text).toContain('order_id: Mapped[str] = mapped_column("order_id", String(20), primary_key=True)');
    expect(text).toContain('total: Mapped[Decimal] = mapped_column("total", Numeric(12, 2), nullable=False)');
  });

  it("names every hostile table and column through SQLAlchemy's name argument (hostile)", async () => {
    const result = await exportFile("sqlalchemy", fixtures.hostile);
    const text = onlyText(result);
    expectGolden(text, golden("hostile.py.txt"));
    expect(text).toContain('__tablename__ = "select"');
    expect(text).toContain('from_: Mapped[int] = mapped_column("from", Integer, primary_key=True)');
    expect(text).toContain('a_b: Mapped[Optional[str]] = mapped_column("a\\"b", String, nullable=True)');
    expect(text).toContain('Column("def", Integer, ForeignKey("select.from"), nullable=False)');
    expect(issuesWith(result.issues, "export-not-representable")).toMatchObject([
      { severity: "warning", path: "schema[1]", message: expect.stringContaining("no primary key") },
    ]);
  });

  it("writes composite foreign keys as a ForeignKeyConstraint", async () => {
    const yaml = `apiVersion: v3.1.0
kind: DataContract
id: composite
version: 1.0.0
status: draft
schema:
  - name: a
    properties:
      - { name: x, logicalType: integer, primaryKey: true, primaryKeyPosition: 1 }
      - { name: y, logicalType: integer, primaryKey: true, primaryKeyPosition: 2 }
  - name: b
    relationships:
      - { type: foreignKey, from: [b.ax, b.ay], to: [a.x, a.y] }
    properties:
      - { name: id, logicalType: string, primaryKey: true }
      - { name: ax, logicalType: integer }
      - { name: ay, logicalType: integer }
      - { name: metadata, logicalType: object }
`;
    const text = onlyText(await exportText("sqlalchemy", yaml));
    expect(text).toContain('__table_args__ = (ForeignKeyConstraint(["ax", "ay"], ["a.x", "a.y"]),)');
    expect(text).toContain(
      'metadata_: Mapped[Optional[dict[str, Any]]] = mapped_column("metadata", JSON, nullable=True)',
    );
  });
});
