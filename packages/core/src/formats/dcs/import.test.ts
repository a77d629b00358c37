import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Ajv2019 from "ajv/dist/2019.js";
import { describe, expect, it } from "vitest";
import { formatIssue, type Issue } from "../../issues.js";
import { SourceDocument } from "../../spec/source.js";
import { importDcs } from "./import.js";
import { parseDuration } from "./servicelevels.js";
import { dcsTypes } from "./types.js";

const schemaFile = fileURLToPath(
  new URL("../../../../../../shared/standards/odcs/schema/odcs-json-schema-v3.1.0.json", import.meta.url),
);
const odcs = new Ajv2019.default({ strict: false, allErrors: true }).compile(
  JSON.parse(readFileSync(schemaFile, "utf8")),
);

// biome-ignore lint/suspicious/noExplicitAny: tests walk converted documents freely
type Obj = Record<string, any>;

/** Converts; `lines` are the converter's own issues (the DCS schema's `schema-*` findings are tested apart). */
function convert(yaml: string): { value: Obj; issues: Issue[]; lines: string[]; schemaLines: string[] } {
  const { value, issues } = importDcs(SourceDocument.parse(yaml, "dc.yaml"));
  const own = issues.filter((i) => !i.code.startsWith("schema-"));
  const schema = issues.filter((i) => i.code.startsWith("schema-"));
  return { value, issues: own, lines: own.map(formatIssue), schemaLines: schema.map(formatIssue) };
}

/** A minimal DCS document around the given models/extra YAML. */
function dcs(body: string, version = "1.2.1"): string {
  return `dataContractSpecification: ${version}\nid: test\ninfo:\n  title: Test\n  version: 1.0.0\n${body}`;
}

function expectValidOdcs(value: unknown): void {
  expect(odcs(value) ? [] : odcs.errors).toEqual([]);
}

