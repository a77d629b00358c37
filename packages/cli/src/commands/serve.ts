import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { ensureDemoData } from "../demo-data.js";
import { CommandError, ExitCode } from "../exit-codes.js";
import { formatDuration } from "../format-duration.js";
import type { Io, SetExit } from "../io.js";

interface ServeOptions {
  port: string;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  storageRoot?: string;
  demo?: boolean;
  examples?: string;
  demoRows?: string;
}

/** The demo mesh: `examples/` of the current folder, else the one shipped beside the console. */
function examplesFolder(io: Io, given: string | undefined): string {
  if (given) return resolve(io.cwd, given);
  const local = resolve(io.cwd, "examples");
  if (existsSync(local)) return local;
  return fileURLToPath(new URL("../../../../examples", import.meta.url));
}

export function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535)
    throw new CommandError(`--port must be a number from 0 to 65535 (got "${text}")`);
  return port;
}

function parsePositive(option: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || !Number.isSafeInteger(n)) {
    throw new CommandError(`${option} must be a whole number of at least 1 (got "${text}")`);
  }
  return n;
}

/** What the demo publish at start did: a later start finds the mesh it published before. */
export function demoPublished(r: {
  published: readonly string[];
  unchanged: readonly string[];
  skipped: readonly unknown[];
}): string {
  const created = r.published.length - r.unchanged.length;
  const skipped = r.skipped.length > 0 ? `; skipped ${r.skipped.length}` : "";
  if (created === 0 && r.unchanged.length > 0)
    return `demo mesh already present: ${r.unchanged.length} product(s) unchanged${skipped}`;
  return `published ${created} demo product(s)${r.unchanged.length > 0 ? `, ${r.unchanged.length} unchanged` : ""}, skipped ${r.skipped.length}`;
}

/**
 * Resolves on the first SIGINT or SIGTERM, and leaves both to their default from then on: a second
 * one ends the process at once, whatever it is doing (even stuck in native code).
 */
function shutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((done) => {
    const on = (signal: NodeJS.Signals) => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
      done(signal);
    };
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
  });
}

export function registerServeCommand(program: Command, io: Io, setExit: SetExit): void {
  program
    .command("serve")
    .description("Start the Quanta platform server: registry, search and the HTTP API")
    .option("--port <n>", "port to listen on (0: any free port)", "8080")
    .option("--host <host>", "interface to listen on (0.0.0.0: every interface)", "localhost")
    .option("--data-dir <dir>", "folder of the embedded metadata store (PGlite)", ".quanta")
    .option("--database-url <url>", "use this PostgreSQL server instead (default: $DATABASE_URL)")
    .option(
      "--storage-root <path>",
      "folder for the data Quanta stores itself: ingested and published port versions (default: $QUANTA_STORAGE_ROOT, else <data-dir>/lake); replicas share one",
    )
    .option("--demo", "publish every data product folder of the demo mesh at start")
    .option("--examples <dir>", "the demo mesh folder (default: ./examples)")
    .option("--demo-rows <n>", "rows of each demo dataset when generating it (default: realistic sizes)")
    .action(async (opts: ServeOptions, command: Command) => {
      const port = parsePort(opts.port);
      const url = opts.databaseUrl ?? process.env.DATABASE_URL;
      const { startPlatform, findProductFolders, platformSettingsFromEnv, defaultShutdownTimeoutMs } = await import(
        "@quanta/platform/server"
      );
      const settings = platformSettingsFromEnv(process.env);
      let publishFolders: string[] = [];
      if (opts.demo) {
        const root = examplesFolder(io, opts.examples);
        if (!existsSync(root)) throw new CommandError(`--demo: no demo mesh at ${root}; pass --examples DIR`);
        publishFolders = await findProductFolders(root);
        const rows = opts.demoRows === undefined ? undefined : parsePositive("--demo-rows", opts.demoRows);
        await ensureDemoData(publishFolders, (line) => io.err(line), rows);
      }
      const dataDir = resolve(io.cwd, opts.dataDir);
      // The verifier (and jose) load only when OpenID Connect is configured: serve starts faster.
      const oidc = process.env.QUANTA_OIDC_ISSUER?.trim()
        ? (await import("@quanta/platform")).oidcConfigFromEnv(process.env)
        : undefined;
      // On PostgreSQL the data directory is only made when asked for (--data-dir).
      const tokensFile =
        !url || command.getOptionValueSource("dataDir") === "cli" ? join(dataDir, "demo-tokens.json") : undefined;
      const running = await startPlatform({
        ...(oidc ? { oidc } : {}),
        webhookAllowedNetworks: process.env.QUANTA_WEBHOOK_ALLOWED_NETWORKS?.split(/[\s,]+/).filter(Boolean),
        ...(opts.demo ? { demoIdentities: { tokensFile }, demoData: true } : {}),
        ...settings,
        ...(opts.storageRoot
          ? {
              storageRoot: /^[a-z][a-z0-9+.-]*:\/\//i.test(opts.storageRoot)
                ? opts.storageRoot
                : resolve(io.cwd, opts.storageRoot),
            }
          : {}),
        store: url ? { url } : { dataDir },
        port,
        hostname: opts.host,
        publishFolders,
        log: (line) => io.err(line),
        warn: (line) => io.err(`quanta: warning: ${line}`),
      });
      if (opts.demo) io.err(demoPublished(running));
      if (running.demoTokens) {
        io.err(
          `demo users (API tokens${tokensFile ? ` also in ${tokensFile}` : ""}; use one with quanta login or Authorization: Bearer):`,
        );
        const width = Math.max(...Object.keys(running.demoTokens).map((u) => u.length));
        for (const [user, t] of Object.entries(running.demoTokens)) {
          io.err(`  ${user.padEnd(width)}  ${t.role.padEnd(10)}  ${(t.team ?? "-").padEnd(34)}  ${t.token}`);
        }
      }
      if (oidc) io.err(`OpenID Connect: tokens of ${oidc.issuer} for audience ${oidc.audience} accepted`);
      io.err(
        `store: ${url ? "PostgreSQL" : `PGlite in ${dataDir}`}; API docs on ${running.url}/api/docs; Ctrl-C stops`,
      );
      io.out(running.url);
      const signal = await shutdownSignal();
      const boundMs = settings.shutdownTimeoutMs ?? defaultShutdownTimeoutMs;
      io.err(
        `${signal}: stopping (requests and jobs in flight get ${formatDuration(boundMs)}; ${signal === "SIGINT" ? "Ctrl-C" : signal} again stops at once)`,
      );
      // close() keeps to the bound; should anything still hold it, the signal ends the process.
      // Not process.exit: it waits for a DuckDB statement still running, however long.
      const force = setTimeout(() => {
        io.err(`quanta: still stopping after ${formatDuration(boundMs + 5_000)}; stopping at once`);
        process.kill(process.pid, signal);
      }, boundMs + 5_000);
      force.unref();
      await running.close();
      clearTimeout(force);
      setExit(ExitCode.ok);
    });
}
