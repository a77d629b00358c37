import type { Path } from "../../issues.js";
import { parseDuration } from "../../pipeline/parse-pipeline.js";
import { ConvertContext, isObject } from "../convert-context.js";
import type { ExportInput, ExportResult } from "../format.js";
import { quoteString, snakeCase } from "../names.js";

/** The longest a Quanta pipeline run may take (docs/pipelines.md: `limits.timeout`, at most 6h). */
const maxRunSeconds = 6 * 3600;
/** What the DAG waits beyond a run's own limit before Airflow gives up on the console. */
const waitMarginSeconds = 300;

/** ODCS SLA units → seconds, for a `frequency` SLA. */
const unitSeconds: Readonly<Record<string, number>> = {
  s: 1,
  m: 60,
  min: 60,
  h: 3600,
  d: 86400,
  w: 7 * 86400,
};
/** One period of a unit, as Airflow's presets say it. */
const presets: Readonly<Record<number, string>> = { 3600: "@hourly", 86400: "@daily", 604800: "@weekly" };

interface Plan {
  dagId: string;
  description: string;
  /** A Python expression: a cron string, a preset, a `datetime.timedelta`, or None. */
  schedule: string;
  timezone: string;
  /** The console command lines, in order, with a task id each. */
  tasks: { id: string; argv: string[]; timeoutSeconds?: number; comment: string }[];
}

/**
 * A Python Airflow DAG that drives Quanta from Airflow: with the product's pipeline, one task runs
 * it on the platform (`quanta pipeline run PRODUCT --wait`) on the pipeline's schedule and a second
 * tests the contract after it; without one, a DAG that tests the contract on its SLA's frequency.
 */
export function exportAirflow(input: ExportInput): ExportResult {
  const ctx = new ConvertContext(input.source);
  const { contract, options } = input;
  const product = isObject(input.product) ? input.product : undefined;
  const pipeline = product && isObject(product.pipeline) ? product.pipeline : undefined;
  const productId = options.product ?? (typeof product?.id === "string" ? product.id : undefined);
  const quanta = options.quanta ?? "quanta";
  const server = options.server !== undefined ? ["--server", options.server] : [];
  const contractPath = options.contract ?? input.source.file;
  const testTask = {
    id: "test_contract",
    argv: [
      quanta,
      "test",
      contractPath,
      ...(options["contract-server"] !== undefined ? ["--server", options["contract-server"]] : []),
    ],
    comment: `Tests contract ${contract.id ?? ""} against its data, where the data lives.`,
  };

  let plan: Plan;
  if (productId !== undefined && (pipeline !== undefined || options.product !== undefined)) {
    const schedule = pipeline && isObject(pipeline.schedule) ? pipeline.schedule : undefined;
    const cron = typeof schedule?.cron === "string" ? schedule.cron : undefined;
    const limits = pipeline && isObject(pipeline.limits) ? pipeline.limits : {};
    const timeout = typeof limits.timeout === "string" ? parseDuration(limits.timeout) : undefined;
    if (cron === undefined) {
      ctx.info([], "airflow-no-schedule", "the pipeline declares no schedule: the DAG runs when triggered");
    }
    plan = {
      dagId: options["dag-id"] ?? dagIdOf(productId),
      description: `Runs the Quanta pipeline of data product ${productId}, then tests contract ${contract.id ?? contractPath}`,
      schedule:
        options.schedule !== undefined ? scheduleOf(options.schedule) : cron !== undefined ? quoteString(cron) : "None",
      timezone: typeof schedule?.timezone === "string" ? schedule.timezone : "UTC",
      tasks: [
        {
          id: "run_pipeline",
          argv: [quanta, "pipeline", "run", productId, "--wait", ...server],
          timeoutSeconds: (timeout ?? maxRunSeconds) + waitMarginSeconds,
          comment:
            "Quanta runs, retries (pipeline.yaml retries) and tests the run itself; --wait exits 1 when the run failed.",
        },
        testTask,
      ],
    };
  } else {
    if (product && !pipeline) {
      ctx.warn(
        [],
        "airflow-no-pipeline",
        "the product came without its pipeline (pipeline.yaml): the DAG only tests the contract; --option product=ID runs the product's pipeline first",
      );
    }
    const frequency = frequencyOf(ctx, contract.slaProperties);
    plan = {
      dagId: options["dag-id"] ?? dagIdOf(`${contract.id ?? "contract"}_test`),
      description: `Tests contract ${contract.id ?? contractPath} with Quanta`,
      schedule: options.schedule !== undefined ? scheduleOf(options.schedule) : (frequency?.schedule ?? "None"),
      timezone: "UTC",
      tasks: [testTask],
    };
  }
  return {
    files: [{ path: `${plan.dagId}.py`, content: dagText(plan), mediaType: "text/x-python" }],
    issues: ctx.issues,
  };
}