describe("DCS field types", () => {
  const fields = Object.keys(dcsTypes)
    .map((t) => `      f_${t}:\n        type: "${t}"`)
    .join("\n");
  const { value, issues } = convert(dcs(`models:\n  m:\n    fields:\n${fields}\n`));
  const props = value.schema[0].properties as Obj[];

  it("maps every DCS type to a logical type and keeps the DCS type as physicalType", () => {
    const table = Object.fromEntries(props.map((p) => [p.physicalType, p.logicalType ?? "-"]));
    expect(table).toMatchInlineSnapshot(`
      {
        "array": "array",
        "bigint": "integer",
        "boolean": "boolean",
        "bytes": "string",
        "date": "date",
        "decimal": "number",
        "double": "number",
        "float": "number",
        "int": "integer",
        "integer": "integer",
        "json": "string",
        "long": "integer",
        "map": "object",
        "null": "-",
        "number": "number",
        "numeric": "number",
        "object": "object",
        "record": "object",
        "string": "string",
        "struct": "object",
        "text": "string",
        "time": "time",
        "timestamp": "timestamp",
        "timestamp_ntz": "timestamp",
        "timestamp_tz": "timestamp",
        "varchar": "string",
        "variant": "-",
      }
    `);
    expectValidOdcs(value);
    expect(issues.filter((i) => i.severity !== "info")).toEqual([]);
  });

  it("adds the options a type implies (bit width, time zone)", () => {
    const byName = Object.fromEntries(props.map((p) => [p.name, p.logicalTypeOptions]));
    expect(byName.f_long).toEqual({ format: "i64" });
    expect(byName.f_double).toEqual({ format: "f64" });
    expect(byName.f_timestamp_ntz).toEqual({ timezone: false });
    expect(byName.f_bytes).toEqual({ format: "binary" });
    expect(byName.f_int).toBeUndefined();
  });

  it("prefers an engine type from config and writes precision into a decimal physicalType", () => {
    const { value } = convert(
      dcs(`models:
  m:
    fields:
      amount:
        type: decimal
        precision: 10
        scale: 2
      ts:
        type: timestamp
        config:
          snowflakeType: TIMESTAMP_LTZ
          avroLogicalType: timestamp-millis
`),
    );
    const [amount, ts] = value.schema[0].properties;
    expect(amount.physicalType).toBe("decimal(10,2)");
    expect(ts.physicalType).toBe("TIMESTAMP_LTZ");
    expect(ts.customProperties).toEqual([{ property: "avroLogicalType", value: "timestamp-millis" }]);
  });

  it("warns about an unknown type at its node and keeps it as physicalType", () => {
    const { value, lines, schemaLines } = convert(
      dcs(`models:\n  m:\n    fields:\n      a:\n        type: geography\n`),
    );
    expect(value.schema[0].properties[0]).toEqual({ name: "a", physicalType: "geography" });
    expect(lines).toEqual([
      'dc.yaml:10:9 warning dcs-unknown-type "geography" is not a DCS type; kept as physicalType only',
    ]);
    // The official DCS schema also flags it, as a warning: older DCS versions differ from the latest schema.
    expect(schemaLines).toEqual([expect.stringMatching(/^dc\.yaml:10:15 warning schema-enum /)]);
  });

  it("moves constraints into logicalTypeOptions only where ODCS allows them", () => {
    const { value, issues } = convert(
      dcs(`models:
  m:
    fields:
      code:
        type: string
        minLength: 2
        maxLength: 3
        pattern: "^[A-Z]+$"
        format: email
      n:
        type: integer
        minimum: 0
        maximum: 10
        minLength: 1
      d:
        type: date
        format: date
`),
    );
    const [code, n, d] = value.schema[0].properties;
    expect(code.logicalTypeOptions).toEqual({ minLength: 2, maxLength: 3, pattern: "^[A-Z]+$", format: "email" });
    expect(n.logicalTypeOptions).toEqual({ minimum: 0, maximum: 10 });
    expect(n.customProperties).toEqual([{ property: "minLength", value: 1 }]);
    expect(d.logicalTypeOptions).toBeUndefined();
    expect(d.customProperties).toEqual([{ property: "format", value: "date" }]);
    expect(issues.map((i) => `${i.line}:${i.column} ${i.code}`)).toEqual([
      "19:9 dcs-custom-property",
      "22:9 dcs-custom-property",
    ]);
    expectValidOdcs(value);
  });
});

describe("definitions and $ref", () => {
  const doc = dcs(`models:
  orders:
    fields:
      order_id:
        $ref: '#/definitions/order_id'
        required: true
      sku:
        $ref: '#/definitions/inventory~1sku'
        description: The sku of the article
      missing:
        $ref: '#/definitions/nope'
        type: string
      remote:
        $ref: 'https://example.com/definitions.yaml#/sku'
        type: string
      loop:
        $ref: '#/definitions/a'
definitions:
  order_id:
    domain: checkout
    name: order_id
    title: Order ID
    type: text
    format: uuid
    description: An internal ID.
    pii: true
    classification: restricted
  inventory/sku:
    type: text
    pattern: ^[0-9]+$
    description: Stock keeping unit
  a:
    type: string
    $ref: '#/definitions/b'
  b:
    type: string
    $ref: '#/definitions/a'
`);
  const { value, lines } = convert(doc);
  const props = Object.fromEntries((value.schema[0].properties as Obj[]).map((p) => [p.name, p]));

  it("merges the definition under the field, the field's own keys winning", () => {
    expect(props.order_id).toEqual({
      name: "order_id",
      businessName: "Order ID",
      description: "An internal ID.",
      logicalType: "string",
      logicalTypeOptions: { format: "uuid" },
      physicalType: "text",
      required: true,
      classification: "restricted",
      customProperties: [{ property: "pii", value: true }],
    });
    expect(props.sku.description).toBe("The sku of the article");
    expect(props.sku.logicalTypeOptions).toEqual({ pattern: "^[0-9]+$" });
  });

  it("warns at the $ref of unresolvable, external and circular references", () => {
    expect(lines).toEqual([
      'dc.yaml:16:9 warning dcs-ref-unresolved no definition "nope" in definitions; the reference was not resolved',
      "dc.yaml:19:9 warning dcs-ref-external https://example.com/definitions.yaml#/sku is not a local #/definitions/ reference; it was not resolved",
      "dc.yaml:42:5 warning dcs-ref-cycle definition a refers to itself through a → b",
    ]);
    expect(props.missing).toEqual({ name: "missing", logicalType: "string", physicalType: "string" });
    expectValidOdcs(value);
  });
});

