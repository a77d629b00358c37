import { describe, expect, it } from "vitest";
import type { ProfileColumn } from "../api/types.js";
import { declaredColumns, formatCount, formatRate, formatValue, profileView } from "./profile.js";

const col = (name: string, over: Partial<ProfileColumn> = {}): ProfileColumn => ({
  name,
  type: "VARCHAR",
  nulls: 0,
  nullRate: 0,
  distinct: 1,
  distinctApproximate: false,
  min: null,
  max: null,
  mean: null,
  top: null,
  ...over,
});

describe("profileView", () => {
  it("flags the columns the contract does not declare and lists the ones the data lacks", () => {
    const v = profileView({ dataset: "orders", rows: 10, columns: [col("order_id"), col("Amount"), col("surprise")] }, [
      "order_id",
      "amount",
      "status",
    ]);
    expect(v.rows.map((r) => [r.column.name, r.declared])).toEqual([
      ["order_id", true],
      ["Amount", true],
      ["surprise", false],
    ]);
    expect(v.missing).toEqual(["status"]);
  });

  it("flags nothing without a contract to compare, and believes the platform's own flag", () => {
    const v = profileView({ dataset: "orders", rows: 1, columns: [col("a")] }, undefined);
    expect(v.rows[0]?.declared).toBeNull();
    expect(v.missing).toEqual([]);
    const flagged = { ...col("b"), declared: false } as ProfileColumn;
    expect(profileView({ dataset: "orders", rows: 1, columns: [flagged] }, ["b"]).rows[0]?.declared).toBe(false);
  });

  it("finds the contract's dataset by name or physical name", () => {
    const sets = [{ name: "Orders", physicalName: "orders_v2", columns: ["a"] }];
    expect(declaredColumns(sets, "orders")).toEqual(["a"]);
    expect(declaredColumns(sets, "ORDERS_V2")).toEqual(["a"]);
    expect(declaredColumns(sets, "returns")).toBeUndefined();
  });
});

describe("formatting", () => {
  it("shows rates with the precision that matters", () => {
    expect(formatRate(0)).toBe("0 %");
    expect(formatRate(0.0004)).toBe("0.04 %");
    expect(formatRate(0.0123)).toBe("1.2 %");
    expect(formatRate(0.5)).toBe("50 %");
    expect(formatRate(1)).toBe("100 %");
    expect(formatRate(null)).toBe("—");
  });

  it("shows values and counts", () => {
    expect(formatValue(null)).toBe("—");
    expect(formatValue("2026-12-01")).toBe("2026-12-01");
    expect(formatValue(1.23456)).toBe((1.235).toLocaleString());
    expect(formatCount(1200)).toBe((1200).toLocaleString());
    expect(formatCount(12_000)).toBe("12k");
    expect(formatCount(3_400_000)).toBe("3.4M");
  });
});
