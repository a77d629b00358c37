import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { SourceDocument, validateSchema } from "@quanta/core";
import { lintDocument } from "@quanta/core/lint";
import { beforeAll, describe, expect, it } from "vitest";
import { bufferIo } from "../buffer-io.js";
import { main } from "../main.js";

const bin = resolve(import.meta.dirname, "../../bin/quanta.js");
const standards = resolve(import.meta.dirname, "../../../../../shared/standards");
const ordersLatest = join(standards, "dcs/examples/orders-latest/datacontract.yaml");
const dpsReadme = join(standards, "dps/examples/readme-example.dataproduct.yaml");

let dir: string;
const write = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return name;
};

async function run(...args: string[]) {
  const io = bufferIo(dir);
  const code = await main(["import", ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "quanta-import-"));
  write(
    "small.yaml",
    `dataContractSpecification: 1.2.1
id: small
info:
  title: Small
  version: 1.0.0
models:
  m:
    fields:
      a:
        type: string
servicelevels:
  mood: { level: good }
`,
  );
  write("odcs.yaml", "apiVersion: v3.1.0\nkind: DataContract\nid: x\nversion: 1.0.0\nstatus: active\n");
  write("broken.yaml", "dataContractSpecification: 1.2.1\nid: [x\n");
  write("list.yaml", "- a\n- b\n");
});

describe("quanta import", () => {
  it("prints the ODCS conversion of a DCS file on stdout and its warnings on stderr", async () => {
    const r = await run("--format", "dcs", "small.yaml");
    expect(r.code).toBe(0);
    expect(r.out).toMatchInlineSnapshot(`
      "apiVersion: v3.1.0
      kind: DataContract
      id: small
      name: Small
      version: 1.0.0
      status: draft
      schema:
        - name: m
          logicalType: object
          physicalType: table
          properties:
            - name: a
              logicalType: string
              physicalType: string
      "
    `);
    expect(r.err).toBe(
      'small.yaml:12:3 warning dcs-unmapped service level "mood" has no ODCS equivalent; it was dropped\n',
    );
  });

  it("detects the format when --format is omitted, and the output lints without errors", async () => {
    const r = await run(ordersLatest);
    expect(r.code).toBe(0);
    const out = SourceDocument.parse(r.out, "orders.odcs.yaml");
    expect(validateSchema(out, "odcs").filter((i) => i.severity === "error")).toEqual([]);
    expect(lintDocument(out).filter((i) => i.severity === "error")).toEqual([]);
    expect((out.value as { schema: { name: string }[] }).schema.map((s) => s.name)).toEqual(["orders", "line_items"]);
  });

  it("writes --output, and refuses to overwrite it without --force", async () => {
    const first = await run(dpsReadme, "--output", "out/shelf.odps.yaml");
    expect(first).toMatchObject({ code: 0, out: "" });
    expect(first.err).toBe(
      'out/shelf.odps.yaml:43:5 warning output-port-contract-missing output port "s3_bucket_shelf_warmers_v1" has no contractId\nwrote out/shelf.odps.yaml (ODPS)\n',
    );
    const written = SourceDocument.parse(readFileSync(join(dir, "out/shelf.odps.yaml"), "utf8"), "shelf.odps.yaml");
    expect(validateSchema(written, "odps")).toEqual([]);
    expect(written.value).toMatchObject({ kind: "DataProduct", id: "shelf_warmers" });

    const again = await run(dpsReadme, "--output", "out/shelf.odps.yaml");
    expect(again).toEqual({
      code: 2,
      out: "",
      err: "quanta: out/shelf.odps.yaml already exists; pass --force to overwrite it\n",
    });
    expect((await run(dpsReadme, "--output", "out/shelf.odps.yaml", "--force")).code).toBe(0);
  });

  it("never writes over its own input", async () => {
    const r = await run("small.yaml", "-o", "small.yaml", "--force");
    expect(r.code).toBe(2);
    expect(r.err).toBe("quanta: --output small.yaml is the input file; write the conversion to a new file\n");
    expect(readFileSync(join(dir, "small.yaml"), "utf8")).toContain("dataContractSpecification");
  });

  it("exits 1 with a positioned error for input that is not the named format", async () => {
    const r = await run("--format", "dcs", "odcs.yaml");
    expect(r).toEqual({
      code: 1,
      out: "",
      err: "odcs.yaml:1:1 error dcs-not-dcs not a Data Contract Specification document: dataContractSpecification is missing\n",
    });
    const unknown = await run("list.yaml");
    expect(unknown.code).toBe(1);
    expect(unknown.err).toEqual(
      expect.stringMatching(
        /^list\.yaml:1:1 error import-unknown-format not a document quanta import recognises; pass --format \(one of dcs, dps, .*\)\n$/,
      ),
    );
  });

  it("exits 1 on malformed YAML, with its position, and writes nothing", async () => {
    const r = await run("broken.yaml", "-o", "never.odcs.yaml");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^broken\.yaml:\d+:\d+ error yaml-/);
    expect(existsSync(join(dir, "never.odcs.yaml"))).toBe(false);
  });

  it("exits 2 when it cannot run: missing file, unknown format", async () => {
    expect(await run("missing.yaml")).toEqual({
      code: 2,
      out: "",
      err: "quanta: no such file or directory: missing.yaml\n",
    });
    const bad = await run("--format", "cobol", "small.yaml");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("argument 'cobol' is invalid");
  });

  it("runs as a real process from the built binary", async () => {
    const exec = promisify(execFile);
    const ok = await exec(process.execPath, [bin, "import", "small.yaml"], { cwd: dir });
    expect(ok.stdout).toContain("kind: DataContract");
    expect(ok.stderr).toContain("small.yaml:12:3 warning dcs-unmapped");
    const failed = await exec(process.execPath, [bin, "import", "odcs.yaml", "--format", "dps"], { cwd: dir }).catch(
      (e) => e,
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("odcs.yaml:1:1 error dps-not-dps");
  });
});