describe("nested structures", () => {
  it("turns nested fields into properties and array items into items", () => {
    const { value, issues } = convert(
      dcs(`models:
  orders:
    fields:
      address:
        type: object
        fields:
          street:
            type: text
          geo:
            type: struct
            fields:
              lat: { type: double }
      lines:
        type: array
        items:
          type: object
          fields:
            sku: { type: string, required: true }
      attributes:
        type: map
        keys: { type: string }
        values: { type: int }
`),
    );
    const [address, lines, attributes] = value.schema[0].properties;
    expect(address.properties.map((p: Obj) => p.name)).toEqual(["street", "geo"]);
    expect(address.properties[1].properties[0]).toMatchObject({ name: "lat", logicalType: "number" });
    expect(lines.items).toMatchObject({ logicalType: "object", properties: [{ name: "sku", required: true }] });
    expect(lines.items.name).toBeUndefined();
    expect(attributes).toMatchObject({ logicalType: "object", physicalType: "map<string,int>" });
    expect(issues.map(formatIssue)).toEqual([
      "dc.yaml:27:9 warning dcs-unmapped ODCS has no map type: keys and values are kept only in physicalType",
    ]);
    expectValidOdcs(value);
  });
});

describe("quality", () => {
  it("converts each DCS quality style", () => {
    const { value, lines } = convert(
      dcs(`models:
  orders:
    quality:
      - type: sql
        description: Row count
        query: SELECT count(*) FROM orders
        mustBeGreaterThanOrEqualTo: 10
        dialect: postgres
      - type: library
        rule: duplicateCount
        arguments: { properties: [a, b] }
      - type: library
        metric: freshness
        description: fresh data
      - type: custom
        engine: great-expectations
        implementation:
          - expectation_type: expect_table_row_count_to_be_between
      - type: sodacl
        specification:
          checks for orders:
            - row_count > 0
      - type: sql
        query: SELECT 1
        mustBe: 1
        mustNotBe: 2
      - type: text
    fields:
      id:
        type: string
        quality:
          - type: library
            metric: nullValues
            mustBe: 0
            dimension: completeness
            severity: error
          - type: text
            description: ids are opaque
            dimension: vibes
`),
    );
    const [model] = value.schema;
    expect(model.quality).toEqual([
      {
        type: "sql",
        description: "Row count",
        query: "SELECT count(*) FROM orders",
        mustBeGreaterOrEqualTo: 10,
        customProperties: [{ property: "dialect", value: "postgres" }],
      },
      { type: "library", metric: "duplicateValues", arguments: { properties: ["a", "b"] }, mustBe: 0 },
      { type: "text", description: "fresh data" },
      // A vendor rule runs once converted; one Quanta cannot read stays custom, with a warning.
      {
        type: "custom",
        engine: "great-expectations",
        implementation: { type: "expect_table_row_count_to_be_between" },
      },
      { type: "library", metric: "rowCount", mustBeGreaterThan: 0 },
      { type: "sql", query: "SELECT 1", mustBe: 1 },
    ]);
    expect(model.properties[0].quality).toEqual([
      { type: "library", metric: "nullValues", dimension: "completeness", mustBe: 0, severity: "error" },
      { type: "text", description: "ids are opaque" },
    ]);
    expect(lines).toEqual([
      'dc.yaml:44:13 warning dcs-unmapped ODCS has no quality dimension "vibes"',
      'dc.yaml:14:9 info dcs-quality-default-threshold no threshold given; used {"mustBe":0}',
      'dc.yaml:17:9 warning dcs-quality-as-text ODCS has no library metric "freshness"; kept as a text rule',
      "dc.yaml:23:13 warning gx-expectation-invalid expect_table_row_count_to_be_between needs `min_value` or `max_value` (strict bounds only on one side); kept as a great-expectations rule",
      "dc.yaml:31:9 warning dcs-unmapped ODCS allows one threshold per rule; mustNotBe was dropped",
      "dc.yaml:32:9 warning dcs-quality-incomplete a text quality rule needs a description; the rule was not converted",
    ]);
    expectValidOdcs(value);
  });

  it("keeps a rule without threshold as text, never as an invalid ODCS rule", () => {
    const { value, lines } = convert(
      dcs(`models:\n  m:\n    quality:\n      - type: sql\n        description: Check it\n        query: SELECT 1\n`),
    );
    expect(value.schema[0].quality).toEqual([{ type: "text", description: "Check it\nQuery: SELECT 1" }]);
    expect(lines).toEqual([
      "dc.yaml:9:9 warning dcs-quality-as-text it has no threshold (mustBe...); kept as a text rule",
    ]);
  });

  it("splits DCS 0.9 top-level SodaCL text per model", () => {
    const { value, lines } = convert(
      dcs(
        `models:
  orders: { fields: { id: { type: string } } }
  items: { fields: { id: { type: string } } }
quality:
  type: SodaCL
  specification: |-
    checks for orders:
      - row_count > 0
    checks for items:
      - missing_count(id) = 0
    checks for ghosts:
      - row_count > 0
`,
        "0.9.3",
      ),
    );
    expect(value.schema[0].quality).toEqual([
      { type: "library", metric: "rowCount", mustBeGreaterThan: 0 },
      { type: "library", metric: "rowCount", mustBeGreaterThan: 0 },
    ]);
    expect(value.schema[1].quality).toEqual([
      {
        type: "sql",
        description: "missing_count(id) = 0",
        query: 'SELECT COUNT(*) FROM {object} WHERE "id" IS NULL',
        mustBe: 0,
      },
    ]);
    expect(lines).toEqual([
      // The section lives inside a text block: the warning points at its line in the block.
      'dc.yaml:16:5 warning dcs-quality-moved no model matches "ghosts"; attached to orders',
    ]);
  });

  it("turns enum into an invalidValues rule", () => {
    const { value } = convert(
      dcs(`models:\n  m:\n    fields:\n      s:\n        type: string\n        enum: [a, b]\n`),
    );
    expect(value.schema[0].properties[0].quality).toEqual([
      {
        type: "library",
        description: "Only these values are allowed: a, b",
        metric: "invalidValues",
        arguments: { validValues: ["a", "b"] },
        mustBe: 0,
      },
    ]);
  });
});

