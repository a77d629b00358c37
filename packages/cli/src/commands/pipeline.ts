import type { PipelineRun, PipelineRunDetail } from "@quanta/platform";
import type { Command } from "commander";
import { CommandError, ExitCode, fromServer } from "../exit-codes.js";
import { colors, type Io, type SetExit } from "../io.js";
import { defaultServer } from "./publish.js";

const serverOption = "the Quanta server (default: $QUANTA_SERVER or http://localhost:8080)";

async function client(server: string | undefined) {
  const { PlatformClient } = await import("@quanta/platform");
  return PlatformClient.forConsole(server ?? defaultServer());
}

const call = <T>(p: Promise<T>): Promise<T> =>
  p.catch((e: unknown) => {
    throw fromServer(e);
  });

const ended = (r: PipelineRun) => r.status === "succeeded" || r.status === "failed" || r.status === "cancelled";
const when = (at: string | null) => (at ? at.replace(/\.\d+Z$/, "Z").replace(/\.\d+\+00(:00)?$/, "Z") : "-");
const seconds = (r: PipelineRun) =>
  r.startedAt && r.finishedAt ? `${((Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000).toFixed(1)} s` : "-";

function runNumber(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new CommandError(`"${text}" is not a run number`, ExitCode.cannotRun);
  return n;
}

/** The run as a few lines: its status, and per output the version and the tests. */
function describeRun(io: Io, r: PipelineRunDetail | PipelineRun): void {
  const c = colors(io);
  const status = r.status === "succeeded" ? c.green(r.status) : r.status === "failed" ? c.red(r.status) : r.status;
  const attempt = r.attempt > 1 ? `, attempt ${r.attempt}` : "";
  io.out(`run ${r.id} of ${r.productId} ${r.productVersion}: ${status} (${r.trigger}, ${seconds(r)}${attempt})`);
  if (r.reason) io.out(`  ${r.reason}`);
  for (const a of r.attempts ?? [])
    io.out(c.dim(`  attempt ${a.attempt} failed${a.transient ? " (transient)" : ""}: ${a.reason}`));
  for (const o of r.outputs) {
    const tests = o.tests ? `tests ${o.tests.status}` : "not tested";
    const version =
      o.version === null
        ? "no version"
        : o.published
          ? `version ${o.version} current`
          : `version ${o.version} not published (current: ${o.previous ?? "none"})`;
    io.out(`  ${o.port}: ${version}, ${o.rowsOut} row(s) out, ${tests}`);
    for (const check of o.tests?.checks.filter((x) => x.status === "failed" || x.status === "error") ?? [])
      io.out(`    ${c.red(check.status)} ${check.checkId}${check.reason ? `: ${check.reason}` : ""}`);
  }
  if ("steps" in r)
    for (const s of r.steps)
      io.out(
        c.dim(
          `  step ${s.port}/${s.name}: ${s.status}${s.ms !== null ? `, ${s.ms} ms` : ""}${s.rowsOut !== null ? `, ${s.rowsOut} row(s)` : ""}`,
        ),
      );
}

