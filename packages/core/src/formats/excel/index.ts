import type { Format } from "../format.js";
import { startsWith } from "../text-source.js";

export const format: Format = {
  name: "excel",
  title: "ODCS Excel template",
  importer: {
    description:
      "the ODCS Excel template (odcs-template.xlsx: Fundamentals, Schema <name>, Quality, Servers, Team, Roles, Support, Pricing, SLA, Custom Properties) to ODCS v3.1.0",
    target: "odcs",
    input: "binary",
    // A zip archive: the importer itself says when it is not the template.
    detect: (input) => /\.xlsx$/i.test(input.file) && startsWith(input.bytes, [0x50, 0x4b, 0x03, 0x04]),
    run: async (input) => {
      const { readWorkbook, importSheets } = await import("./import.js");
      const sheets = await readWorkbook(input);
      return Array.isArray(sheets) ? importSheets(input.file, sheets) : { value: {}, issues: [sheets] };
    },
  },
  exporter: {
    description: "the contract as the ODCS Excel template (.xlsx), one Schema sheet per schema object",
    run: async (input) => (await import("./export.js")).exportExcel(input),
  },
};
