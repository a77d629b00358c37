import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { bufferIo } from "../buffer-io.js";
import { main } from "../main.js";

const bin = resolve(import.meta.dirname, "../../bin/quanta.js");

const contract = (id: string, extra = "") => `apiVersion: v3.1.0
kind: DataContract
id: ${id}
version: 1.0.0
status: active
schema:
  - name: orders
    properties:
      - name: id
        logicalType: integer
${extra}`;

const product = `apiVersion: v1.0.0
kind: DataProduct
id: sales
name: Sales
version: 1.0.0
status: active
outputPorts:
  - name: orders
    version: 1.0.0
    contractId: orders-v1
`;

let dir: string;
const write = (name: string, text: string | Uint8Array) => {
  const path = join(dir, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
  return name;
};

async function lint(...args: string[]) {
  const io = bufferIo(dir);
  const code = await main(["lint", ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "quanta-lint-"));
  write("good.odcs.yaml", contract("orders-v1"));
  write("bad.odcs.yaml", contract("orders-v1", "        examples: [one]\n"));
  write("product/sales.odps.yaml", product);
  write("product/contracts/orders.odcs.yaml", contract("orders-v1"));
  write("broken-product/sales.odps.yaml", product.replace("orders-v1", "orders-v2"));
  write("broken-product/orders.odcs.yaml", contract("orders-v1"));
  write("no-product/orders.odcs.yaml", contract("orders-v1"));
  write("piped-product/sales.odps.yaml", product);
  write("piped-product/contracts/orders.odcs.yaml", contract("orders-v1"));
  write(
    "piped-product/pipeline.yaml",
    "apiVersion: quanta/v1\nkind: Pipeline\noutputs:\n  - port: orderz\n    steps:\n      - name: all\n        sql: SELECT * FROM raw\n",
  );
  write("unparsed-product/sales.odps.yaml", product);
  write(
    "unparsed-product/contracts/orders.odcs.yaml",
    contract("orders-v1").replace("version: 1.0.0", 'version: "1.0.0'),
  );
});

