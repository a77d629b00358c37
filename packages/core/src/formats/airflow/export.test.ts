import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { formatIssue } from "../../issues.js";
import { SourceDocument } from "../../spec/source.js";
import { expectGolden, exportFile, fixtures, onlyText } from "../format-test-kit.test-helpers.js";
import { getFormat } from "../registry.js";
import { exportWithFormat } from "../run-format.js";

const here = import.meta.dirname;
const cohorts = resolve(here, "../../../../../examples/webshop/customer-cohorts");

function airflow() {
  const format = getFormat("airflow");
  if (!format) throw new Error("no airflow format");
  return format;
}

async function exportWith(
  contractText: string,
  file: string,
  options: Record<string, string> = {},
  product?: Record<string, unknown>,
) {
  return exportWithFormat(airflow(), SourceDocument.parse(contractText, file), options, product);
}

/** The demo product as the platform holds it: its ODPS document with its pipeline.yaml. */
function cohortsProduct(pipelineEdit: (p: Record<string, unknown>) => void = () => {}) {
  const product = parse(readFileSync(join(cohorts, "customer-cohorts.odps.yaml"), "utf8")) as Record<string, unknown>;
  const pipeline = parse(readFileSync(join(cohorts, "pipeline.yaml"), "utf8")) as Record<string, unknown>;
  pipelineEdit(pipeline);
  return { ...product, pipeline };
}

const cohortsContract = () => readFileSync(join(cohorts, "contracts/monthly-cohorts.odcs.yaml"), "utf8");

const withSla = (sla: string) => `apiVersion: v3.1.0
kind: DataContract
id: shop.orders
version: 1.0.0
status: active
schema:
  - name: orders
    properties:
      - name: id
        logicalType: integer
slaProperties:
${sla}`;

describe("airflow export", () => {
  it("runs the product's pipeline on its schedule, then tests the contract", async () => {
    const result = await exportWith(cohortsContract(), "contracts/monthly-cohorts.odcs.yaml", {}, cohortsProduct());
    const text = onlyText(result);
    expectGolden(text, join(here, "testdata/customer-cohorts.py"));
    expect(result.files[0]?.path).toBe("quanta_customer_customer_cohorts.py");
    expect(result.files[0]?.mediaType).toBe("text/x-python");
    expect(text).toContain('schedule="0 5 * * *",');
    expect(text).toContain('bash_command="quanta pipeline run customer.customer-cohorts --wait",');
    expect(text).toContain('bash_command="quanta test contracts/monthly-cohorts.odcs.yaml",');
    expect(text).toContain("run_pipeline >> test_contract");
  });

  it("keeps the pipeline's time zone and time limit", async () => {
    const product = cohortsProduct((p) => {
      p.schedule = { cron: "0 6 * * 1-5", timezone: "Europe/Amsterdam" };
      p.limits = { timeout: "30m" };
    });
    const text = onlyText(
      await exportWith(cohortsContract(), "c.odcs.yaml", { server: "https://quanta.example" }, product),
    );
    expect(text).toContain("import zoneinfo\n");
    expect(text).toContain('tzinfo=zoneinfo.ZoneInfo("Europe/Amsterdam")');
    expect(text).toContain('schedule="0 6 * * 1-5",');
    expect(text).toContain("execution_timeout=datetime.timedelta(seconds=2100),");
    expect(text).toContain("--wait --server https://quanta.example");
  });

  it("without a pipeline, tests the contract on its SLA frequency", async () => {
    const daily = onlyText(await exportWith(withSla("  - property: frequency\n    value: 1\n    unit: d\n"), "o.yaml"));
    expect(daily).toContain('schedule="@daily",');
    expect(daily).not.toContain("run_pipeline");
    const twoDays = onlyText(
      await exportWith(withSla("  - property: frequency\n    value: 2\n    unit: d\n"), "o.yaml"),
    );
    expect(twoDays).toContain("schedule=datetime.timedelta(seconds=172800),");
    const cron = onlyText(await exportWith(withSla('  - property: frequency\n    value: "30 2 * * *"\n'), "o.yaml"));
    expect(cron).toContain('schedule="30 2 * * *",');
  });

  it("says when the contract gives it no schedule", async () => {
    const result = await exportFile("airflow", fixtures.rich);
    expectGolden(onlyText(result), join(here, "testdata/rich.py"));
    expect(result.issues.map(formatIssue)).toEqual([
      "packages/core/src/formats/testdata/rich.odcs.yaml:1:1 warning airflow-no-frequency the contract states no frequency SLA: the DAG runs when triggered",
    ]);
    const unread = await exportWith(withSla("  - property: frequency\n    value: often\n"), "o.yaml");
    expect(unread.issues.map(formatIssue)).toEqual([
      "o.yaml:12:5 warning airflow-frequency-unread the frequency SLA has no value and unit (s, m, h, d, w) to schedule by; the DAG runs when triggered",
    ]);
  });

  it("escapes hostile ids and paths for the shell, Jinja and Python", async () => {
    const result = await exportWith(readFileSync(fixtures.hostile, "utf8"), `contracts/it's {{ "here" }}.odcs.yaml`, {
      product: `shop"x'y {% raw %}\\n`,
      schedule: "@hourly",
    });
    expectGolden(onlyText(result), join(here, "testdata/hostile.py"));
  });
});
