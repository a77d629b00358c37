import type { SqlValue } from "../check.js";
import type { CheckScenario, ScenarioColumnType, ScenarioTable } from "./scenario.js";

type Col = [name: string, type: ScenarioColumnType];
const table = (columns: Col[], rows: SqlValue[][]): ScenarioTable => ({
  columns: columns.map(([name, type]) => ({ name, type })),
  rows,
});
const contract = (schema: Record<string, unknown>[], extra: Record<string, unknown> = {}) => ({
  apiVersion: "v3.1.0",
  kind: "DataContract",
  id: "conformance",
  version: "1.0.0",
  status: "active",
  schema,
  ...extra,
});

/** 200 rows: five of them cross-joined are 3.2e11 rows, far beyond any time limit in a test. */
const grid = table(
  [["n", "integer"]],
  Array.from({ length: 200 }, (_, i) => [i]),
);
const slowRule = { type: "sql", query: "SELECT count(*) FROM grid a, grid b, grid c, grid d, grid e", mustBe: 0 };
const fastRule = { type: "sql", query: "SELECT count(*) FROM grid", mustBe: 200 };

/** Built to pass / built to fail, one pair per check kind, plus hostile names and SQL placeholders. */
export const checkScenarios: CheckScenario[] = [
  {
    name: "required, unique and primary key",
    data: {
      people: table(
        [
          ["id", "integer"],
          ["email", "text"],
          ["team", "text"],
          ["seat", "integer"],
        ],
        [
          [1, "a@x.io", "red", 1],
          [2, null, "red", 2],
          [3, "a@x.io", "blue", 1],
          [4, "d@x.io", "blue", 1],
        ],
      ),
    },
    contract: contract([
      {
        name: "people",
        properties: [
          { name: "id", logicalType: "integer", required: true, unique: true },
          { name: "email", logicalType: "string", required: true, unique: true },
          { name: "team", logicalType: "string", primaryKey: true, primaryKeyPosition: 1 },
          { name: "seat", logicalType: "integer", primaryKey: true, primaryKeyPosition: 2 },
        ],
      },
    ]),
    expect: {
      "people.id.required": { result: "passed", value: 0 },
      "people.id.unique": { result: "passed", value: 0 },
      "people.email.required": { result: "failed", value: 1 },
      "people.email.unique": { result: "failed", value: 1 },
      "people.primaryKey": { result: "failed", value: 1 },
      "people.team.primaryKey.notNull": "passed",
    },
  },
  {
    name: "numeric bounds and multipleOf",
    data: {
      prices: table(
        [
          ["amount", "decimal"],
          ["qty", "integer"],
          ["ratio", "double"],
        ],
        [
          [0, 1, 0.3],
          [9.99, 10, 0.5],
          [null, null, null],
        ],
      ),
    },
    contract: contract([
      {
        name: "prices",
        properties: [
          {
            name: "amount",
            logicalType: "number",
            logicalTypeOptions: { minimum: 0, maximum: 9.99, multipleOf: 0.01 },
          },
          {
            name: "qty",
            logicalType: "integer",
            logicalTypeOptions: { exclusiveMinimum: 1, exclusiveMaximum: 10, multipleOf: 3 },
          },
          { name: "ratio", logicalType: "number", logicalTypeOptions: { multipleOf: 0.1, maximum: 0.4 } },
        ],
      },
    ]),
    expect: {
      "prices.amount.minimum": "passed",
      "prices.amount.maximum": "passed",
      "prices.amount.multipleOf": "passed",
      "prices.qty.exclusiveMinimum": { result: "failed", value: 1 },
      "prices.qty.exclusiveMaximum": { result: "failed", value: 1 },
      "prices.qty.multipleOf": { result: "failed", value: 2 },
      "prices.ratio.multipleOf": "passed",
      "prices.ratio.maximum": { result: "failed", value: 1 },
    },
  },
  {
    name: "lengths, pattern and formats",
    data: {
      contacts: table(
        [
          ["code", "text"],
          ["email", "text"],
          ["bad_email", "text"],
          ["uid", "text"],
          ["site", "text"],
          ["day", "text"],
          ["at", "text"],
          ["day_typed", "date"],
        ],
        [
          [
            "AB-1",
            "a@b.io",
            "not an email",
            "123e4567-e89b-12d3-a456-426614174000",
            "https://x.io/a?b=1",
            "2024-02-29",
            "2024-02-29T10:00:00Z",
            "2024-01-01",
          ],
          [
            "CD-22",
            "x.y@z.co",
            "a@b.io",
            "123E4567-E89B-12D3-A456-426614174000",
            "mailto:a@b.io",
            "2024-12-31",
            "2024-12-31 23:59:59.5+01:00",
            null,
          ],
        ],
      ),
    },
    contract: contract([
      {
        name: "contacts",
        properties: [
          {
            name: "code",
            logicalType: "string",
            logicalTypeOptions: { minLength: 4, maxLength: 4, pattern: "^[A-Z]{2}-[0-9]$" },
          },
          { name: "email", logicalType: "string", logicalTypeOptions: { format: "email" } },
          { name: "bad_email", logicalType: "string", logicalTypeOptions: { format: "email" } },
          { name: "uid", logicalType: "string", logicalTypeOptions: { format: "uuid" } },
          { name: "site", logicalType: "string", logicalTypeOptions: { format: "uri" } },
          { name: "day", logicalType: "string", logicalTypeOptions: { format: "date" } },
          { name: "at", logicalType: "string", logicalTypeOptions: { format: "date-time" } },
          {
            name: "day_typed",
            logicalType: "date",
            logicalTypeOptions: { format: "yyyy-MM-dd", minimum: "2020-01-01" },
          },
        ],
      },
    ]),
    expect: {
      "contacts.code.minLength": "passed",
      "contacts.code.maxLength": { result: "failed", value: 1 },
      "contacts.code.pattern": { result: "failed", value: 1 },
      "contacts.email.format": "passed",
      "contacts.bad_email.format": { result: "failed", value: 1 },
      "contacts.uid.format": "passed",
      "contacts.site.format": "passed",
      "contacts.day.format": "passed",
      "contacts.at.format": "passed",
      "contacts.day_typed.minimum": "passed",
    },
  },
  {
    name: "array items",
    data: {
      posts: table(
        [
          ["id", "integer"],
          ["tags", "text[]"],
        ],
        [
          [1, '["a"]'],
          [2, '["a","b","c"]'],
        ],
      ),
    },
    contract: contract([
      {
        name: "posts",
        properties: [
          { name: "id", logicalType: "integer" },
          { name: "tags", logicalType: "array", logicalTypeOptions: { minItems: 1, maxItems: 2 } },
        ],
      },
    ]),
    expect: {
      "posts.tags.propertyType": "passed",
      "posts.tags.minItems": "passed",
      "posts.tags.maxItems": { result: "failed", value: 1 },
    },
  },
  {
    name: "library metrics",
    data: {
      orders: table(
        [
          ["id", "integer"],
          ["customer", "text"],
          ["status", "text"],
          ["country", "text"],
        ],
        [
          [1, "c1", "paid", "DE"],
          [2, "", "paid", "FR"],
          [3, "n/a", "lost", "DE"],
          [4, null, "new", "fr"],
          [4, "c5", null, "DE"],
        ],
      ),
    },
    contract: contract([
      {
        name: "orders",
        properties: [
          { name: "id", logicalType: "integer", quality: [{ metric: "duplicateValues", mustBe: 0 }] },
          {
            name: "customer",
            logicalType: "string",
            quality: [
              { metric: "nullValues", mustBe: 1 },
              { metric: "nullValues", mustBeLessOrEqualTo: 10, unit: "percent" },
              { metric: "missingValues", arguments: { missingValues: [null, "", "n/a"] }, mustBe: 0 },
              {
                metric: "missingValues",
                arguments: { missingValues: ["", "n/a"] },
                mustBeLessThan: 61,
                unit: "percent",
              },
            ],
          },
          {
            name: "status",
            logicalType: "string",
            quality: [
              { metric: "invalidValues", arguments: { validValues: ["new", "paid"] }, mustBe: 0 },
              { metric: "invalidValues", arguments: { validValues: ["new", "paid", "lost"] }, mustBe: 0 },
            ],
          },
          {
            name: "country",
            logicalType: "string",
            quality: [{ metric: "invalidValues", arguments: { pattern: "^[A-Z]{2}$" }, mustBe: 0 }],
          },
        ],
        quality: [
          { metric: "rowCount", mustBe: 5 },
          { metric: "rowCount", mustBeGreaterThan: 5 },
          { metric: "duplicateValues", arguments: { properties: ["id", "country"] }, mustBe: 0 },
        ],
      },
    ]),
    expect: {
      "orders.id.quality.0.duplicateValues": { result: "failed", value: 1 },
      "orders.customer.quality.0.nullValues": { result: "passed", value: 1 },
      "orders.customer.quality.1.nullValues": { result: "failed", value: 20 },
      "orders.customer.quality.2.missingValues": { result: "failed", value: 3 },
      "orders.customer.quality.3.missingValues": { result: "passed", value: 60 },
      "orders.status.quality.0.invalidValues": {
        result: "failed",
        value: 1,
        reason: '1 is not = 0; invalid values include "lost"',
      },
      "orders.status.quality.1.invalidValues": { result: "passed", value: 0 },
      "orders.country.quality.0.invalidValues": {
        result: "failed",
        value: 1,
        reason: '1 is not = 0; invalid values include "fr"',
      },
      "orders.quality.0.rowCount": { result: "passed", value: 5 },
      "orders.quality.1.rowCount": "failed",
      "orders.quality.2.duplicateValues": { result: "passed", value: 0 },
    },
  },
  {
    name: "a failed valid-values rule names up to five distinct offending values",
    data: {
      tickets: table(
        [
          ["id", "integer"],
          ["state", "text"],
          ["level", "integer"],
        ],
        [
          [1, "open", 1],
          [2, "zed", 7],
          [3, "Zed", 10],
          [4, "a'b", 7],
          [5, 'e"q', 2],
          [6, "x; DROP TABLE t; --", null],
          [7, "ünï", 3],
          [8, "zed", 10],
          [9, null, 1],
          [10, "closed", 2],
        ],
      ),
    },
    contract: contract([
      {
        name: "tickets",
        properties: [
          { name: "id", logicalType: "integer" },
          {
            name: "state",
            logicalType: "string",
            quality: [
              { metric: "invalidValues", arguments: { validValues: ["open", "closed"] }, mustBe: 0 },
              {
                metric: "invalidValues",
                arguments: { validValues: ["open", "closed"] },
                mustBeLessThan: 10,
                unit: "percent",
                severity: "warning",
              },
            ],
          },
          {
            name: "level",
            logicalType: "integer",
            quality: [{ metric: "invalidValues", arguments: { validValues: [1, 2, 3] }, mustBe: 0 }],
          },
        ],
      },
    ]),
    expect: {
      // Distinct, in code-point order (uppercase first), the sixth cut to "…"; values as text, JSON-quoted.
      "tickets.state.quality.0.invalidValues": {
        result: "failed",
        value: 7,
        reason: '7 is not = 0; invalid values include "Zed", "a\'b", "e\\"q", "x; DROP TABLE t; --", "zed", …',
      },
      "tickets.state.quality.1.invalidValues": {
        result: "warning",
        value: 70,
        reason: '70 is not < 10 %; invalid values include "Zed", "a\'b", "e\\"q", "x; DROP TABLE t; --", "zed", …',
      },
      "tickets.level.quality.0.invalidValues": {
        result: "failed",
        value: 4,
        reason: '4 is not = 0; invalid values include "10", "7"',
      },
    },
  },
  {
    name: "the eight operators",
    data: { t: table([["x", "integer"]], [[1], [2], [3]]) },
    contract: contract([
      {
        name: "t",
        quality: [
          { id: "be", metric: "rowCount", mustBe: 3 },
          { id: "notBe", metric: "rowCount", mustNotBe: 3 },
          { id: "gt", metric: "rowCount", mustBeGreaterThan: 2 },
          { id: "ge", metric: "rowCount", mustBeGreaterOrEqualTo: 4 },
          { id: "lt", metric: "rowCount", mustBeLessThan: 4 },
          { id: "le", metric: "rowCount", mustBeLessOrEqualTo: 2 },
          { id: "between", metric: "rowCount", mustBeBetween: [3, 5] },
          { id: "notBetween", metric: "rowCount", mustNotBeBetween: [1, 3] },
        ],
      },
    ]),
    expect: {
      "t.quality.be.rowCount": "passed",
      "t.quality.notBe.rowCount": "failed",
      "t.quality.gt.rowCount": "passed",
      "t.quality.ge.rowCount": "failed",
      "t.quality.lt.rowCount": "passed",
      "t.quality.le.rowCount": "failed",
      "t.quality.between.rowCount": "passed",
      "t.quality.notBetween.rowCount": "failed",
    },
  },
  {
    name: "sql rules, placeholders and severity",
    data: {
      events: table(
        [
          ["id", "integer"],
          ["kind", "text"],
        ],
        [
          [1, "a"],
          [2, "b"],
          [3, null],
        ],
      ),
    },
    contract: contract([
      {
        name: "events",
        properties: [
          {
            name: "kind",
            logicalType: "string",
            quality: [
              { type: "sql", query: "SELECT count(*) FROM {object} WHERE {property} IS NULL", mustBe: 1 },
              {
                type: "sql",
                query: "SELECT count(*) FROM ${table} WHERE ${column} IS NULL",
                mustBe: 0,
                severity: "warning",
              },
              { type: "sql", query: "SELECT count(*) FROM {model} WHERE {field} = 'a'", mustBeGreaterOrEqualTo: 1 },
              { type: "sql", query: "select count(*) from events where kind = 'b'", mustBe: 1, severity: "info" },
            ],
          },
        ],
        quality: [
          {
            type: "sql",
            query: "SELECT count(*) * 100.0 / 3 FROM {object} WHERE kind IS NULL",
            mustBeLessThan: 10,
            unit: "percent",
            severity: "error",
          },
          { type: "text", description: "Events are immutable." },
          { type: "custom", engine: "soda", implementation: "row_count > 0" },
        ],
      },
    ]),
    expect: {
      "events.kind.quality.0.sql": { result: "passed", value: 1 },
      "events.kind.quality.1.sql": { result: "warning", value: 1 },
      "events.kind.quality.2.sql": "passed",
      "events.kind.quality.3.sql": "passed",
      "events.quality.0.sql": "failed",
      "events.quality.1.text": "skipped",
      "events.quality.2.custom": "skipped",
    },
  },
  {
    name: "schema: missing object, missing property, wrong type",
    data: {
      present: table(
        [
          ["id", "integer"],
          ["label", "text"],
        ],
        [[1, "x"]],
      ),
    },
    contract: contract([
      {
        name: "present",
        properties: [
          { name: "id", logicalType: "string", required: true },
          { name: "label", logicalType: "string", physicalType: "varchar" },
          { name: "gone", logicalType: "string", required: true },
        ],
      },
      { name: "absent", properties: [{ name: "id", logicalType: "integer", required: true }] },
    ]),
    expect: {
      "present.objectExists": "passed",
      "present.id.propertyType": "failed",
      "present.id.required": "passed",
      "present.label.propertyType": "passed",
      "present.gone.propertyExists": "failed",
      "present.gone.required": "skipped",
      "absent.objectExists": "failed",
      "absent.id.required": "skipped",
    },
  },
  {
    name: "hostile names and values",
    data: {
      'we"ird; DROP TABLE x;\n—tåble': table(
        [
          ['co"l; --\nümlaut', "text"],
          ["it's", "integer"],
        ],
        [
          ["O'Brien; DROP TABLE x; --", 1],
          ['"quoted"\nnewline', 2],
          ["ok", null],
        ],
      ),
    },
    contract: contract([
      {
        name: 'we"ird; DROP TABLE x;\n—tåble',
        properties: [
          {
            name: 'co"l; --\nümlaut',
            logicalType: "string",
            required: true,
            unique: true,
            quality: [
              {
                metric: "invalidValues",
                arguments: { validValues: ["O'Brien; DROP TABLE x; --", '"quoted"\nnewline', "ok"] },
                mustBe: 0,
              },
              { metric: "missingValues", arguments: { missingValues: ["'; DROP TABLE x; --"] }, mustBe: 0 },
              { type: "sql", query: "SELECT count(*) FROM {object} WHERE {property} LIKE 'O''Brien%'", mustBe: 1 },
            ],
          },
          { name: "it's", logicalType: "integer", required: true },
        ],
      },
    ]),
    expect: {
      'we"ird; DROP TABLE x;\n—tåble.objectExists': "passed",
      'we"ird; DROP TABLE x;\n—tåble.co"l; --\nümlaut.required': "passed",
      'we"ird; DROP TABLE x;\n—tåble.co"l; --\nümlaut.unique': "passed",
      'we"ird; DROP TABLE x;\n—tåble.co"l; --\nümlaut.quality.0.invalidValues': "passed",
      'we"ird; DROP TABLE x;\n—tåble.co"l; --\nümlaut.quality.1.missingValues': "passed",
      'we"ird; DROP TABLE x;\n—tåble.co"l; --\nümlaut.quality.2.sql': "passed",
      "we\"ird; DROP TABLE x;\n—tåble.it's.required": { result: "failed", value: 1 },
    },
  },
  {
    name: "SLA freshness and retention",
    data: {
      feed: table(
        [
          ["at", "timestamp"],
          ["day", "date"],
        ],
        [
          ["2000-01-01 00:00:00", "2000-01-01"],
          ["2999-01-01 00:00:00", "2999-01-01"],
        ],
      ),
      stale: table([["at", "timestamp"]], [["2000-01-01 00:00:00"]]),
    },
    contract: contract(
      [
        {
          name: "feed",
          properties: [
            { name: "at", logicalType: "timestamp" },
            { name: "day", logicalType: "date" },
          ],
        },
        { name: "stale", properties: [{ name: "at", logicalType: "timestamp" }] },
      ],
      {
        slaProperties: [
          { id: "fresh", property: "latency", value: 1, unit: "d", element: "feed.at" },
          { id: "staleness", property: "latency", value: 4, unit: "d", element: "stale.at" },
          { id: "keep", property: "retention", value: 100, unit: "y", element: "feed.day" },
          { id: "short", property: "retention", value: 1, unit: "y", element: "feed.at" },
          { property: "generalAvailability", value: "2022-05-12T09:30:10-08:00" },
        ],
      },
    ),
    expect: {
      "sla.fresh.feed.at": "passed",
      "sla.staleness.stale.at": "failed",
      "sla.keep.feed.day": "passed",
      "sla.short.feed.at": "failed",
    },
  },
  {
    name: "a SQL rule over the time limit of a check ends as error, and the run goes on",
    data: { grid },
    limits: { checkTimeoutMs: 200 },
    contract: contract([
      {
        name: "grid",
        quality: [slowRule, fastRule],
        properties: [{ name: "n", logicalType: "integer", required: true }],
      },
    ]),
    expect: {
      "grid.n.required": "passed",
      "grid.quality.0.sql": { result: "error", reason: "timed out after 0.2 s" },
      "grid.quality.1.sql": { result: "passed", value: 200 },
    },
  },
  {
    name: "checks not done when the run reaches its time limit end as error",
    data: { grid },
    limits: { checkTimeoutMs: 60_000, runTimeoutMs: 300 },
    // Two slow rules hold every statement an engine runs side by side (at most two), so the fast
    // one starts only after the run's time is up, on every engine.
    contract: contract([{ name: "grid", quality: [slowRule, slowRule, fastRule], properties: [{ name: "n" }] }]),
    expect: {
      "grid.objectExists": "passed",
      "grid.quality.0.sql": { result: "error", reason: "timed out: the test run reached its time limit of 0.3 s" },
      "grid.quality.1.sql": { result: "error", reason: "timed out: the test run reached its time limit of 0.3 s" },
      "grid.quality.2.sql": { result: "error", reason: "timed out: the test run reached its time limit of 0.3 s" },
    },
  },
];
