import { describe, expect, it } from "vitest";
import { RowValidator } from "./row-validator.js";

const contract = {
  apiVersion: "v3.1.0",
  kind: "DataContract",
  id: "names",
  version: "1.0.0",
  status: "active",
  schema: [
    {
      name: "things",
      properties: [
        { name: "id", logicalType: "integer", required: true },
        { name: "constructor", logicalType: "string" },
        { name: "toString", logicalType: "string" },
        { name: "__proto__", logicalType: "string" },
      ],
    },
  ],
};

describe("RowValidator", () => {
  const v = new RowValidator(contract, "things");

  it("reads a record's own properties only: a missing `constructor` is missing, not Object's", () => {
    const verdict = v.validate({ id: 1 }, "strict");
    expect(verdict.reasons).toEqual([]);
    expect(JSON.stringify(verdict.row)).toBe('{"id":1,"constructor":null,"toString":null,"__proto__":null}');
  });

  it("keeps a property named __proto__ as data in the row", () => {
    const record = JSON.parse('{"id": 2, "__proto__": "x", "toString": "y"}');
    const row = v.validate(record, "strict").row as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(row, "__proto__")?.value).toBe("x");
    expect(JSON.parse(JSON.stringify(row))).toEqual(
      JSON.parse('{"id":2,"constructor":null,"toString":"y","__proto__":"x"}'),
    );
  });
});
