import { describe, expect, it } from "vitest";
import { formatIssue } from "../issues.js";
import { SourceDocument } from "../spec/source.js";
import { checkPipeline, parsePipeline } from "./parse-pipeline.js";
import { describeCycle, findPipelineCycle, type PipelineEdge } from "./pipeline-cycle.js";
import { tablesRead } from "./tables-read.js";

const file = (text: string) => SourceDocument.parse(text, "pipeline.yaml");
const parse = (text: string) => parsePipeline(file(text));
const product = { inputPorts: ["readings", "stations"], outputPorts: ["daily-temperature", "export"] };
const checked = (text: string) => {
  const src = file(text);
  const r = parsePipeline(src);
  if (!r.pipeline) return { pipeline: undefined, issues: r.issues.map(formatIssue) };
  return { pipeline: r.pipeline, issues: checkPipeline(src, r.pipeline, product).map(formatIssue) };
};

const good = `apiVersion: quanta/v1
kind: Pipeline
schedule: { cron: "0 6 * * 1-5", timezone: Europe/Amsterdam }
outputs:
  - port: daily-temperature
    steps:
      - name: daily
        sql: |
          SELECT r.station_id, CAST(r.measured_at AS DATE) AS measurement_date,
                 extract(year FROM r.measured_at) AS y, avg(r.temperature_c) AS mean
          FROM readings r JOIN stations s ON s.station_id = r.station_id
          GROUP BY ALL
      - name: result
        sql: SELECT * FROM daily WHERE mean IS NOT NULL;
  - port: export
    steps:
      - name: export
        command: [python3, export.py]
        timeout: 2m
`;

describe("parsePipeline", () => {
  it("reads outputs with sql and command steps, the inputs each output reads", () => {
    const r = checked(good);
    expect(r.issues).toEqual([]);
    expect(r.pipeline?.schedule).toEqual({ cron: "0 6 * * 1-5", timezone: "Europe/Amsterdam" });
    const out = r.pipeline?.outputs[0];
    expect(out?.port).toBe("daily-temperature");
    expect(out?.reads.sort()).toEqual(["readings", "stations"]);
    expect(out?.steps.map((s) => [s.kind, s.name, s.line])).toEqual([
      ["sql", "daily", 7],
      ["sql", "result", 13],
    ]);
    expect(out?.steps[1]).toMatchObject({ sql: "SELECT * FROM daily WHERE mean IS NOT NULL" });
    const command = r.pipeline?.outputs[1];
    expect(command?.steps[0]).toMatchObject({ command: ["python3", "export.py"], timeoutSeconds: 120, line: 17 });
    expect(command?.reads).toEqual(["readings", "stations"]);
  });

  it("reports every shape problem with file, line and column", () => {
    expect(
      parse(`apiVersion: quanta/v2
kind: Pipeline
schedule: { cron: "every day", timezone: Mars/Olympus }
outputz: []
outputs:
  - port: daily-temperature
    steps:
      - name: 1bad
        sql: SELECT 1
        timeout: 1m
      - name: both
        sql: SELECT 1
        command: [x]
      - name: cmd
        command: "rm -rf /"
      - name: slow
        command: [sleep, "100"]
        timeout: 3d
      - name: mixed
        command: [python3, x.py]
  - port: daily-temperature
    steps: []
`).issues.map(formatIssue),
    ).toMatchInlineSnapshot(`
      [
        "pipeline.yaml:4:1 error pipeline-field-unknown unknown field "outputz" in a pipeline; did you mean "outputs"?",
        "pipeline.yaml:1:13 error pipeline-api-version apiVersion must be quanta/v1",
        "pipeline.yaml:3:19 error pipeline-schedule-invalid cron "every day" needs 5 fields (minute hour day month weekday) of numbers, *, ranges, lists and steps",
        "pipeline.yaml:3:42 error pipeline-schedule-invalid "Mars/Olympus" is not a time zone (IANA, e.g. Europe/Amsterdam)",
        "pipeline.yaml:8:15 error pipeline-step-name-invalid step name "1bad" must be an SQL identifier (letters, digits, _), so later steps can read it",
        "pipeline.yaml:10:9 error pipeline-field-invalid timeout is for command steps",
        "pipeline.yaml:11:9 error pipeline-step-invalid a step has either sql or command, not both and not neither",
        "pipeline.yaml:15:18 error pipeline-command-invalid command must be a list: the program, then its arguments (no shell line)",
        "pipeline.yaml:18:18 error pipeline-timeout-invalid timeout must be like 90s, 10m or 2h, at most 6h",
        "pipeline.yaml:19:9 error pipeline-command-alone step "mixed" is a command: a command fills its output port by itself, so it is the output's only step",
        "pipeline.yaml:22:12 error pipeline-steps-missing an output needs steps: a list of at least one step",
      ]
    `);
  });
});

