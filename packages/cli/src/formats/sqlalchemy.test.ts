import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportWithFormat, getFormat, SourceDocument } from "@quanta/core";
import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

// The generated SQLAlchemy models compiled by the real Python and read back with its own parser
// (ast): every table and column carries the contract's physical name, however hostile.
const repoRoot = join(import.meta.dirname, "../../../..");
const fixtures = {
  rich: join(repoRoot, "packages/core/src/formats/testdata/rich.odcs.yaml"),
  hostile: join(repoRoot, "packages/core/src/formats/testdata/hostile.odcs.yaml"),
  orders: join(repoRoot, "examples/webshop/orders/contracts/orders.odcs.yaml"),
};
const python = spawnSync("python3", ["--version"]).status === 0 ? "python3" : undefined;
const sqlalchemySkip = !python
  ? "python3 is not on PATH"
  : spawnSync(python, ["-c", "import sqlalchemy; assert sqlalchemy.__version__ >= '2'"]).status !== 0
    ? "SQLAlchemy 2 is not installed for python3"
    : undefined;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "quanta-sqlalchemy-export-"));
  const format = getFormat("sqlalchemy");
  if (!format) throw new Error("sqlalchemy is not registered");
  for (const [name, contract] of Object.entries(fixtures)) {
    const result = await exportWithFormat(format, SourceDocument.parse(readFileSync(contract, "utf8"), contract), {});
    expect(result.issues.filter((i) => i.severity === "error")).toEqual([]);
    writeFileSync(join(dir, `${name}_models.py`), String(result.files[0]?.content));
  }
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function run(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(python ?? "python3", args, { cwd: dir, encoding: "utf8" });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Table → column names, as the contract names them physically. */
function physicalTables(contract: string): Record<string, string[]> {
  const doc = parse(readFileSync(contract, "utf8")) as {
    schema: { name: string; physicalName?: string; properties: { name: string; physicalName?: string }[] }[];
  };
  return Object.fromEntries(
    doc.schema.map((o) => [o.physicalName ?? o.name, o.properties.map((p) => p.physicalName ?? p.name)]),
  );
}

/** Reads the module with Python's ast: each table's name and its columns' name arguments. */
const readTables = `
import ast, json, sys
tree = ast.parse(open(sys.argv[1], encoding="utf-8").read())
tables = {}
for node in tree.body:
    if isinstance(node, ast.ClassDef) and node.name != "Base":
        name = next(s.value.value for s in node.body if isinstance(s, ast.Assign) and s.targets[0].id == "__tablename__")
        tables[name] = [s.value.args[0].value for s in node.body if isinstance(s, ast.AnnAssign)]
    elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and node.value.func.id == "Table":
        args = node.value.args
        tables[args[0].value] = [a.args[0].value for a in args[2:] if a.func.id == "Column"]
print(json.dumps(tables))
`;

describe.skipIf(!python)("sqlalchemy export, read by python3", () => {
  it("compiles for rich, hostile and orders", () => {
    for (const name of Object.keys(fixtures)) {
      expect(run(["-m", "py_compile", `${name}_models.py`]), name).toMatchObject({ status: 0, out: "" });
    }
  });

  it("names each table and column exactly as the contract does", () => {
    for (const [name, contract] of Object.entries(fixtures)) {
      const r = run(["-c", readTables, `${name}_models.py`]);
      expect(r.status, r.out).toBe(0);
      expect(JSON.parse(r.out), name).toEqual(physicalTables(contract));
    }
  });
});

describe.skipIf(sqlalchemySkip !== undefined)(
  `sqlalchemy models with SQLAlchemy itself${sqlalchemySkip ? ` (skipped: ${sqlalchemySkip})` : ""}`,
  () => {
    it("create their tables in SQLite and reflect the same columns (rich, orders)", () => {
      const script = `
import json, importlib, sys
from sqlalchemy import create_engine, inspect
m = importlib.import_module(sys.argv[1])
engine = create_engine("sqlite://")
m.Base.metadata.create_all(engine)
i = inspect(engine)
print(json.dumps({t: [c["name"] for c in i.get_columns(t)] for t in i.get_table_names()}))
`;
      // SQLite folds case in column names: the hostile "order date" and "Order Date" would collide.
      for (const name of ["rich", "orders"] as const) {
        const r = run(["-c", script, `${name}_models`]);
        expect(r.status, r.out).toBe(0);
        expect(JSON.parse(r.out), name).toEqual(physicalTables(fixtures[name]));
      }
    });

    it.skipIf(postgresSkipReason())("write PostgreSQL DDL for the hostile names that PostgreSQL runs", async () => {
      const script = `
import json, hostile_models as m
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateTable
print(json.dumps([str(CreateTable(t).compile(dialect=postgresql.dialect())) for t in m.Base.metadata.sorted_tables]))
`;
      const r = run(["-c", script]);
      expect(r.status, r.out).toBe(0);
      const db = await createTestDatabase("sqlalchemy");
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        for (const ddl of JSON.parse(r.out) as string[]) await client.query(ddl);
        const columns = await client.query<{ table_name: string; column_name: string }>(
          "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
        );
        const tables: Record<string, string[]> = {};
        for (const row of columns.rows) tables[row.table_name] = [...(tables[row.table_name] ?? []), row.column_name];
        expect(tables).toEqual(physicalTables(fixtures.hostile));
      } finally {
        await client.end();
        await db.drop();
      }
    });
  },
);
