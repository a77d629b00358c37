import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { exportWithFormat, getFormat, SourceDocument } from "@quanta/core";
import { tempDir } from "@quanta/engine-duckdb/test-data";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { bufferIo } from "../buffer-io.js";
import { runExport } from "../commands/run-export.js";

const dir = tempDir("quanta-airflow-");
const root = resolve(import.meta.dirname, "../../../..");
const cohorts = join(root, "examples/webshop/customer-cohorts");

async function dag(contractFile: string, options: Record<string, string>, product?: Record<string, unknown>) {
  const format = getFormat("airflow");
  if (!format) throw new Error("no airflow format");
  const src = SourceDocument.parse(readFileSync(contractFile, "utf8"), contractFile.slice(root.length + 1));
  const result = await exportWithFormat(format, src, options, product);
  expect(result.issues.filter((i) => i.severity === "error")).toEqual([]);
  const [file] = result.files;
  if (!file) throw new Error("no DAG file");
  const path = join(dir, file.path);
  writeFileSync(path, file.content);
  return path;
}

/**
 * What Airflow would run: Python compiles the file, its syntax tree gives each BashOperator's
 * bash_command, Jinja renders it (as Airflow does) and the shell's own word splitting (shlex)
 * gives the argv the worker executes.
 */
function tasksOf(path: string): { task: string; argv: string[] }[] {
  execFileSync("python3", ["-m", "py_compile", path]);
  const script = `
import ast, json, shlex, sys
import jinja2
tree = ast.parse(open(sys.argv[1], encoding="utf-8").read())
out = []
for node in ast.walk(tree):
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "BashOperator":
        kw = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg in ("task_id", "bash_command")}
        rendered = jinja2.Environment().from_string(kw["bash_command"]).render()
        out.append({"task": kw["task_id"], "argv": shlex.split(rendered)})
print(json.dumps(out))
`;
  return JSON.parse(execFileSync("python3", ["-c", script, path], { encoding: "utf8" }));
}

/** Python with Jinja (what Airflow renders commands with); without them this check cannot run here. */
const python = spawnSync("python3", ["-c", "import jinja2"]).status === 0;
if (!python) console.warn("airflow.test: python3 with jinja2 is not installed; skipping the DAG checks");

describe.skipIf(!python)("airflow export, compiled by Python", () => {
  it("runs the demo product's pipeline, then tests its contract", async () => {
    const product = parse(readFileSync(join(cohorts, "customer-cohorts.odps.yaml"), "utf8"));
    const pipeline = parse(readFileSync(join(cohorts, "pipeline.yaml"), "utf8"));
    const path = await dag(join(cohorts, "contracts/monthly-cohorts.odcs.yaml"), {}, { ...product, pipeline });
    expect(tasksOf(path)).toEqual([
      { task: "run_pipeline", argv: ["quanta", "pipeline", "run", "customer.customer-cohorts", "--wait"] },
      {
        task: "test_contract",
        argv: ["quanta", "test", "examples/webshop/customer-cohorts/contracts/monthly-cohorts.odcs.yaml"],
      },
    ]);
  });

  it("tests a contract without a product", async () => {
    const path = await dag(join(root, "packages/core/src/formats/testdata/rich.odcs.yaml"), {
      contract: "/dags/rich.yaml",
    });
    expect(tasksOf(path)).toEqual([{ task: "test_contract", argv: ["quanta", "test", "/dags/rich.yaml"] }]);
  });

  it("hands hostile ids and paths to the shell exactly as given", async () => {
    const product = `shop"x'y {% raw %} {{ 7 * 7 }} $(rm -rf ~) \\n`;
    const contract = `/dags/it's {# here #}/c.sh`;
    const path = await dag(join(root, "packages/core/src/formats/testdata/hostile.odcs.yaml"), {
      product,
      contract,
      server: "https://q.example/?a=1&b=2",
    });
    expect(tasksOf(path)).toEqual([
      {
        task: "run_pipeline",
        argv: ["quanta", "pipeline", "run", product, "--wait", "--server", "https://q.example/?a=1&b=2"],
      },
      { task: "test_contract", argv: ["quanta", "test", contract] },
    ]);
  });

  // Through the export command's own code: its --format choices (commands/format-names.ts) are
  // a list kept beside the registry, which the console's parser checks first.
  it("is what quanta export --format airflow --product writes", async () => {
    const io = bufferIo(root);
    const out = join(dir, "cli-dag.py");
    const code = await runExport(io, "examples/webshop/customer-cohorts/contracts/monthly-cohorts.odcs.yaml", {
      format: "airflow",
      product: "examples/webshop/customer-cohorts/customer-cohorts.odps.yaml",
      option: { product: "customer.customer-cohorts" },
      output: out,
    });
    const r = { code, err: io.stderr() };
    // The pipeline.yaml beside the product comes with it: the DAG runs on the pipeline's schedule.
    expect(r.err).not.toContain("airflow-no-schedule");
    expect(r.err).not.toContain("airflow-no-pipeline");
    expect(r.code).toBe(0);
    expect(readFileSync(out, "utf8")).toContain("0 5 * * *");
    expect(tasksOf(out).map((t) => t.argv.slice(1, 3))).toEqual([
      ["pipeline", "run"],
      ["test", "examples/webshop/customer-cohorts/contracts/monthly-cohorts.odcs.yaml"],
    ]);
  });
});