describe("service levels", () => {
  it.each([
    ["25h", { value: 25, unit: "h" }],
    ["24 hours", { value: 24, unit: "h" }],
    ["30d", { value: 30, unit: "d" }],
    ["1 year", { value: 1, unit: "y" }],
    ["5s", { value: 5, unit: "s" }],
    ["PT24H", { value: 24, unit: "h" }],
    ["P1Y", { value: 1, unit: "y" }],
    ["P3M", { value: 3, unit: "mon" }],
    ["PT30M", { value: 30, unit: "min" }],
    ["P1DT12H", { value: "P1DT12H" }],
    ["whenever", { value: "whenever" }],
  ])("parses the duration %s", (text, expected) => {
    expect(parseDuration(text)).toEqual(expected);
  });

  it("maps every service level to SLA properties and warns about unknown ones", () => {
    const { value, lines } = convert(
      dcs(`models:
  orders: { fields: { ts: { type: timestamp } } }
servicelevels:
  availability: { percentage: 99.5% }
  retention: { unlimited: true }
  latency: { threshold: 1h, sourceTimestampField: orders.ts }
  freshness: { threshold: PT2H, timestampField: orders.ts }
  frequency: { type: streaming }
  support: { time: 24/7, responseTime: 4 hours }
  backup: { cron: 0 0 * * 0, recoveryPoint: 1 week }
  happiness: { level: high }
`),
    );
    expect(value.slaProperties).toEqual([
      { property: "availability", value: 99.5, unit: "percent" },
      { property: "retention", value: "unlimited" },
      { property: "latency", value: 1, unit: "h", element: "orders.ts" },
      { property: "freshness", value: 2, unit: "h", element: "orders.ts" },
      { property: "frequency", value: "streaming" },
      { property: "supportHours", value: "24/7" },
      { property: "responseTime", value: 4, unit: "h" },
      { property: "backupFrequency", value: "cron", scheduler: "cron", schedule: "0 0 * * 0" },
      { property: "recoveryPoint", value: 1, unit: "w" },
    ]);
    expect(lines).toEqual([
      'dc.yaml:16:3 warning dcs-unmapped service level "happiness" has no ODCS equivalent; it was dropped',
    ]);
    expectValidOdcs(value);
  });
});

