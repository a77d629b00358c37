import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SourceDocument, validateSchema } from "@quanta/core";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { bufferIo } from "../buffer-io.js";
import { runExport } from "../commands/run-export.js";
import { runImport } from "../commands/run-import.js";
import { checksOf, ordersWorkspace } from "./contract-checks.test-helpers.js";

const { dir, run } = ordersWorkspace();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Reads an .xlsx with Python's standard library only (zipfile, xml): the sheet names in workbook
 * order and the cells of the first sheet, so the file is checked by a reader that is not exceljs.
 */
const pythonReader = `
import json, sys, zipfile, xml.etree.ElementTree as ET
ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
types = z.read("[Content_Types].xml").decode()
assert "spreadsheetml.sheet.main+xml" in types
book = ET.fromstring(z.read("xl/workbook.xml"))
rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
targets = {r.get("Id"): r.get("Target") for r in rels}
sheets = [(s.get("name"), targets[s.get("{%s}id" % ns["r"])]) for s in book.find("m:sheets", ns)]
shared = []
if "xl/sharedStrings.xml" in z.namelist():
    for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns):
        shared.append("".join(t.text or "" for t in si.iter("{%s}t" % ns["m"])))
def cells(target):
    path = target if target.startswith("xl/") else "xl/" + target.lstrip("/")
    out = {}
    for c in ET.fromstring(z.read(path)).iter("{%s}c" % ns["m"]):
        t, v = c.get("t"), c.find("m:v", ns)
        if t == "s": out[c.get("r")] = shared[int(v.text)]
        elif t == "inlineStr": out[c.get("r")] = "".join(x.text or "" for x in c.iter("{%s}t" % ns["m"]))
        elif t == "b": out[c.get("r")] = v.text == "1"
        elif v is not None: out[c.get("r")] = v.text
    return out
print(json.dumps({"sheets": [n for n, _ in sheets], "first": cells(sheets[0][1])}))
`;

describe("quanta export/import --format excel on the demo's orders", () => {
  it.skipIf(spawnSync("python3", ["--version"]).status !== 0)(
    "writes an .xlsx a reader other than exceljs opens, with the template's sheets and cells",
    async () => {
      const io = bufferIo(dir);
      expect(await runExport(io, "contracts/orders.odcs.yaml", { format: "excel", output: "orders.xlsx" })).toBe(0);
      expect(io.stderr()).toContain("wrote orders.xlsx");
      const read = JSON.parse(
        execFileSync("python3", ["-c", pythonReader, join(dir, "orders.xlsx")], { encoding: "utf8" }),
      );
      expect(read.sheets).toEqual([
        "Fundamentals",
        "Schema orders",
        "Quality",
        "Servers",
        "Team",
        "Roles",
        "Support",
        "Pricing",
        "SLA",
        "Custom Properties",
      ]);
      expect(read.first).toMatchObject({ A1: "Field", B1: "Value", A4: "id", B4: "sales.orders.orders", B6: "1.3.0" });
    },
  );

  it("reads the workbook back to a contract whose checks find the same on the real data", async () => {
    const io = bufferIo(dir);
    expect(
      await runExport(io, "contracts/orders.odcs.yaml", {
        format: "excel",
        output: "contracts/orders.xlsx",
        force: true,
      }),
    ).toBe(0);
    const back = bufferIo(dir);
    const code = await runImport(back, "contracts/orders.xlsx", {
      format: "excel",
      output: "contracts/from-excel.odcs.yaml",
    });
    expect(
      back
        .stderr()
        .split("\n")
        .filter((l) => / (error|warning) /.test(l)),
    ).toEqual([]);
    expect(code).toBe(0);
    const text = readFileSync(join(dir, "contracts/from-excel.odcs.yaml"), "utf8");
    expect(validateSchema(SourceDocument.parse(text, "from-excel.odcs.yaml"), "odcs")).toEqual([]);
    expect(parse(text).id).toBe("sales.orders.orders");
    expect(await checksOf(run, "contracts/from-excel.odcs.yaml")).toEqual(
      await checksOf(run, "contracts/orders.odcs.yaml"),
    );
  });

  it("refuses a CSV named .xlsx with the reason", async () => {
    const io = bufferIo(dir);
    writeFileSync(join(dir, "fake.xlsx"), "id,name\n1,a\n");
    const code = await runImport(io, "fake.xlsx", { format: "excel" });
    expect(code).toBe(1);
    expect(io.stderr()).toContain("fake.xlsx error excel-not-xlsx not an Excel workbook (.xlsx)");
  });
});
