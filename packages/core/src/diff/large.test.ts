import { describe, expect, it } from "vitest";
import { diffContracts } from "./contract-diff.js";

/** 5,000 properties in 10 objects, some nested; `mutate` edits one side. */
function huge(mutate?: (props: Record<string, unknown>[][]) => void) {
  const schema = Array.from({ length: 10 }, (_, o) => ({
    name: `t${o}`,
    properties: Array.from({ length: 500 }, (_, p) => ({
      name: `c${p}`,
      logicalType: p % 50 === 0 ? "object" : "string",
      logicalTypeOptions: p % 50 === 0 ? undefined : { maxLength: 64 },
      ...(p % 50 === 0 ? { properties: [{ name: "inner", logicalType: "string" }] } : {}),
    })),
  }));
  mutate?.(schema.map((s) => s.properties as Record<string, unknown>[]));
  return { apiVersion: "v3.1.0", kind: "DataContract", id: "x", version: "1.0.0", schema };
}

describe("huge contracts", () => {
  it("diffs 5,000 properties with one change quickly", () => {
    const before = huge();
    const after = huge((t) => {
      const target = t[7]?.[251] as { logicalTypeOptions: { maxLength: number } } | undefined;
      if (target) target.logicalTypeOptions.maxLength = 32;
    });
    const t0 = performance.now();
    const changes = diffContracts(before, after);
    const ms = performance.now() - t0;
    expect(changes.map((c) => c.path)).toEqual(["schema[t7].properties[c251].logicalTypeOptions.maxLength"]);
    expect(ms).toBeLessThan(2000);
  });

  it("stays linear when every property is renamed (worst case for matching)", () => {
    const before = huge();
    const after = huge((t) => {
      for (const props of t) for (const p of props) p.name = `${p.name}_renamed`;
    });
    const t0 = performance.now();
    const changes = diffContracts(before, after);
    expect(changes.length).toBe(10_000);
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});
