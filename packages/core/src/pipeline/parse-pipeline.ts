import type { Issue, Path } from "../issues.js";
import { closest } from "../lint/closest.js";
import { isObj } from "../read.js";
import { FieldReader } from "../spec/field-reader.js";
import type { SourceDocument } from "../spec/source.js";
import {
  type Pipeline,
  type PipelineLimits,
  type PipelineOutput,
  type PipelineRetries,
  type PipelineSchedule,
  type PipelineStep,
  pipelineApiVersion,
  pipelineKind,
} from "./pipeline-model.js";
import { tablesRead } from "./tables-read.js";

export interface ParsedPipeline {
  /** Undefined when the file has errors: a pipeline is used whole or not at all. */
  pipeline: Pipeline | undefined;
  issues: Issue[];
}

/** What a pipeline is checked against: its product's ports. */
export interface PipelineProduct {
  inputPorts: readonly string[];
  outputPorts: readonly string[];
}

const topFields = ["apiVersion", "kind", "description", "schedule", "retries", "limits", "outputs"] as const;
const retriesFields = ["attempts", "backoff"] as const;
const limitsFields = ["memory", "threads", "timeout"] as const;
/** Tries of a run when the file names none: one (a worker that died still gets a second). */
export const defaultPipelineRetries: PipelineRetries = { attempts: 1, backoffSeconds: 30 };
const maxAttempts = 10;
const memoryUnits: Record<string, number> = {
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** `512MB`, `1GB`, `1.5GiB` in bytes; undefined when it is not a size. */
export function parseMemorySize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b)$/i.exec(text.trim());
  const unit = m ? memoryUnits[(m[2] as string).toLowerCase()] : undefined;
  return m && unit ? Math.round(Number(m[1]) * unit) : undefined;
}

/** `90s`, `10m`, `2h` in seconds; undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)\s*([smh])$/.exec(text.trim());
  return m ? Number(m[1]) * (timeoutUnits[m[2] as string] as number) : undefined;
}
const scheduleFields = ["cron", "timezone"] as const;
const cronShape = /^\s*([0-9*,/-]+\s+){4}[0-9*,/-]+\s*$/;
const outputFields = ["port", "dataset", "engine", "partition", "incremental", "steps"] as const;
const engines = ["duckdb", "postgres"] as const;
const partitionFields = ["column"] as const;
const incrementalFields = ["watermark"] as const;
const stepFields = ["name", "sql", "command", "timeout"] as const;
const stepName = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A command's time limit when it names none, and the most it may ask for. */
const defaultTimeoutSeconds = 600;
const maxTimeoutSeconds = 6 * 3600;
const timeoutUnits: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** Whether a parsed document is a pipeline declaration (`kind: Pipeline`). */
export const isPipelineDocument = (value: unknown): boolean => isObj(value) && value.kind === pipelineKind;

class PipelineReader extends FieldReader {
  constructor(src: SourceDocument) {
    super(src, "pipeline");
  }

  timeout(value: unknown, path: Path): number | undefined {
    if (value === undefined) return defaultTimeoutSeconds;
    const seconds = typeof value === "string" ? parseDuration(value) : undefined;
    if (seconds === undefined || seconds < 1 || seconds > maxTimeoutSeconds) {
      this.error(path, "pipeline-timeout-invalid", `timeout must be like 90s, 10m or 2h, at most 6h`);
      return undefined;
    }
    return seconds;
  }