describe("retries and limits", () => {
  const head = (extra: string) => `apiVersion: quanta/v1
kind: Pipeline
${extra}
outputs:
  - port: export
    steps:
      - name: export
        sql: SELECT 1 AS n
`;

  it("reads retries and limits, with defaults when absent", () => {
    expect(
      parse(head("retries: { attempts: 3, backoff: 30s }\nlimits: { memory: 1GB, threads: 2, timeout: 30m }")).pipeline,
    ).toMatchObject({
      retries: { attempts: 3, backoffSeconds: 30 },
      limits: { memoryBytes: 1e9, threads: 2, timeoutSeconds: 1800 },
    });
    expect(parse(head("limits: { memory: 1.5GiB }")).pipeline?.limits.memoryBytes).toBe(1.5 * 2 ** 30);
    expect(parse(head("description: x")).pipeline).toMatchObject({
      retries: { attempts: 1, backoffSeconds: 30 },
      limits: { memoryBytes: undefined, threads: undefined, timeoutSeconds: undefined },
    });
  });

  it("reports bad retries and limits with file, line and column", () => {
    expect(
      parse(
        head(`retries:
  attempts: 0
  backoff: soon
  tries: 2
limits:
  memory: lots
  threads: 1.5
  timeout: 7h`),
      ).issues.map(formatIssue),
    ).toMatchInlineSnapshot(`
      [
        "pipeline.yaml:6:3 error pipeline-field-unknown unknown field "tries" in retries; allowed: attempts, backoff",
        "pipeline.yaml:4:13 error pipeline-retries-invalid attempts is how many times a run is tried in all, the first included: a whole number from 1 to 10",
        "pipeline.yaml:5:12 error pipeline-retries-invalid backoff is the wait before the first retry, like 30s or 5m, at most 1h (it doubles for each retry after)",
        "pipeline.yaml:8:11 error pipeline-limits-invalid memory is DuckDB's memory limit, like 512MB, 1GB or 2GiB, at least 1MB",
        "pipeline.yaml:9:12 error pipeline-limits-invalid threads is a whole number, at least 1",
        "pipeline.yaml:10:12 error pipeline-limits-invalid timeout is the whole run's time limit, like 90s, 30m or 2h, at most 6h",
      ]
    `);
  });
});

describe("partition", () => {
  it("reads an output's partition column, and refuses one that is not a mapping with a column", () => {
    const text = (partition: string) => `apiVersion: quanta/v1
kind: Pipeline
outputs:
  - port: export
    partition: ${partition}
    steps:
      - name: export
        sql: SELECT day FROM readings WHERE day BETWEEN {{from}} AND {{to}}
`;
    expect(parse(text("{ column: day }")).pipeline?.outputs[0]?.partition).toEqual({ column: "day" });
    expect(parse(text("day")).issues.map(formatIssue)).toEqual([
      "pipeline.yaml:5:16 error pipeline-partition-invalid partition is a mapping: { column: order_date }, the date column a backfill replaces a range of",
    ]);
    expect(parse(text("{ col: day }")).issues.map((i) => i.code)).toEqual([
      "pipeline-field-unknown",
      "pipeline-field-missing",
    ]);
  });
});

describe("incremental", () => {
  it("reads an output's watermark column; an output is not both incremental and partitioned", () => {
    const text = (extra: string) => `apiVersion: quanta/v1
kind: Pipeline
outputs:
  - port: export
${extra}    steps:
      - name: export
        sql: SELECT * FROM readings WHERE at > {{watermark}}
`;
    expect(parse(text("    incremental: { watermark: at }\n")).pipeline?.outputs[0]?.incremental).toEqual({
      watermark: "at",
    });
    expect(
      parse(text("    incremental: { watermark: at }\n    partition: { column: at }\n")).issues.map(formatIssue),
    ).toEqual([
      "pipeline.yaml:5:18 error pipeline-incremental-invalid an output is incremental (appends) or partitioned (backfills replace a range), not both",
    ]);
  });
});

