import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Ajv2019 from "ajv/dist/2019.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { formatIssue } from "../../issues.js";
import { SourceDocument } from "../../spec/source.js";
import { validateSchema } from "../../spec/validate.js";
import { toYamlText } from "../yaml-output.js";
import { importDps } from "./import.js";

const dir = fileURLToPath(new URL("../../../../../../shared/standards/", import.meta.url));
const ajv = new Ajv2019.default({ strict: false, allErrors: true });
addFormats.default(ajv);
const odps = ajv.compile(JSON.parse(readFileSync(`${dir}odps/schema/odps-json-schema-v1.0.0.json`, "utf8")));

function convert(yaml: string, file = "dp.yaml") {
  const { value, issues } = importDps(SourceDocument.parse(yaml, file));
  // biome-ignore lint/suspicious/noExplicitAny: tests walk converted documents freely
  return { value: value as Record<string, any>, issues, lines: issues.map(formatIssue) };
}

describe("DPS → ODPS", () => {
  it("converts the DPS readme example to valid ODPS v1.0.0", () => {
    const file = `${dir}dps/examples/readme-example.dataproduct.yaml`;
    const { value, issues } = convert(readFileSync(file, "utf8"), file);
    expect(issues.filter((i) => i.severity !== "info")).toEqual([]);
    expect(odps(value) ? [] : odps.errors).toEqual([]);
    const out = SourceDocument.parse(toYamlText(value), "out.odps.yaml");
    expect(validateSchema(out, "odps").filter((i) => i.severity === "error")).toEqual([]);
    expect(value).toMatchObject({
      apiVersion: "v1.0.0",
      kind: "DataProduct",
      id: "shelf_warmers",
      name: "Shelf Warmers",
      status: "active",
      domain: "ecommerce",
      team: { name: "fulfillment" },
      tags: ["athena", "glue", "s3"],
      authoritativeDefinitions: [
        { type: "Discovery", url: "https://qbffyn0bze.execute-api.eu-central-1.amazonaws.com/prod" },
        { type: "Documentation", url: "http://example.com/datamesh/fulfillment/shelf_warmers" },
      ],
      customProperties: [
        { property: "archetype", value: "consumer-aligned" },
        { property: "platform", value: "aws" },
      ],
    });
    const [glue, s3] = value.outputPorts;
    expect(glue).toMatchObject({
      name: "glue_catalog_database_shelf_warmers_v1",
      description: "All Shelf Warmers represented as a Glue Catalog table",
      type: "Glue",
      version: "1.0.0",
      contractId: "shelf_warmers_v1",
      tags: ["glue", "athena"],
    });
    expect(glue.customProperties).toEqual(
      expect.arrayContaining([
        { property: "displayName", value: "Glue Catalog Database: Shelf Warmers (v1)" },
        { property: "containsPii", value: false },
        { property: "platform", value: "aws" },
      ]),
    );
    expect(s3.contractId).toBeUndefined();
  });

  it("gives input ports the version and contract ODPS requires, and says so", () => {
    const { value, lines } = convert(`dataProductSpecification: 0.0.1
id: p
info:
  title: P
  owner: team-a
inputPorts:
  - id: search_events
    name: Search events
    sourceSystemId: search-service
    type: Kafka
outputPorts:
  - id: out_v3
    name: Out
    dataContractId: out-contract
`);
    expect(value.inputPorts).toEqual([
      {
        name: "search_events",
        version: "1.0.0",
        contractId: "search-service",
        customProperties: [
          { property: "type", value: "Kafka" },
          { property: "displayName", value: "Search events" },
          { property: "sourceSystemId", value: "search-service" },
        ],
      },
    ]);
    expect(value.outputPorts[0]).toMatchObject({ name: "out_v3", version: "3.0.0", contractId: "out-contract" });
    expect(value.status).toBe("draft");
    expect(lines).toEqual([
      "dp.yaml:7:5 warning dps-port-version DPS ports have no version; search_events is written as version 1.0.0",
      "dp.yaml:7:5 warning dps-input-contract DPS input ports name no data contract; contractId set to search-service",
    ]);
    expect(odps(value) ? [] : odps.errors).toEqual([]);
  });

  it("rejects what is not DPS, and reports missing required keys", () => {
    expect(convert("dataContractSpecification: 1.2.1\n").lines).toEqual([
      "dp.yaml:1:1 error dps-not-dps not a Data Product Specification document: dataProductSpecification is missing",
    ]);
    const { lines } = convert("dataProductSpecification: 0.0.1\ninfo: {}\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        "dp.yaml:1:1 error dps-required id is required",
        "dp.yaml:2:1 error dps-required info.title is required",
      ]),
    );
  });
});
