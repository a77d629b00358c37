import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportWithFormat, getFormat, SourceDocument } from "@quanta/core";
import { defaultConsumeLimits } from "@quanta/core/engines";
import { consumeQuery, SandboxPool } from "@quanta/engine-duckdb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The generated Pydantic models compiled by the real Python, and (where pydantic is installed)
// run on the demo's orders as Quanta's consume API answers them in JSON.
const repoRoot = join(import.meta.dirname, "../../../..");
const fixtures = {
  rich: join(repoRoot, "packages/core/src/formats/testdata/rich.odcs.yaml"),
  hostile: join(repoRoot, "packages/core/src/formats/testdata/hostile.odcs.yaml"),
  orders: join(repoRoot, "examples/webshop/orders/contracts/orders.odcs.yaml"),
  ordersData: join(repoRoot, "examples/webshop/orders/data/orders.parquet"),
};
const python = spawnSync("python3", ["--version"]).status === 0 ? "python3" : undefined;
const pydanticSkip = !python
  ? "python3 is not on PATH"
  : spawnSync(python, ["-c", "import pydantic; assert pydantic.VERSION.startswith('2.')"]).status !== 0
    ? "pydantic 2 is not installed for python3"
    : undefined;
let dir: string;

async function exportPython(contract: string): Promise<string> {
  const format = getFormat("pydantic");
  if (!format) throw new Error("pydantic is not registered");
  const result = await exportWithFormat(format, SourceDocument.parse(readFileSync(contract, "utf8"), contract), {});
  expect(result.issues.filter((i) => i.severity === "error")).toEqual([]);
  expect(result.files).toHaveLength(1);
  return String(result.files[0]?.content);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "quanta-pydantic-export-"));
  for (const [name, contract] of Object.entries(fixtures)) {
    if (name !== "ordersData") writeFileSync(join(dir, `${name}_models.py`), await exportPython(contract));
  }
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function run(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(python ?? "python3", args, { cwd: dir, encoding: "utf8" });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe.skipIf(!python)("pydantic export, compiled by python3", () => {
  it("compiles for rich, hostile and orders", () => {
    for (const name of ["rich", "hostile", "orders"]) {
      expect(run(["-m", "py_compile", `${name}_models.py`]), name).toMatchObject({ status: 0, out: "" });
    }
  });

  it("fails to compile a broken module (the check can fail)", () => {
    writeFileSync(join(dir, "broken_models.py"), "class Select(BaseModel):\n    from: int\n");
    expect(run(["-m", "py_compile", "broken_models.py"]).status).not.toBe(0);
  });
});

describe.skipIf(pydanticSkip !== undefined)(
  `pydantic models on real rows${pydanticSkip ? ` (skipped: ${pydanticSkip})` : ""}`,
  () => {
    it("import without warnings, build every model, and read hostile rows by their contract names", () => {
      const script = `
import warnings, json
warnings.simplefilter("error")
import rich_models, hostile_models, orders_models
for m in (rich_models, hostile_models, orders_models):
    for v in vars(m).values():
        if isinstance(v, type) and issubclass(v, m.BaseModel) and v is not m.BaseModel:
            v.model_json_schema()
row = hostile_models.Select.model_validate({"from": 1, "order date": "2024-01-31", "class": "c", "gr\\u00f6\\u00dfe": 1.5,
    'a"b': "q", "x'y": "a", "1st": True, "type": "say \\"hi\\"", "\\u043a\\u043b\\u044e\\u0447": "k",
    "a;drop table x": "2024-01-31 10:00:00", "Order Date": "d"})
print(json.dumps(row.model_dump(by_alias=True, mode="json"), sort_keys=True))
`;
      const r = run(["-c", script]);
      expect(r.status, r.out).toBe(0);
      expect(JSON.parse(r.out)).toEqual({
        from: 1,
        "order date": "2024-01-31",
        class: "c",
        größe: 1.5,
        'a"b': "q",
        "x'y": "a",
        "1st": true,
        type: 'say "hi"',
        ключ: "k",
        "a;drop table x": "2024-01-31T10:00:00",
        "Order Date": "d",
      });
    });

    it("accept every row of the orders port and reject broken ones", async () => {
      const pool = new SandboxPool(join(dir, "pool"), { idleMs: 60_000 });
      try {
        const stream = await consumeQuery(
          [{ name: "orders", files: [fixtures.ordersData], format: "parquet", masked: [], rowFilters: [] }],
          { limit: defaultConsumeLimits.maxRows, format: "json" },
          defaultConsumeLimits,
          pool,
        );
        writeFileSync(join(dir, "orders.json"), await new Response(stream.body).text());
      } finally {
        pool.close();
      }
      const script = `
import json, sys
import pydantic
from orders_models import Orders
rows = json.load(open("orders.json"))["rows"]
bad = []
for i, row in enumerate(rows):
    try:
        Orders.model_validate(row)
    except pydantic.ValidationError as e:
        bad.append((i, str(e)))
first = rows[0]
broken = {}
for key, value in [("status", "lost"), ("order_id", "10004711"), ("order_ts", "yesterday"),
                   ("order_ts", "2014-12-31 23:59:59"), ("total_amount", 0), ("total_amount", 12.345),
                   ("item_count", 1.5), ("customer_email", None), ("shipping_country", "XX")]:
    try:
        Orders.model_validate({**first, key: value})
        broken[f"{key}={value!r}"] = "accepted"
    except pydantic.ValidationError as e:
        broken[f"{key}={value!r}"] = [".".join(map(str, err["loc"])) for err in e.errors()]
print(json.dumps({"rows": len(rows), "bad": bad[:3], "broken": broken}))
`;
      const out = execFileSync(python ?? "python3", ["-c", script], { cwd: dir, encoding: "utf8" });
      const result = JSON.parse(out) as { rows: number; bad: unknown[]; broken: Record<string, unknown> };
      expect(result.rows).toBeGreaterThan(1000);
      expect(result.bad).toEqual([]);
      for (const [change, locations] of Object.entries(result.broken)) {
        expect(locations, change).toEqual([change.split("=")[0]]);
      }
      expect(Object.keys(result.broken)).toHaveLength(9);
    }, 120_000);
  },
);
