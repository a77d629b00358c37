import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { SourceDocument, validateSchema } from "@quanta/core";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { checksOf, ordersWorkspace } from "./contract-checks.test-helpers.js";

const { dir, run } = ordersWorkspace();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("quanta export/import --format odcs on the demo's orders", () => {
  it.each(["v3.0.2", "v2.2.2"])(
    "writes %s and reads it back to a contract whose checks find the same on the real data",
    async (version) => {
      const original = await checksOf(run, "contracts/orders.odcs.yaml");
      const old = `contracts/orders.${version}.odcs.yaml`;
      const exported = await run(
        "export",
        "--format",
        "odcs",
        "--option",
        `version=${version}`,
        "contracts/orders.odcs.yaml",
        "--output",
        old,
      );
      expect(exported.code).toBe(0);
      // What the old version cannot hold is named at the contract's line (or nothing is lost).
      for (const line of exported.err.trim().split("\n").filter(Boolean)) {
        expect(line).toMatch(/^(contracts\/orders\.odcs\.yaml:\d+:\d+ (warning|info) odcs-export-|wrote contracts\/)/);
      }
      const back = `contracts/orders.from-${version}.odcs.yaml`;
      const imported = await run("import", "--format", "odcs", old, "--output", back);
      expect(imported.code, imported.err).toBe(0);
      const text = readFileSync(join(dir, back), "utf8");
      expect(validateSchema(SourceDocument.parse(text, back), "odcs")).toEqual([]);
      expect(await checksOf(run, back)).toEqual(original);
    },
  );

  it("detects an old version without --format and refuses an unknown --option version", async () => {
    await run(
      "export",
      "--format",
      "odcs",
      "--option",
      "version=v3.0.2",
      "contracts/orders.odcs.yaml",
      "--output",
      "contracts/old.yaml",
      "--force",
    );
    const detected = await run("import", "contracts/old.yaml");
    expect(detected.code, detected.err).toBe(0);
    expect(parse(detected.out).apiVersion).toBe("v3.1.0");
    const bad = await run("export", "--format", "odcs", "--option", "version=v1", "contracts/orders.odcs.yaml");
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("odcs option version must be one of v3.1.0, v3.0.2, v2.2.2");
  });
});