describe("quanta lint", () => {
  it("exits 0 on a valid contract and says so", async () => {
    const r = await lint("good.odcs.yaml");
    expect(r).toEqual({ code: 0, out: "", err: "no issues\n" });
  });

  it("prints file:line:column severity code message and exits 1 on an invalid contract", async () => {
    const r = await lint("bad.odcs.yaml");
    expect(r.code).toBe(1);
    expect(r.out).toMatchInlineSnapshot(`
      "bad.odcs.yaml:11:20 error example-type-mismatch example "one" is not an integer (logicalType integer)
      "
    `);
    expect(r.err).toBe("1 error(s), 0 warning(s)\n");
  });

  it("prints { valid, issues } with --format json", async () => {
    const r = await lint("bad.odcs.yaml", "good.odcs.yaml", "--format", "json");
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out);
    expect(json.valid).toBe(false);
    expect(json.issues).toEqual([
      {
        code: "example-type-mismatch",
        severity: "error",
        message: 'example "one" is not an integer (logicalType integer)',
        file: "bad.odcs.yaml",
        line: 11,
        column: 20,
        path: "schema[0].properties[0].examples[0]",
      },
    ]);
    const ok = await lint("good.odcs.yaml", "--format", "json");
    expect(JSON.parse(ok.out)).toEqual({ valid: true, issues: [] });
  });

  it("lints a data product folder with cross-file contract resolution", async () => {
    expect((await lint("product")).code).toBe(0);
    const r = await lint("broken-product");
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      'broken-product/sales.odps.yaml:10:17 error output-port-contract-unresolved contractId "orders-v2" matches no contract id in the product folder (contracts here: orders-v1)',
    );
  });

  it("points at the parse error when a product's contract file does not parse, not at a missing contract", async () => {
    const r = await lint("unparsed-product");
    expect(r.code).toBe(1);
    expect(r.out).toMatchInlineSnapshot(`
      "unparsed-product/contracts/orders.odcs.yaml:11:1 error yaml-missing-char Missing closing "quote
      unparsed-product/sales.odps.yaml:10:17 error output-port-contract-unresolved contractId "orders-v1" matches no contract id in the product folder (unparsed-product/contracts/orders.odcs.yaml:11:1 does not parse, so its contract id is unknown)
      "
    `);
  });

  it("lints the product's pipeline.yaml against its ports", async () => {
    const r = await lint("piped-product");
    expect(r.code).toBe(1);
    expect(r.out).toMatchInlineSnapshot(`
      "piped-product/pipeline.yaml:4:11 error pipeline-output-unknown "orderz" is not an output port of the product; did you mean "orders"?
      piped-product/pipeline.yaml:7:14 error pipeline-input-unknown step "all" reads "raw", which is neither an input port of the product (none) nor an earlier step
      "
    `);
  });

  it("reports a folder without an ODPS file", async () => {
    const r = await lint("no-product");
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^no-product error product-odps-missing no data product here/m);
  });

  it("exits 2 on a missing file and on usage errors", async () => {
    expect(await lint("nope.yaml")).toEqual({
      code: 2,
      out: "",
      err: "quanta: no such file or directory: nope.yaml\n",
    });
    expect((await lint()).code).toBe(2);
    const r = await lint("good.odcs.yaml", "--format", "xml");
    expect(r.code).toBe(2);
    expect(r.err).toContain("Allowed choices are text, json");
  });

  it("does not follow symlinks out of a product folder", async () => {
    write("linked/sales.odps.yaml", product);
    symlinkSync(join(dir, "good.odcs.yaml"), join(dir, "linked/outside.odcs.yaml"));
    const r = await lint("linked");
    expect(r.err).toContain("skipped linked/outside.odcs.yaml: symlink leads outside linked");
    expect(r.out).toContain("output-port-contract-unresolved");
  });

  describe("hostile and malformed input: a precise issue, bounded time, never a stack trace", () => {
    const cases: [string, string | Uint8Array, RegExp][] = [
      ["malformed.yaml", "kind: DataContract\nschema: [a, b\n", /^malformed\.yaml:\d+:\d+ error yaml-/m],
      ["dupkeys.yaml", "kind: DataContract\nid: a\nid: b\n", /^dupkeys\.yaml:3:1 error yaml-duplicate-key/m],
      ["tabs.yaml", "kind: DataContract\nschema:\n\t- name: x\n", /^tabs\.yaml:3:1 error yaml-/m],
      [
        "binary.odcs.yaml",
        new Uint8Array([0x50, 0x41, 0x52, 0x31, 0xff, 0xfe, 0x00, 0x01]),
        /^binary\.odcs\.yaml error file-not-text/m,
      ],
      ["deep.yaml", `${"[".repeat(10_000)}${"]".repeat(10_000)}\n`, /^deep\.yaml:1:1 error yaml-too-deep/m],
      [
        "bomb.yaml",
        `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n`,
        /^bomb\.yaml error yaml-alias-bomb/m,
      ],
      ["list.yaml", "- a\n- b\n", /^list\.yaml:1:1 error unknown-document-kind .*found a list$/m],
      ["scalar.yaml", "just text\n", /^scalar\.yaml:1:1 error unknown-document-kind .*found a string scalar$/m],
      [
        "compose.yaml",
        "services:\n  web:\n    image: nginx\n",
        /^compose\.yaml:1:1 error unknown-document-kind .*found a mapping with services but no kind$/m,
      ],
      ["empty.yaml", "", /^empty\.yaml:1:1 error yaml-empty document is empty$/m],
    ];
    it.each(cases)("%s", async (name, content, expected) => {
      write(name, content);
      const started = Date.now();
      const r = await lint(name);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(expected);
      expect(`${r.out}${r.err}`).not.toMatch(/\n\s+at /);
    });

    it("a 50 MB file is refused before reading", async () => {
      const big = write("big.odcs.yaml", "");
      writeFileSync(join(dir, big), Buffer.alloc(50 * 1024 * 1024, 0x61));
      const started = Date.now();
      const r = await lint(big);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(r.code).toBe(1);
      expect(r.out).toBe("big.odcs.yaml error file-too-large file is 50.0 MiB; the limit is 8 MiB\n");
    });
  });

  it("runs as a real process from the built binary", async () => {
    const run = promisify(execFile);
    const ok = await run(process.execPath, [bin, "lint", "product", "--format", "json"], { cwd: dir });
    expect(JSON.parse(ok.stdout)).toEqual({ valid: true, issues: [] });
    const failed = await run(process.execPath, [bin, "lint", "bad.odcs.yaml"], { cwd: dir }).catch((e) => e);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain("bad.odcs.yaml:11:20 error example-type-mismatch");
    const missing = await run(process.execPath, [bin, "lint", "missing.yaml"], { cwd: dir }).catch((e) => e);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("quanta: no such file or directory: missing.yaml\n");
  });
});

const standards = resolve(import.meta.dirname, "../../../../../shared/standards");
/** Every official example, except the one the standards' own README marks invalid against its schema. */
const officialExamples = existsSync(join(standards, "README.md"))
  ? ["odcs", "odps", "dcs", "dps"]
      .flatMap((k) =>
        readdirSync(join(standards, k, "examples"), { recursive: true, encoding: "utf8" }).map((f) =>
          join(k, "examples", f),
        ),
      )
      .filter((f) => /\.ya?ml$/.test(f) && f !== join("dps", "examples", "example.yaml"))
      .sort()
  : [];

describe.skipIf(officialExamples.length === 0)("the standards' own examples", () => {
  it.each(officialExamples)("%s lints clean (exit 0; warnings allowed)", async (rel) => {
    const io = bufferIo(standards);
    const code = await main(["lint", rel], io);
    expect({ code, out: io.stdout() }).toMatchObject({ code: 0 });
    expect(io.stdout()).not.toMatch(/ error /);
  });

  it("names a reference to another contract as external, and the v-prefixed ODPS version as a warning", async () => {
    const io = bufferIo(standards);
    await main(["lint", "odcs/examples/all/full-example.odcs.yaml", "odps/examples/simple-data-product.odps.yaml"], io);
    expect(io.stdout()).toMatch(/full-example\.odcs\.yaml:217:17 warning relationship-target-external .*external/);
    expect(io.stdout()).toMatch(/simple-data-product\.odps\.yaml:6:10 warning version-prefixed .*write 1\.0\.0/);
  });
});