  schedule(value: unknown): PipelineSchedule | undefined {
    if (value === undefined) return undefined;
    if (!isObj(value)) {
      this.error(
        ["schedule"],
        "pipeline-schedule-invalid",
        'schedule is a mapping: { cron: "0 6 * * *", timezone: Europe/Amsterdam }',
      );
      return undefined;
    }
    this.unknownFields(value, ["schedule"], scheduleFields, "a schedule");
    const cron = this.text(value, ["schedule"], "cron", true);
    if (cron !== undefined && !cronShape.test(cron))
      this.error(
        ["schedule", "cron"],
        "pipeline-schedule-invalid",
        `cron "${cron}" needs 5 fields (minute hour day month weekday) of numbers, *, ranges, lists and steps`,
      );
    const timezone = this.text(value, ["schedule"], "timezone", false) ?? "UTC";
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    } catch {
      this.error(
        ["schedule", "timezone"],
        "pipeline-schedule-invalid",
        `"${timezone}" is not a time zone (IANA, e.g. Europe/Amsterdam)`,
      );
      return undefined;
    }
    return cron === undefined ? undefined : { cron: cron.trim(), timezone };
  }

  retries(value: unknown): PipelineRetries {
    if (value === undefined) return defaultPipelineRetries;
    if (!isObj(value)) {
      this.error(["retries"], "pipeline-retries-invalid", "retries is a mapping: { attempts: 3, backoff: 30s }");
      return defaultPipelineRetries;
    }
    this.unknownFields(value, ["retries"], retriesFields, "retries");
    const attempts = value.attempts ?? defaultPipelineRetries.attempts;
    if (typeof attempts !== "number" || !Number.isInteger(attempts) || attempts < 1 || attempts > maxAttempts)
      this.error(
        ["retries", "attempts"],
        "pipeline-retries-invalid",
        `attempts is how many times a run is tried in all, the first included: a whole number from 1 to ${maxAttempts}`,
      );
    const backoff = value.backoff === undefined ? defaultPipelineRetries.backoffSeconds : undefined;
    const backoffSeconds =
      backoff ?? (typeof value.backoff === "string" ? parseDuration(value.backoff) : undefined) ?? -1;
    if (backoffSeconds < 1 || backoffSeconds > 3600)
      this.error(
        ["retries", "backoff"],
        "pipeline-retries-invalid",
        "backoff is the wait before the first retry, like 30s or 5m, at most 1h (it doubles for each retry after)",
      );
    return { attempts: typeof attempts === "number" ? attempts : 1, backoffSeconds };
  }

  limits(value: unknown): PipelineLimits {
    const none: PipelineLimits = { memoryBytes: undefined, threads: undefined, timeoutSeconds: undefined };
    if (value === undefined) return none;
    if (!isObj(value)) {
      this.error(
        ["limits"],
        "pipeline-limits-invalid",
        "limits is a mapping: { memory: 1GB, threads: 2, timeout: 30m }",
      );
      return none;
    }
    this.unknownFields(value, ["limits"], limitsFields, "limits");
    const limits = { ...none };
    if (value.memory !== undefined) {
      limits.memoryBytes = typeof value.memory === "string" ? parseMemorySize(value.memory) : undefined;
      if (limits.memoryBytes === undefined || limits.memoryBytes < 1e6)
        this.error(
          ["limits", "memory"],
          "pipeline-limits-invalid",
          "memory is DuckDB's memory limit, like 512MB, 1GB or 2GiB, at least 1MB",
        );
    }
    if (value.threads !== undefined) {
      const ok = typeof value.threads === "number" && Number.isInteger(value.threads) && value.threads >= 1;
      if (ok) limits.threads = value.threads as number;
      else this.error(["limits", "threads"], "pipeline-limits-invalid", "threads is a whole number, at least 1");
    }
    if (value.timeout !== undefined) {
      limits.timeoutSeconds = typeof value.timeout === "string" ? parseDuration(value.timeout) : undefined;
      if (limits.timeoutSeconds === undefined || limits.timeoutSeconds < 1 || limits.timeoutSeconds > maxTimeoutSeconds)
        this.error(
          ["limits", "timeout"],
          "pipeline-limits-invalid",
          "timeout is the whole run's time limit, like 90s, 30m or 2h, at most 6h",
        );
    }
    return limits;
  }

  step(value: unknown, path: Path): PipelineStep | undefined {
    if (!isObj(value)) {
      this.error(path, "pipeline-step-invalid", "a step must be a mapping with name and sql (or command)");
      return undefined;
    }
    this.unknownFields(value, path, stepFields, "a step");
    const before = this.issues.length;
    const name = this.text(value, path, "name", true);
    if (name !== undefined && !stepName.test(name))
      this.error(
        [...path, "name"],
        "pipeline-step-name-invalid",
        `step name "${name}" must be an SQL identifier (letters, digits, _), so later steps can read it`,
      );
    const line = this.src.locate(path).line;
    if ((value.sql === undefined) === (value.command === undefined)) {
      this.error(path, "pipeline-step-invalid", "a step has either sql or command, not both and not neither");
      return undefined;
    }
    if (value.sql !== undefined) {
      if (value.timeout !== undefined)
        this.error([...path, "timeout"], "pipeline-field-invalid", "timeout is for command steps", true);
      const sql = this.text(value, path, "sql", true);
      if (this.issues.length > before || !name || sql === undefined) return undefined;
      return { kind: "sql", name, sql: sql.trim().replace(/;\s*$/, ""), line };
    }
    const command = value.command;
    const argv = Array.isArray(command) ? command : undefined;
    if (!argv || argv.length === 0 || argv.some((a) => typeof a !== "string" || a === "")) {
      this.error(
        [...path, "command"],
        "pipeline-command-invalid",
        "command must be a list: the program, then its arguments (no shell line)",
      );
      return undefined;
    }
    const timeoutSeconds = this.timeout(value.timeout, [...path, "timeout"]);
    if (this.issues.length > before || !name || timeoutSeconds === undefined) return undefined;
    return { kind: "command", name, command: argv as string[], timeoutSeconds, line };
  }

  output(value: unknown, path: Path): PipelineOutput | undefined {
    if (!isObj(value)) {
      this.error(path, "pipeline-output-invalid", "an output must be a mapping with port and steps");
      return undefined;
    }
    this.unknownFields(value, path, outputFields, "an output");
    const before = this.issues.length;
    const port = this.text(value, path, "port", true);
    const dataset = this.text(value, path, "dataset", false);
    const engine = this.text(value, path, "engine", false);
    if (engine !== undefined && !engines.includes(engine as (typeof engines)[number]))
      this.error(
        [...path, "engine"],
        "pipeline-engine-invalid",
        `engine is duckdb or postgres (where the steps run, and so their SQL dialect), not ${JSON.stringify(engine)}; without it the steps run where the inputs are`,
      );
    let partition: PipelineOutput["partition"];
    if (value.partition !== undefined) {
      if (!isObj(value.partition))
        this.error(
          [...path, "partition"],
          "pipeline-partition-invalid",
          "partition is a mapping: { column: order_date }, the date column a backfill replaces a range of",
        );
      else {
        this.unknownFields(value.partition, [...path, "partition"], partitionFields, "a partition");
        const column = this.text(value.partition, [...path, "partition"], "column", true);
        if (column !== undefined) partition = { column };
      }
    }
    let incremental: PipelineOutput["incremental"];
    if (value.incremental !== undefined) {
      if (!isObj(value.incremental))
        this.error(
          [...path, "incremental"],
          "pipeline-incremental-invalid",
          "incremental is a mapping: { watermark: event_time }, the column whose highest published value the next run starts after",
        );
      else {
        this.unknownFields(value.incremental, [...path, "incremental"], incrementalFields, "incremental");
        const watermark = this.text(value.incremental, [...path, "incremental"], "watermark", true);
        if (watermark !== undefined) incremental = { watermark };
      }
    }
    if (incremental && partition)
      this.error(
        [...path, "incremental"],
        "pipeline-incremental-invalid",
        "an output is incremental (appends) or partitioned (backfills replace a range), not both",
      );
    const steps = value.steps;
    if (!Array.isArray(steps) || steps.length === 0) {
      this.error(
        steps === undefined ? path : [...path, "steps"],
        "pipeline-steps-missing",
        "an output needs steps: a list of at least one step",
      );
      return undefined;
    }
    const parsed = steps.map((s, i) => this.step(s, [...path, "steps", i]));
    const names = new Map<string, number>();
    parsed.forEach((s, i) => {
      if (!s) return;
      const first = names.get(s.name.toLowerCase());
      if (first !== undefined)
        this.error(
          [...path, "steps", i, "name"],
          "pipeline-step-duplicate",
          `step "${s.name}" is already step ${first + 1}`,
        );
      else names.set(s.name.toLowerCase(), i);
    });
    parsed.forEach((s, i) => {
      if (s?.kind === "command" && steps.length > 1)
        this.error(
          [...path, "steps", i],
          "pipeline-command-alone",
          `step "${s.name}" is a command: a command fills its output port by itself, so it is the output's only step`,
        );
    });
    if (incremental && parsed.some((s) => s?.kind === "command"))
      this.error(
        [...path, "incremental"],
        "pipeline-incremental-invalid",
        "an incremental output is built by SQL steps (they read {{watermark}}); a command step fills its output whole",
      );
    if (incremental && engine === "postgres")
      this.error(
        [...path, "engine"],
        "pipeline-incremental-invalid",
        "an incremental output is built in DuckDB (its watermark is DuckDB SQL); leave engine out or say duckdb",
      );
    if (!port || parsed.some((s) => s === undefined) || this.issues.length > before) return undefined;
    return {
      port,
      dataset,
      ...(engine ? { engine: engine as "duckdb" | "postgres" } : {}),
      steps: parsed as PipelineStep[],
      reads: [],
      partition,
      incremental,
    };
  }
}

