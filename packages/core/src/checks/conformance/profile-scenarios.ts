import type { ColumnProfile, SqlValue } from "../check.js";
import { profiledColumnLimit } from "../profile.js";
import type { ScenarioColumnType, ScenarioData, ScenarioTable } from "./scenario.js";

type Col = [name: string, type: ScenarioColumnType];
const table = (columns: Col[], rows: SqlValue[][]): ScenarioTable => ({
  columns: columns.map(([name, type]) => ({ name, type })),
  rows,
});
const contract = (schema: Record<string, unknown>[]) => ({
  apiVersion: "v3.1.0",
  kind: "DataContract",
  id: "profile-conformance",
  version: "1.0.0",
  status: "active",
  schema,
});

/** What a dataset's profile must say; columns not listed, and figures not given, are not asserted. */
export interface ExpectedProfile {
  rows: number | null;
  reason?: string;
  /** How many columns the profile lists. */
  columnCount?: number;
  columns?: Record<string, Partial<ColumnProfile>>;
}

/**
 * One engine-neutral profile scenario: data, a contract over it (no check fails on a dataset
 * that exists, so no sample query runs), and the profile each dataset must get. `statements` is how many statements the run may send to the
 * engine over the data: one per dataset, the profile riding in the checks' scan.
 */
export interface ProfileScenario {
  name: string;
  data: ScenarioData;
  contract: Record<string, unknown>;
  statements: number;
  expect: Record<string, ExpectedProfile>;
}

const wide = Array.from({ length: profiledColumnLimit + 5 }, (_, i): Col => [`c${i}`, "integer"]);

