import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { changeKinds, changeTable } from "./change-table.js";

it("docs/adr/0006-change-severity.md lists exactly the change table", () => {
  const adr = readFileSync(join(__dirname, "../../../../docs/adr/0006-change-severity.md"), "utf8");
  const block = adr.split("<!-- change-table:start -->")[1]?.split("<!-- change-table:end -->")[0] ?? "";
  const rows = block
    .split("\n")
    .filter((l) => l.startsWith("| `"))
    .map((l) => l.split("|").map((c) => c.trim()));
  const documented = rows.map(([, kind, severity, why]) => ({ kind: kind?.replaceAll("`", ""), severity, why }));
  expect(documented).toEqual(
    changeKinds.map((kind) => ({ kind, severity: changeTable[kind].severity, why: changeTable[kind].reason })),
  );
});