describe("servers, owner, terms", () => {
  it("maps servers to the ODCS list, keeping extra fields as custom properties and dropping secrets", () => {
    const { value, lines } = convert(
      dcs(`servers:
  events:
    type: kafka
    host: broker:9092
    topic: orders
    format: avro
  warehouse:
    type: postgres
    host: db
    port: "5432"
    database: shop
    schema: public
    password: hunter2
  frames:
    type: dataframe
  half:
    type: snowflake
    account: acme
models:
  m: { fields: { a: { type: string } } }
`),
    );
    expect(value.servers).toEqual([
      {
        server: "events",
        type: "kafka",
        host: "broker:9092",
        format: "avro",
        customProperties: [{ property: "topic", value: "orders" }],
      },
      { server: "warehouse", type: "postgres", host: "db", port: 5432, database: "shop", schema: "public" },
      { server: "frames", type: "custom", customProperties: [{ property: "type", value: "dataframe" }] },
      {
        server: "half",
        type: "custom",
        account: "acme",
        customProperties: [{ property: "type", value: "snowflake" }],
      },
    ]);
    expect(lines).toEqual([
      "dc.yaml:10:5 info dcs-custom-property ODCS kafka servers have no topic; kept as a custom property",
      "dc.yaml:18:5 warning dcs-server-secret password looks like a secret; it was not copied into the contract",
      'dc.yaml:20:5 warning dcs-server-type ODCS has no server type "dataframe"; written as type custom',
      "dc.yaml:21:3 warning dcs-server-incomplete ODCS snowflake servers need database, schema; written as type custom",
    ]);
    expectValidOdcs(value);
  });

  it("maps owner to team, contact to support, terms to description and billing to price", () => {
    const { value } = convert(`dataContractSpecification: 1.1.0
id: c
info:
  title: T
  version: 1.0.0
  status: in development
  owner: checkout-team
  contact: { name: Ops, email: ops@example.com, url: https://acme.slack.com/archives/C1 }
terms:
  usage: Analytics
  limitations: None
  billing: free of charge
  noticePeriod: P1M
models:
  m: { fields: { a: { type: string } } }
`);
    expect(value).toMatchObject({
      status: "draft",
      team: { name: "checkout-team" },
      support: [
        { channel: "Ops", tool: "slack", url: "https://acme.slack.com/archives/C1" },
        { channel: "Ops", tool: "email", url: "mailto:ops@example.com" },
      ],
      description: {
        usage: "Analytics",
        limitations: "None",
        customProperties: [
          { property: "billing", value: "free of charge" },
          { property: "noticePeriod", value: "P1M" },
        ],
      },
    });
    expect(value.price).toBeUndefined();
    expectValidOdcs(value);
  });

  it("spreads model example rows (CSV) over the properties", () => {
    const { value } = convert(
      dcs(`models:
  m:
    fields:
      id: { type: int }
      name: { type: string }
    examples:
      - |
        id,name
        1,"Smith, Jane"
        2,Bob
        2,Bob
`),
    );
    expect(value.schema[0].properties).toEqual([
      { name: "id", logicalType: "integer", physicalType: "int", examples: [1, 2] },
      { name: "name", logicalType: "string", physicalType: "string", examples: ["Smith, Jane", "Bob"] },
    ]);
  });
});