export const profileScenarios: ProfileScenario[] = [
  {
    name: "profile: nulls, min, max, mean, distinct and top values per type",
    data: {
      items: table(
        [
          ["id", "integer"],
          ["price", "decimal"],
          ["ratio", "double"],
          ["name", "text"],
          ["flag", "boolean"],
          ["day", "date"],
          ["at", "timestamp"],
          ["tags", "text[]"],
        ],
        [
          [1, 9.99, 0.5, "a", true, "2024-01-02", "2024-01-02 10:00:00", '["x"]'],
          [2, 0.01, null, "b", false, "2024-01-01", "2024-01-01 00:00:00", null],
          [3, null, 1.5, "a", true, null, null, '["y", "z"]'],
          [4, 5, null, null, null, "2024-03-01", "2024-03-01 12:30:00", "[]"],
        ],
      ),
    },
    contract: contract([
      {
        name: "items",
        properties: [
          { name: "id", logicalType: "integer", required: true, unique: true },
          { name: "price", logicalType: "number", logicalTypeOptions: { minimum: 0 } },
          {
            name: "name",
            logicalType: "string",
            quality: [{ metric: "invalidValues", arguments: { validValues: ["a", "b", "c"] }, mustBe: 0 }],
          },
        ],
      },
    ]),
    statements: 1,
    expect: {
      items: {
        rows: 4,
        columnCount: 8,
        columns: {
          // A key (a uniqueness check): its exact distinct count, no mean.
          id: { nulls: 0, nullRate: 0, distinct: 4, distinctApproximate: false, min: 1, max: 4, mean: null },
          price: { nulls: 1, nullRate: 0.25, min: 0.01, max: 9.99, mean: 5 },
          ratio: { nulls: 2, nullRate: 0.5, min: 0.5, max: 1.5, mean: 1 },
          // Top values and distinct counts of text cost too much in the scan (ADR 0036): null.
          name: { nulls: 1, min: "a", max: "b", mean: null },
          flag: {
            nulls: 1,
            min: null,
            distinct: 2,
            top: [
              { value: "true", count: 2 },
              { value: "false", count: 1 },
            ],
          },
          day: { nulls: 1, min: "2024-01-01", max: "2024-03-01", mean: null },
          at: { nulls: 1, min: "2024-01-01 00:00:00", max: "2024-03-01 12:30:00" },
          tags: { nulls: 1, min: null, max: null, mean: null, top: null },
        },
      },
    },
  },
  {
    name: "profile: hostile column names (quotes, spaces, semicolons, unicode, case)",
    data: {
      "odd table": table(
        [
          ['we"ird', "integer"],
          ["with space", "text"],
          ["ünï 名", "double"],
          ["x; DROP TABLE t; --", "integer"],
          ["CamelCase", "boolean"],
        ],
        [
          [1, "p", 1.5, null, true],
          [null, "q", 2.5, null, true],
          [3, "p", null, null, false],
        ],
      ),
    },
    contract: contract([
      {
        name: "odd table",
        properties: [
          { name: 'we"ird', logicalType: "integer", unique: true },
          { name: "with space", logicalType: "string", required: true },
        ],
      },
    ]),
    statements: 1,
    expect: {
      "odd table": {
        rows: 3,
        columns: {
          'we"ird': { nulls: 1, distinct: 2, min: 1, max: 3, mean: null },
          "with space": { nulls: 0, min: "p", max: "q" },
          "ünï 名": { nulls: 1, min: 1.5, max: 2.5, mean: 2 },
          "x; DROP TABLE t; --": { nulls: 3, nullRate: 1, min: null, mean: null },
          CamelCase: {
            nulls: 0,
            distinct: 2,
            top: [
              { value: "true", count: 2 },
              { value: "false", count: 1 },
            ],
          },
        },
      },
    },
  },
  {
    name: "profile: an empty table and all-null columns",
    data: {
      empty: table(
        [
          ["id", "integer"],
          ["name", "text"],
        ],
        [],
      ),
      blank: table(
        [
          ["n", "integer"],
          ["b", "boolean"],
          ["t", "text"],
        ],
        [
          [null, null, null],
          [null, null, null],
        ],
      ),
    },
    contract: contract([
      { name: "empty", properties: [{ name: "id", logicalType: "integer", unique: true }] },
      { name: "blank", properties: [{ name: "n", logicalType: "integer" }] },
    ]),
    statements: 2,
    expect: {
      empty: {
        rows: 0,
        columns: {
          id: { nulls: 0, nullRate: null, distinct: 0, min: null, max: null, mean: null },
          name: { nulls: 0, nullRate: null, min: null },
        },
      },
      blank: {
        rows: 2,
        columns: {
          n: { nulls: 2, nullRate: 1, min: null, max: null, mean: null },
          b: { nulls: 2, nullRate: 1, distinct: 0, top: [] },
          t: { nulls: 2, nullRate: 1, min: null, max: null },
        },
      },
    },
  },
  {
    name: `profile: more than ${profiledColumnLimit} columns`,
    data: {
      wide: table(wide, [wide.map((_, i) => i), wide.map((_, i) => (i % 2 === 0 ? null : i + 1))]),
    },
    contract: contract([{ name: "wide", properties: [{ name: "c1", logicalType: "integer", required: true }] }]),
    statements: 1,
    expect: {
      wide: {
        rows: 2,
        columnCount: profiledColumnLimit + 5,
        reason: `profiled the first ${profiledColumnLimit} of ${profiledColumnLimit + 5} columns; the others are listed without figures`,
        columns: {
          c0: { nulls: 1, min: 0, max: 0, mean: 0 },
          c1: { nulls: 0, min: 1, max: 2, mean: 1.5 },
          [`c${profiledColumnLimit - 1}`]: { nulls: 0, min: profiledColumnLimit - 1, max: profiledColumnLimit },
          [`c${profiledColumnLimit}`]: { nulls: null, nullRate: null, min: null, max: null, mean: null },
        },
      },
    },
  },
  {
    name: "profile: a dataset with schema checks only, and a dataset that does not exist",
    data: {
      plain: table(
        [
          ["k", "text"],
          ["v", "integer"],
        ],
        [
          ["x", 1],
          ["y", 2],
        ],
      ),
    },
    contract: contract([
      { name: "plain", properties: [{ name: "k", logicalType: "string" }] },
      { name: "absent", properties: [{ name: "k", logicalType: "string" }] },
    ]),
    statements: 1,
    expect: {
      plain: { rows: 2, columnCount: 2, columns: { k: { nulls: 0, min: "x", max: "y" }, v: { mean: 1.5 } } },
      absent: { rows: null, columnCount: 0, reason: "absent not found" },
    },
  },
];