/**
 * Reads a `pipeline.yaml` (ADR 0029): `apiVersion: quanta/v1`, `kind: Pipeline`, and `outputs`,
 * one per output port, each a list of steps. Every problem is an issue with file, line and column;
 * the pipeline is returned only when there is none.
 */
export function parsePipeline(src: SourceDocument): ParsedPipeline {
  const r = new PipelineReader(src);
  const doc = src.value;
  if (!isObj(doc)) {
    r.error([], "pipeline-invalid", "a pipeline file is a mapping with apiVersion, kind and outputs");
    return { pipeline: undefined, issues: r.issues };
  }
  r.unknownFields(doc, [], topFields, "a pipeline");
  if (doc.apiVersion !== pipelineApiVersion)
    r.error(
      doc.apiVersion === undefined ? [] : ["apiVersion"],
      "pipeline-api-version",
      `apiVersion must be ${pipelineApiVersion}`,
    );
  if (doc.kind !== pipelineKind) r.error(["kind"], "pipeline-kind", `kind must be ${pipelineKind}`);
  const outputs = doc.outputs;
  if (!Array.isArray(outputs) || outputs.length === 0) {
    r.error(
      outputs === undefined ? [] : ["outputs"],
      "pipeline-outputs-missing",
      "outputs must list at least one output port",
    );
    return { pipeline: undefined, issues: r.issues };
  }
  const schedule = r.schedule(doc.schedule);
  const retries = r.retries(doc.retries);
  const limits = r.limits(doc.limits);
  const parsed = outputs.map((o, i) => r.output(o, ["outputs", i]));
  const ports = new Map<string, number>();
  parsed.forEach((o, i) => {
    if (!o) return;
    const first = ports.get(o.port);
    if (first !== undefined)
      r.error(
        ["outputs", i, "port"],
        "pipeline-output-duplicate",
        `output port "${o.port}" is already output ${first + 1}`,
      );
    else ports.set(o.port, i);
  });
  if (r.issues.length > 0) return { pipeline: undefined, issues: r.issues };
  return {
    pipeline: { file: src.file, outputs: parsed as PipelineOutput[], schedule, retries, limits },
    issues: [],
  };
}

