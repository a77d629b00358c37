import { describe, expect, it } from "vitest";
import { expectCleanImport, importText } from "../format-test-kit.test-helpers.js";

describe("DCS bounds that contradict each other", () => {
  it("are kept aside with a warning at the first, so the contract lints clean", async () => {
    const dcs = `dataContractSpecification: 1.2.1
id: x
info:
  title: X
  version: 1.0.0
models:
  m:
    fields:
      code:
        type: string
        minLength: 5
        maxLength: 1
`;
    const out = await importText("dcs", dcs, {}, "dc.yaml");
    expect(out.issues.filter((i) => i.code === "dcs-bounds-contradict").map((i) => `${i.line}: ${i.message}`)).toEqual([
      "11: minLength 5 is above maxLength 1: no value could meet both; neither is checked",
    ]);
    const text = expectCleanImport(out, ["dcs-bounds-contradict"]);
    expect(text).not.toContain("logicalTypeOptions");
    expect(text).toContain("property: minLength");
  });
});