describe("checkPipeline", () => {
  it("refuses an unknown output port, an unknown input port and a step reading a later step", () => {
    expect(
      checked(`apiVersion: quanta/v1
kind: Pipeline
outputs:
  - port: daily-temperatures
    steps:
      - name: first
        sql: SELECT * FROM second
      - name: second
        sql: SELECT * FROM readingz, stations AS s
      - name: third
        sql: WITH x AS (SELECT 1) SELECT * FROM x JOIN third USING (a)
`).issues,
    ).toMatchInlineSnapshot(`
      [
        "pipeline.yaml:4:11 error pipeline-output-unknown "daily-temperatures" is not an output port of the product; did you mean "daily-temperature"?",
        "pipeline.yaml:7:14 error pipeline-step-order step "first" reads step "second", which comes later; a step reads only input ports and earlier steps",
        "pipeline.yaml:9:14 error pipeline-input-unknown step "second" reads "readingz", which is neither an input port of the product (readings, stations) nor an earlier step; did you mean "readings"?",
        "pipeline.yaml:11:14 error pipeline-step-order step "third" reads itself",
      ]
    `);
  });
});

describe("tablesRead", () => {
  it("finds FROM and JOIN tables, comma joins and port.dataset, not CTEs, literals, comments or extract()", () => {
    const refs = tablesRead(`WITH w AS (SELECT * FROM a)
      SELECT extract(year FROM t), trim(both 'x' FROM s), 'FROM nope' -- FROM comment
      FROM w, b AS bb, "c-port".ds /* JOIN hidden */ LEFT JOIN d ON true
      WHERE x IN (SELECT y FROM e) AND f IN (FROM g)`);
    expect(refs.map((r) => (r.dataset ? `${r.name}.${r.dataset}` : r.name))).toEqual([
      "a",
      "b",
      "c-port.ds",
      "d",
      "e",
      "g",
    ]);
  });
});

describe("findPipelineCycle", () => {
  it("takes a CTE with a column list for a CTE, not a table", () => {
    expect(
      tablesRead(
        "WITH base (region, mean) AS (SELECT * FROM (VALUES ('NL-UT', 1.0)) AS t(a, b)) SELECT * FROM base JOIN readings USING (region)",
      ).map((t) => t.name),
    ).toEqual(["readings"]);
  });

  it("reads an output's engine, and refuses an engine it does not know", () => {
    const engine = (e: string) =>
      parse(`apiVersion: quanta/v1
kind: Pipeline
outputs:
  - port: export
    engine: ${e}
    steps:
      - name: copy
        sql: SELECT * FROM readings
`);
    expect(engine("postgres").pipeline?.outputs[0]?.engine).toBe("postgres");
    expect(engine("spark").issues.map(formatIssue)).toEqual([
      expect.stringMatching(/^pipeline\.yaml:5:13 error pipeline-engine-invalid engine is duckdb or postgres/),
    ]);
  });

  it("refuses an incremental output built by a command or pinned to PostgreSQL", () => {
    const out = (extra: string, step: string) =>
      parse(`apiVersion: quanta/v1
kind: Pipeline
outputs:
  - port: export
    incremental: { watermark: at }
${extra}    steps:
${step}`).issues.map(formatIssue);
    expect(out("", "      - name: dump\n        command: [python3, dump.py]\n")).toEqual([
      expect.stringMatching(
        /^pipeline\.yaml:5:18 error pipeline-incremental-invalid an incremental output is built by SQL steps/,
      ),
    ]);
    expect(out("    engine: postgres\n", "      - name: copy\n        sql: SELECT * FROM readings\n")).toEqual([
      expect.stringMatching(
        /^pipeline\.yaml:6:13 error pipeline-incremental-invalid an incremental output is built in DuckDB/,
      ),
    ]);
  });

  it("names the cycle through the product being published", () => {
    const edges: Record<string, PipelineEdge[]> = {
      a: [{ product: "a", via: "in-b", upstream: "b" }],
      b: [{ product: "b", via: "in-c", upstream: "c" }],
      c: [{ product: "c", via: "in-a", upstream: "a" }],
      d: [{ product: "d", via: "in-a", upstream: "a" }],
    };
    const cycle = findPipelineCycle("a", (p) => edges[p] ?? []);
    expect(cycle && describeCycle(cycle)).toBe("a (input port in-b) → b (input port in-c) → c (input port in-a) → a");
    expect(findPipelineCycle("d", (p) => edges[p] ?? [])).toBeUndefined();
  });
});