describe("input that cannot be converted", () => {
  it("rejects a document that is not DCS", () => {
    const { lines, value } = convert("apiVersion: v3.1.0\nkind: DataContract\n");
    expect(value).toEqual({});
    expect(lines).toEqual([
      "dc.yaml:1:1 error dcs-not-dcs not a Data Contract Specification document: dataContractSpecification is missing",
    ]);
  });

  it("passes YAML errors through with their position", () => {
    const { lines } = convert("dataContractSpecification: 1.2.1\nid: [unclosed\n");
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(/^dc\.yaml:\d+:\d+ error yaml-/);
  });

  it("reports missing required keys and wrongly shaped sections as errors", () => {
    const { lines } = convert("dataContractSpecification: 1.2.1\ninfo:\n  title: x\nmodels: [a, b]\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        "dc.yaml:1:1 error dcs-required id is required",
        "dc.yaml:2:1 error dcs-required info.version is required",
        "dc.yaml:4:1 error import-wrong-type models must be a mapping",
      ]),
    );
  });

  it("warns about an unknown DCS version", () => {
    const { lines } = convert(dcs("models:\n  m: { fields: { a: { type: string } } }\n", "2.0.0"));
    expect(lines).toEqual([
      "dc.yaml:1:1 warning dcs-version DCS 2.0.0 is not a known version (0.9.0, 0.9.1, 0.9.2, 0.9.3, 1.0.0, 1.1.0, 1.2.0, 1.2.1); read as 1.2.1",
    ]);
  });
});

describe("hostile input", () => {
  it("treats __proto__ and constructor keys as plain names", () => {
    const { value } = convert(
      dcs(`models:
  __proto__:
    fields:
      constructor: { type: string, __proto__: { polluted: true } }
definitions:
  __proto__: { type: string }
`),
    );
    expect(value.schema[0].name).toBe("__proto__");
    expect(value.schema[0].properties[0].name).toBe("constructor");
    expect(({} as Obj).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(value.schema[0].properties[0])).toBe(Object.prototype);
  });

  it("converts a long $ref chain and a large example quickly", () => {
    const defs = Array.from(
      { length: 200 },
      (_, i) => `  d${i}:\n    type: string\n    $ref: '#/definitions/d${i + 1}'`,
    ).join("\n");
    const csv = Array.from({ length: 20000 }, (_, i) => `        ${i},x${i}`).join("\n");
    const started = performance.now();
    const { value, lines } = convert(
      dcs(`models:
  m:
    fields:
      id: { $ref: '#/definitions/d0' }
      name: { type: string }
    examples:
      - |
        id,name
${csv}
definitions:
${defs}
  d200:
    type: string
    description: end of the chain
`),
    );
    expect(performance.now() - started).toBeLessThan(3000);
    expect(value.schema[0].properties[0]).toMatchObject({ description: "end of the chain", examples: ["0", "1", "2"] });
    expect(lines).toEqual([]);
  });
});