export function registerPipelineCommand(program: Command, io: Io, setExit: SetExit): void {
  const pipeline = program
    .command("pipeline")
    .description("run a data product's pipeline on a Quanta server, see its runs and logs, roll a port back");

  pipeline
    .command("run")
    .description("queue a run of the product's pipeline (its owner team or an admin)")
    .argument("<product>", "the data product's id")
    .option("--wait", "wait for the run to end; exit 1 when it failed")
    .option(
      "--from <date>",
      "backfill: replace this date range (YYYY-MM-DD, inclusive) of each output's partition column",
    )
    .option("--to <date>", "backfill: the range's last day (YYYY-MM-DD)")
    .option("--server <url>", serverOption)
    .action(async (product: string, opts: { wait?: boolean; from?: string; to?: string; server?: string }) => {
      if ((opts.from === undefined) !== (opts.to === undefined))
        throw new CommandError("a backfill needs both --from and --to (YYYY-MM-DD)", ExitCode.cannotRun);
      for (const d of [opts.from, opts.to])
        if (d !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(d))
          throw new CommandError(`"${d}" is not a date (YYYY-MM-DD)`, ExitCode.cannotRun);
      const range = opts.from && opts.to ? { from: opts.from, to: opts.to } : undefined;
      const platform = await client(opts.server);
      const queued = await call(platform.runPipeline(product, range));
      io.err(`queued run ${queued.id} of ${product}${range ? ` (a backfill of ${range.from} to ${range.to})` : ""}`);
      if (!opts.wait) {
        io.out(String(queued.id));
        setExit(ExitCode.ok);
        return;
      }
      let after = 0;
      for (;;) {
        const { run, lines } = await call(platform.pipelineLogs(product, queued.id, after));
        for (const l of lines) io.err(`${when(l.at)} ${l.level} ${l.message}`);
        after = lines.at(-1)?.id ?? after;
        if (ended(run)) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      const detail = await call(platform.pipelineRun(product, queued.id));
      describeRun(io, detail);
      setExit(detail.status === "succeeded" ? ExitCode.ok : ExitCode.failed);
    });

  pipeline
    .command("status")
    .description("the product's latest run: its status, versions and tests")
    .argument("<product>", "the data product's id")
    .option("--json", "print the run as JSON")
    .option("--server <url>", serverOption)
    .action(async (product: string, opts: { json?: boolean; server?: string }) => {
      const platform = await client(opts.server);
      const latest = (await call(platform.pipelineRuns(product, 1)))[0];
      if (!latest) {
        io.err(`${product} has no pipeline runs yet (quanta pipeline run ${product})`);
        setExit(ExitCode.ok);
        return;
      }
      const detail = await call(platform.pipelineRun(product, latest.id));
      if (opts.json) io.out(JSON.stringify(detail, null, 2));
      else describeRun(io, detail);
      setExit(ExitCode.ok);
    });

  pipeline
    .command("history")
    .description("the product's runs, newest first")
    .argument("<product>", "the data product's id")
    .option("--limit <n>", "how many runs", "20")
    .option("--json", "print the runs as JSON")
    .option("--server <url>", serverOption)
    .action(async (product: string, opts: { limit: string; json?: boolean; server?: string }) => {
      const runs = await call((await client(opts.server)).pipelineRuns(product, Number(opts.limit) || 20));
      if (opts.json) io.out(JSON.stringify(runs, null, 2));
      else if (runs.length === 0) io.err(`${product} has no pipeline runs yet`);
      else {
        const c = colors(io);
        io.out(
          c.dim(`${"RUN".padEnd(6)}  ${"STATUS".padEnd(9)}  ${"TRIGGER".padEnd(8)}  ${"STARTED".padEnd(20)}  VERSIONS`),
        );
        for (const r of runs) {
          const versions = r.outputs
            .map((o) => `${o.port}@${o.version ?? "-"}${o.published ? "" : o.version === null ? "" : " (failed)"}`)
            .join(", ");
          io.out(
            `${String(r.id).padEnd(6)}  ${r.status.padEnd(9)}  ${r.trigger.padEnd(8)}  ${when(r.startedAt).padEnd(20)}  ${versions || "-"}`,
          );
        }
      }
      setExit(ExitCode.ok);
    });

  pipeline
    .command("logs")
    .description("a run's log lines")
    .argument("<product>", "the data product's id")
    .argument("<run>", "the run's number")
    .option("-f, --follow", "keep printing new lines until the run ends")
    .option("--server <url>", serverOption)
    .action(async (product: string, runText: string, opts: { follow?: boolean; server?: string }) => {
      const platform = await client(opts.server);
      const runId = runNumber(runText);
      let after = 0;
      for (;;) {
        const { run, lines } = await call(platform.pipelineLogs(product, runId, after));
        for (const l of lines) io.out(`${when(l.at)} ${l.level.padEnd(7)} ${l.message}`);
        after = lines.at(-1)?.id ?? after;
        if (!opts.follow || ended(run)) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      setExit(ExitCode.ok);
    });

  pipeline
    .command("cancel")
    .description(
      "cancel a queued or running run (its owner team or an admin): a running one stops, its staged version is discarded",
    )
    .argument("<product>", "the data product's id")
    .argument("[run]", "the run's number (default: the product's run in progress)")
    .option("--wait", "wait until a running run has stopped")
    .option("--server <url>", serverOption)
    .action(async (product: string, runText: string | undefined, opts: { wait?: boolean; server?: string }) => {
      const platform = await client(opts.server);
      let runId: number;
      if (runText !== undefined) runId = runNumber(runText);
      else {
        const latest = (await call(platform.pipelineRuns(product, 1)))[0];
        if (!latest || ended(latest))
          throw new CommandError(
            `${product} has no run in progress${latest ? ` (run ${latest.id} ${latest.status})` : ""}`,
            ExitCode.failed,
          );
        runId = latest.id;
      }
      let run = await call(platform.cancelPipelineRun(product, runId));
      if (!ended(run) && opts.wait) {
        while (!ended(run)) {
          await new Promise((r) => setTimeout(r, 250));
          run = await call(platform.pipelineRun(product, runId));
        }
      }
      io.out(
        ended(run)
          ? `run ${run.id} of ${product}: ${run.status}${run.reason ? ` (${run.reason})` : ""}`
          : `run ${run.id} of ${product}: asked to stop; it ends cancelled once its worker stopped (quanta pipeline status ${product})`,
      );
      setExit(run.status === "cancelled" || !ended(run) ? ExitCode.ok : ExitCode.failed);
    });

  pipeline
    .command("rollback")
    .description("make an earlier version of an output port current again (owner team or admin; audited)")
    .argument("<product>", "the data product's id")
    .argument("<port>", "the output port")
    .argument("<version>", "the version to serve again")
    .option("--server <url>", serverOption)
    .action(async (product: string, port: string, versionText: string, opts: { server?: string }) => {
      const version = runNumber(versionText);
      const done = await call((await client(opts.server)).rollbackPort(product, port, version));
      io.out(
        `port ${done.port} of ${done.productId} serves version ${done.restored} again, as version ${done.version} (was ${done.previous ?? "none"})`,
      );
      setExit(ExitCode.ok);
    });
}