/** An Airflow dag id: letters, digits, `_`, `-`, `.` only. */
function dagIdOf(name: string): string {
  const id = `quanta_${snakeCase(name)}`.replace(/[^A-Za-z0-9_.-]/g, "_");
  return id.slice(0, 250);
}

/** `--option schedule=`: a cron line or preset as given, `none` for manual runs. */
function scheduleOf(text: string): string {
  return text.trim().toLowerCase() === "none" ? "None" : quoteString(text.trim());
}

/** The contract's `frequency` SLA as an Airflow schedule; a warning when it has none that reads. */
function frequencyOf(
  ctx: ConvertContext,
  sla: readonly { property?: string; value?: unknown; unit?: string }[] | undefined,
): { schedule: string } | undefined {
  const index = (sla ?? []).findIndex((s) => s.property === "frequency");
  const entry = sla?.[index];
  if (!entry) {
    ctx.warn([], "airflow-no-frequency", "the contract states no frequency SLA: the DAG runs when triggered");
    return undefined;
  }
  const path: Path = ["slaProperties", index];
  if (typeof entry.value === "string" && /^\s*(\S+\s+){4}\S+\s*$|^@\w+$/.test(entry.value)) {
    return { schedule: quoteString(entry.value.trim()) };
  }
  const unit = unitSeconds[(entry.unit ?? "d").toLowerCase()];
  const value = typeof entry.value === "number" ? entry.value : Number(entry.value);
  if (unit === undefined || !Number.isFinite(value) || value <= 0) {
    ctx.warn(
      path,
      "airflow-frequency-unread",
      "the frequency SLA has no value and unit (s, m, h, d, w) to schedule by; the DAG runs when triggered",
    );
    return undefined;
  }
  const seconds = value * unit;
  const preset = presets[seconds];
  return { schedule: preset ? quoteString(preset) : `datetime.timedelta(seconds=${seconds})` };
}

/** A shell word: bare when it is plainly safe, else single-quoted (`'` written as `'\''`). */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Airflow renders `bash_command` with Jinja: a `{` opening `{{`, `{%` or `{#` is written as an expression. */
export function jinjaLiteral(text: string): string {
  return text.replace(/\{(?=[{%#])/g, "{{ '{' }}");
}

/**
 * The shell line of a task as Airflow reads it: words quoted for bash, then Jinja-escaped; a line
 * ending in `.sh` or `.bash` would be read as a template file's name, so it gets a trailing space.
 */
export function bashCommand(argv: readonly string[]): string {
  const line = jinjaLiteral(argv.map(shellWord).join(" "));
  return /\.(sh|bash)$/.test(line) ? `${line} ` : line;
}

function dagText(plan: Plan): string {
  const lines = [
    `${quoteString(`Airflow DAG ${plan.dagId}, written by quanta export --format airflow. ${plan.description}.`)}`,
    "",
    "from __future__ import annotations",
    "",
    "import datetime",
    ...(utc(plan.timezone) ? [] : ["import zoneinfo"]),
    "",
    "from airflow import DAG",
    "from airflow.operators.bash import BashOperator",
    "",
    "with DAG(",
    `    dag_id=${quoteString(plan.dagId)},`,
    `    description=${quoteString(plan.description)},`,
    `    schedule=${plan.schedule},`,
    `    start_date=datetime.datetime(2024, 1, 1, tzinfo=${timezoneOf(plan.timezone)}),`,
    "    catchup=False,",
    "    # One run at a time, as Quanta itself runs a product's pipeline.",
    "    max_active_runs=1,",
    `    tags=["quanta"],`,
    ") as dag:",
  ];
  for (const task of plan.tasks) {
    lines.push(
      `    # ${task.comment.replace(/[\r\n]+/g, " ")}`,
      `    ${task.id} = BashOperator(`,
      `        task_id=${quoteString(task.id)},`,
      `        bash_command=${quoteString(bashCommand(task.argv))},`,
    );
    if (task.timeoutSeconds !== undefined) {
      lines.push(`        execution_timeout=datetime.timedelta(seconds=${task.timeoutSeconds}),`);
    }
    lines.push("    )");
  }
  if (plan.tasks.length > 1) lines.push("", `    ${plan.tasks.map((t) => t.id).join(" >> ")}`);
  return `${lines.join("\n")}\n`;
}

const utc = (zone: string) => zone === "UTC" || zone === "Etc/UTC";

/** `UTC` → `datetime.timezone.utc`; any other IANA zone through the standard library's zoneinfo. */
function timezoneOf(zone: string): string {
  return utc(zone) ? "datetime.timezone.utc" : `zoneinfo.ZoneInfo(${quoteString(zone)})`;
}
