import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { SourceDocument, validateSchema } from "@quanta/core";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { checksOf, ordersWorkspace } from "./contract-checks.test-helpers.js";

const { dir, run } = ordersWorkspace();

/** The items of `a` left after taking out those of `b`, one for one. */
function without(a: readonly string[], b: readonly string[]): string[] {
  const rest = [...b];
  return a.filter((x) => {
    const i = rest.indexOf(x);
    if (i === -1) return true;
    rest.splice(i, 1);
    return false;
  });
}
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("quanta export --format dcs on the demo's orders", () => {
  it("writes DCS 1.2.1 the official schema accepts, whose import checks the same on the real data", async () => {
    const exported = await run(
      "export",
      "--format",
      "dcs",
      "contracts/orders.odcs.yaml",
      "--output",
      "contracts/datacontract.yaml",
    );
    expect(exported.code, exported.err).toBe(0);
    const dcs = readFileSync(join(dir, "contracts/datacontract.yaml"), "utf8");
    expect(validateSchema(SourceDocument.parse(dcs, "datacontract.yaml"), "dcs")).toEqual([]);
    expect(parse(dcs).dataContractSpecification).toBe("1.2.1");
    // What DCS cannot hold is named, at the contract's line.
    expect(exported.err).toMatch(/contracts\/orders\.odcs\.yaml:\d+:\d+ warning dcs-export-unmapped DCS has no roles/);
    const imported = await run(
      "import",
      "--format",
      "dcs",
      "contracts/datacontract.yaml",
      "--output",
      "contracts/back.odcs.yaml",
    );
    expect(imported.code, imported.err).toBe(0);
    const back = readFileSync(join(dir, "contracts/back.odcs.yaml"), "utf8");
    expect(validateSchema(SourceDocument.parse(back, "back.odcs.yaml"), "odcs")).toEqual([]);
    const original = await checksOf(run, "contracts/orders.odcs.yaml");
    const converted = await checksOf(run, "contracts/back.odcs.yaml");
    // DCS bounds are numbers: the timestamp's minimum is the one check that does not survive, and
    // the export said so at its line.
    expect(without(converted, original)).toEqual([]);
    expect(without(original, converted)).toEqual(["minimum passed 0 = 0"]);
    expect(exported.err).toMatch(
      /orders\.odcs\.yaml:\d+:\d+ warning dcs-export-unmapped DCS minimum must be a number; "2015-01-01 00:00:00" was not exported/,
    );
  });
});
