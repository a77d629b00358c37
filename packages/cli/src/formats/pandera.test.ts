import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportWithFormat, getFormat, SourceDocument } from "@quanta/core";
import { openDuckDb } from "@quanta/engine-duckdb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The generated pandera models compiled by the real Python, and (where pandera is installed) run
// on the demo's orders rows as DuckDB reads them from the Parquet file.
const repoRoot = join(import.meta.dirname, "../../../..");
const fixtures = {
  rich: join(repoRoot, "packages/core/src/formats/testdata/rich.odcs.yaml"),
  hostile: join(repoRoot, "packages/core/src/formats/testdata/hostile.odcs.yaml"),
  orders: join(repoRoot, "examples/webshop/orders/contracts/orders.odcs.yaml"),
};
const ordersData = join(repoRoot, "examples/webshop/orders/data/orders.parquet");
const python = spawnSync("python3", ["--version"]).status === 0 ? "python3" : undefined;
// Asked from a neutral directory: run from a folder named `pandera`, Python would import that.
const panderaSkip = !python
  ? "python3 is not on PATH"
  : spawnSync(python, ["-c", "import pandas, pandera.pandas"], { cwd: tmpdir() }).status !== 0
    ? "pandera (with pandas) is not installed for python3"
    : undefined;
let dir: string;

async function exportPython(contract: string): Promise<string> {
  const format = getFormat("pandera");
  if (!format) throw new Error("pandera is not registered");
  const result = await exportWithFormat(format, SourceDocument.parse(readFileSync(contract, "utf8"), contract), {});
  expect(result.issues.filter((i) => i.severity === "error")).toEqual([]);
  expect(result.files).toHaveLength(1);
  return String(result.files[0]?.content);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "quanta-pandera-export-"));
  for (const [name, contract] of Object.entries(fixtures)) {
    writeFileSync(join(dir, `${name}_schemas.py`), await exportPython(contract));
  }
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function run(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(python ?? "python3", args, { cwd: dir, encoding: "utf8" });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe.skipIf(!python)("pandera export, compiled by python3", () => {
  it("compiles for rich, hostile and orders", () => {
    for (const name of ["rich", "hostile", "orders"]) {
      expect(run(["-m", "py_compile", `${name}_schemas.py`]), name).toMatchObject({ status: 0, out: "" });
    }
  });

  it("gives every hostile column its own attribute, named by alias (parsed by Python's ast)", () => {
    const script = `
import ast, json
tree = ast.parse(open("hostile_schemas.py", encoding="utf8").read())
out = {}
for cls in [n for n in tree.body if isinstance(n, ast.ClassDef)]:
    cols = {}
    for stmt in cls.body:
        if isinstance(stmt, ast.AnnAssign):
            alias = [k.value.value for k in stmt.value.keywords if k.arg == "alias"]
            cols[stmt.target.id] = alias[0] if alias else stmt.target.id
    out[cls.name] = cols
print(json.dumps(out, ensure_ascii=False))
`;
    const r = run(["-c", script]);
    expect(r.status, r.out).toBe(0);
    const classes = JSON.parse(r.out) as Record<string, Record<string, string>>;
    expect(Object.values(classes.Select ?? {})).toEqual([
      "from",
      "order date",
      "class",
      "größe",
      'a"b',
      "x'y",
      "1st",
      "type",
      "ключ",
      "a;drop table x",
      "Order Date",
    ]);
    expect(Object.values(classes.OrderItems ?? {})).toEqual(["def", "interface", "package"]);
  });

  it("fails to compile a broken module (the check can fail)", () => {
    writeFileSync(join(dir, "broken_schemas.py"), "class Select(pa.DataFrameModel):\n    from: Series[int]\n");
    expect(run(["-m", "py_compile", "broken_schemas.py"]).status).not.toBe(0);
  });
});

/** The orders rows as DuckDB reads them: decimals as doubles, dates and timestamps as ISO text. */
async function ordersRows(): Promise<Record<string, unknown>[]> {
  const conn = await openDuckDb({
    server: { type: "local", path: ordersData, format: "parquet" },
    objects: [{ name: "orders" }],
    baseDir: repoRoot,
  });
  try {
    const columns = await conn.run(`DESCRIBE ${conn.relation("orders")}`);
    const select = columns.map((c) => {
      const name = `"${String(c.column_name)}"`;
      const type = String(c.column_type);
      if (type.startsWith("DECIMAL")) return `${name}::DOUBLE AS ${name}`;
      if (type === "DATE" || type.startsWith("TIMESTAMP")) return `${name}::VARCHAR AS ${name}`;
      return name;
    });
    return await conn.run(`SELECT ${select.join(", ")} FROM ${conn.relation("orders")}`);
  } finally {
    await conn.close();
  }
}

describe.skipIf(panderaSkip !== undefined)(
  `pandera models on the demo's orders${panderaSkip ? ` (skipped: ${panderaSkip})` : ""}`,
  () => {
    it("validates every orders row and rejects a broken one", async () => {
      const rows = ordersRows();
      writeFileSync(
        join(dir, "orders.json"),
        JSON.stringify(await rows, (_k, v) => (typeof v === "bigint" ? Number(v) : v)),
      );
      const script = `
import json, sys, pandas as pd, pandera.errors
import orders_schemas as m
model = [v for v in vars(m).values() if isinstance(v, type) and issubclass(v, m.pa.DataFrameModel) and v is not m.pa.DataFrameModel][0]
df = pd.DataFrame.from_records(json.load(open("orders.json")))
model.validate(df, lazy=True)
bad = df.copy()
bad.loc[0, "status"] = "teleported"
try:
    model.validate(bad, lazy=True)
    print("broken row accepted"); sys.exit(1)
except pandera.errors.SchemaErrors as e:
    print(len(df), "rows valid; broken row refused:", "teleported" in str(e))
`;
      const r = run(["-c", script]);
      expect(r.status, r.out).toBe(0);
      expect(r.out).toMatch(/rows valid; broken row refused: True/);
    });
  },
);
