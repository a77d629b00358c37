import { stat } from "node:fs/promises";
import { basename, resolve } from "node:path";
import type { Command } from "commander";
import { CommandError, ExitCode, fromServer } from "../exit-codes.js";
import { colors, type Io, type SetExit } from "../io.js";

interface PublishOptions {
  server: string;
  json?: boolean;
  data: string[];
}

export const defaultServer = () => process.env.QUANTA_SERVER ?? "http://localhost:8080";

/** One `--data PORT[.DATASET]=PATH`: what to upload where. */
interface DataArgument {
  port: string;
  dataset: string | undefined;
  file: string;
}

/** Files this large show a progress line on a terminal; smaller ones only their result. */
const progressFrom = 8 * 1024 * 1024;

function parseData(io: Io, value: string): DataArgument {
  const eq = value.indexOf("=");
  const target = eq > 0 ? value.slice(0, eq) : "";
  const path = eq > 0 ? value.slice(eq + 1) : "";
  if (!target || !path)
    throw new CommandError(`--data takes PORT=PATH or PORT.DATASET=PATH (got "${value}")`, ExitCode.cannotRun);
  const dot = target.indexOf(".");
  return {
    port: dot > 0 ? target.slice(0, dot) : target,
    dataset: dot > 0 ? target.slice(dot + 1) : undefined,
    file: resolve(io.cwd, path),
  };
}

export function formatBytes(n: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${v.toFixed(1)} ${units[i]}`;
}

export function registerPublishCommand(program: Command, io: Io, setExit: SetExit): void {
  program
    .command("publish")
    .description("Publish a data product folder (its ODPS file and ODCS contracts) to a Quanta server")
    .argument("<dir>", "the data product folder")
    .option("--server <url>", "the Quanta server (default: $QUANTA_SERVER or http://localhost:8080)")
    .option(
      "--data <port=path>",
      "also publish a data file as the port's new version (repeatable; PORT.DATASET=PATH when its contract has several datasets); format from the extension: .parquet, .csv, .ndjson, .json",
      (value: string, all: string[]) => [...all, value],
      [] as string[],
    )
    .option("--json", "print the server's answer as JSON")
    .action(async (dir: string, opts: PublishOptions) => {
      const { PlatformClient, readProductFolder, RefusedError, DataUploadError, dataFormatOfFile } = await import(
        "@quanta/platform"
      );
      const { printIssues } = await import("../output.js");
      const folder = resolve(io.cwd, dir);
      // Every data file is checked before anything is published.
      const uploads = opts.data.map((value) => parseData(io, value));
      const sizes: number[] = [];
      for (const u of uploads) {
        const info = await stat(u.file).catch(() => undefined);
        if (!info?.isFile()) throw new CommandError(`--data: no such file ${u.file}`, ExitCode.cannotRun);
        if (!dataFormatOfFile(u.file))
          throw new CommandError(
            `--data: cannot tell the format of ${u.file}; name it .parquet, .csv, .ndjson or .json`,
            ExitCode.cannotRun,
          );
        sizes.push(info.size);
      }
      const files = await readProductFolder(folder);
      const client = await PlatformClient.forConsole(opts.server ?? defaultServer());
      const c = colors(io);
      let result: Awaited<ReturnType<typeof client.publish>>;
      try {
        result = await client.publish(files);
        if (!opts.json) {
          const p = result.product;
          io.out(`${result.created ? c.green("published") : "unchanged"} ${p.id} ${p.version}`);
          for (const k of result.contracts)
            io.out(`  contract ${k.id} ${k.version}${k.created ? " (new version)" : ""}`);
          if (result.warnings.length > 0)
            printIssues(
              io,
              result.warnings.map((i) => ({ ...i, file: `${dir}/${i.file}` })),
              "text",
            );
        }
      } catch (e) {
        if (e instanceof RefusedError)
          printIssues(
            io,
            e.issues.map((i) => ({ ...i, file: i.file === "." ? dir : `${dir}/${i.file}` })),
            opts.json ? "json" : "text",
          );
        throw fromServer(e);
      }
      const published: Awaited<ReturnType<typeof client.publishData>>[] = [];
      for (const [i, u] of uploads.entries()) {
        const size = sizes[i] as number;
        const name = `${basename(u.file)} → ${u.port}${u.dataset ? `.${u.dataset}` : ""}`;
        const started = performance.now();
        const showProgress = io.progress && size >= progressFrom ? io.progress : undefined;
        const onProgress = showProgress
          ? (sent: number, total: number) => {
              const seconds = (performance.now() - started) / 1000;
              const rate = seconds > 0 ? `, ${formatBytes(sent / seconds)}/s` : "";
              showProgress(
                `${name}: ${formatBytes(sent)} of ${formatBytes(total)} (${Math.floor((100 * sent) / Math.max(total, 1))} %)${sent === total ? ", testing the contract" : rate}`,
              );
            }
          : undefined;
        try {
          const r = await client.publishData(result.product.id, u.port, u.file, {
            dataset: u.dataset,
            format: dataFormatOfFile(u.file) ?? "parquet",
            onProgress,
          });
          published.push(r);
          const took = `${((performance.now() - started) / 1000).toFixed(1)} s`;
          const line = `${name}: ${formatBytes(size)} uploaded and tested in ${took}`;
          if (showProgress) showProgress(line, true);
          else io.err(line);
          if (!opts.json) {
            const passed = r.checks.filter((k) => k.status === "passed").length;
            io.out(
              `  data ${r.port}${u.dataset ? `.${r.dataset}` : ""} version ${r.version}: ${r.rows.toLocaleString("en-US")} rows, ${formatBytes(r.bytes)}, ${passed} of ${r.checks.length} checks passed${r.status === "warning" ? c.yellow(" (with warnings)") : ""}`,
            );
          }
        } catch (e) {
          if (showProgress) showProgress(`${name}: not published`, true);
          if (e instanceof DataUploadError) {
            const checks = (e.details?.checks ?? []) as { checkId: string; status: string; reason: string | null }[];
            for (const k of checks.filter((k) => k.status === "failed" || k.status === "error"))
              io.out(`  ${c.red(k.status)} ${k.checkId}${k.reason ? `: ${k.reason}` : ""}`);
            // The product is published; its data is not: the command could not do all it was asked.
            throw new CommandError(`${name}: ${e.message}`, ExitCode.cannotRun);
          }
          throw e;
        }
      }
      if (opts.json) io.out(JSON.stringify(uploads.length > 0 ? { ...result, data: published } : result, null, 2));
      setExit(ExitCode.ok);
    });
}