/**
 * Checks a parsed pipeline against its product: every output is one of the product's output
 * ports, and every table a SQL step reads is an input port or an earlier step of the same output
 * (never itself or a later one). Fills each output's `reads`. Issues point into the pipeline file.
 */
export function checkPipeline(src: SourceDocument, pipeline: Pipeline, product: PipelineProduct): Issue[] {
  const issues: Issue[] = [];
  const inputs = new Map(product.inputPorts.map((p) => [p.toLowerCase(), p]));
  pipeline.outputs.forEach((output, o) => {
    if (!product.outputPorts.includes(output.port)) {
      const hint = closest(output.port, product.outputPorts);
      issues.push(
        src.at(
          ["outputs", o, "port"],
          "pipeline-output-unknown",
          "error",
          `"${output.port}" is not an output port of the product${hint ? `; did you mean "${hint}"?` : product.outputPorts.length ? ` (its output ports: ${product.outputPorts.join(", ")})` : " (it has none)"}`,
        ),
      );
    }
    const stepIndex = new Map(output.steps.map((s, i) => [s.name.toLowerCase(), i]));
    const reads = new Set<string>();
    output.steps.forEach((step, s) => {
      if (step.kind !== "sql") return;
      const path = ["outputs", o, "steps", s, "sql"];
      for (const ref of tablesRead(step.sql)) {
        const key = ref.name.toLowerCase();
        const at = ref.dataset === undefined ? stepIndex.get(key) : undefined;
        if (at !== undefined) {
          if (at >= s)
            issues.push(
              src.at(
                path,
                "pipeline-step-order",
                "error",
                at === s
                  ? `step "${step.name}" reads itself`
                  : `step "${step.name}" reads step "${output.steps[at]?.name}", which comes later; a step reads only input ports and earlier steps`,
              ),
            );
          continue;
        }
        const port = inputs.get(key);
        if (port !== undefined) {
          reads.add(port);
          continue;
        }
        const hint = closest(ref.name, [...product.inputPorts, ...output.steps.slice(0, s).map((x) => x.name)]);
        issues.push(
          src.at(
            path,
            "pipeline-input-unknown",
            "error",
            `step "${step.name}" reads "${ref.name}", which is neither an input port of the product (${product.inputPorts.join(", ") || "none"}) nor an earlier step${hint ? `; did you mean "${hint}"?` : ""}`,
          ),
        );
      }
    });
    // A command reads whatever it is given: every input port.
    output.reads = output.steps.some((st) => st.kind === "command") ? [...product.inputPorts] : [...reads];
  });
  return issues;
}

/** The port names a product document (ODPS) declares, for checking its pipeline. */
export function pipelineProductOf(productDocument: unknown): PipelineProduct {
  const names = (field: string) =>
    (isObj(productDocument) && Array.isArray(productDocument[field]) ? (productDocument[field] as unknown[]) : [])
      .map((p) => (isObj(p) && typeof p.name === "string" ? p.name : undefined))
      .filter((n): n is string => n !== undefined);
  return { inputPorts: names("inputPorts"), outputPorts: names("outputPorts") };
}

/** Every issue of a pipeline file read beside its product (what `quanta lint` reports). */
export function lintPipeline(src: SourceDocument, productDocument: unknown): Issue[] {
  if (!src.readable) return src.issues;
  const parsed = parsePipeline(src);
  if (!parsed.pipeline) return parsed.issues;
  return checkPipeline(src, parsed.pipeline, pipelineProductOf(productDocument));
}
