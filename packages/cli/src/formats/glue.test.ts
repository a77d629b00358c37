import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportWithFormat, getFormat, SourceDocument } from "@quanta/core";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { exportFormatNames, importFormatNames } from "../commands/format-names.js";
import { consoleIn } from "../run-console.test-helpers.js";

// The exported TableInput checked by the AWS CLI itself: `aws glue create-table --cli-input-json`
// validates every parameter against Glue's API model before it sends anything; the endpoint here
// is a closed local port, so a valid input ends at "Could not connect", an invalid one before.
const repoRoot = join(import.meta.dirname, "../../../..");
const fixtures = {
  rich: join(repoRoot, "packages/core/src/formats/testdata/rich.odcs.yaml"),
  hostile: join(repoRoot, "packages/core/src/formats/testdata/hostile.odcs.yaml"),
};
const awsSkip = spawnSync("aws", ["--version"]).status === 0 ? undefined : "the aws CLI is not on PATH";
const dir = mkdtempSync(join(tmpdir(), "quanta-glue-"));
const quanta = consoleIn(dir);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What `aws glue create-table` says of an input, offline: its validation errors, or that it would send it. */
function createTable(input: unknown): string {
  const file = join(dir, `input-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(input));
  const r = spawnSync(
    "aws",
    ["glue", "create-table", "--cli-input-json", `file://${file}`, "--endpoint-url", "http://127.0.0.1:9"],
    {
      encoding: "utf8",
      timeout: 60_000,
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_DEFAULT_REGION: "us-east-1",
        AWS_MAX_ATTEMPTS: "1",
        AWS_CONFIG_FILE: "/dev/null",
        AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      },
    },
  );
  return `${r.stdout}${r.stderr}`.trim();
}

async function exported(contract: string): Promise<unknown[]> {
  const format = getFormat("glue");
  if (!format) throw new Error("glue is not registered");
  const result = await exportWithFormat(format, SourceDocument.parse(readFileSync(contract, "utf8"), contract), {});
  expect(result.issues.filter((i) => i.severity === "error")).toEqual([]);
  return result.files.map((f) => JSON.parse(String(f.content)));
}

describe.skipIf(awsSkip !== undefined)("glue export checked by the AWS CLI", () => {
  it("writes TableInputs aws glue create-table accepts, hostile names too", async () => {
    for (const contract of [fixtures.rich, fixtures.hostile])
      for (const tableInput of await exported(contract)) {
        const said = createTable({ DatabaseName: "shop", TableInput: tableInput });
        expect(said).not.toContain("Parameter validation failed");
        expect(said).toContain("Could not connect to the endpoint URL");
      }
  }, 120_000);

  it("is a check that can fail: the CLI refuses a TableInput without names", async () => {
    const [tableInput] = (await exported(fixtures.rich)) as Record<string, unknown>[];
    const said = createTable({
      DatabaseName: "shop",
      TableInput: { ...tableInput, Name: "", StorageDescriptor: { Columns: [{ Type: "int" }] } },
    });
    expect(said).toContain("Parameter validation failed");
    expect(said).toContain('Missing required parameter in TableInput.StorageDescriptor.Columns[0]: "Name"');
  }, 60_000);
});

// `--format glue` needs "glue" in the console's lists of formats (commands/format-names.ts, the
// lead's); until it is there, this runs nothing.
describe.skipIf(!importFormatNames.includes("glue") || !exportFormatNames.includes("glue"))(
  "glue from the console",
  () => {
    it("exports a contract and imports the table back", async () => {
      const out = await quanta(
        "export",
        fixtures.rich,
        "--format",
        "glue",
        "--option",
        "schema=orders",
        "-o",
        "orders.glue.json",
      );
      expect(out.code).toBe(0);
      const back = await quanta("import", "--format", "glue", "orders.glue.json");
      expect(back.code).toBe(0);
      const contract = parse(back.out) as { schema: { name: string; properties: { name: string }[] }[] };
      expect(contract.schema[0]?.properties.map((p) => p.name)).toContain("shipping_address");
    });
  },
);
