import { existsSync } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import type { Check, Connection, RunResult } from "@quanta/core";
import { buildChecks, detectKind, hasErrors, runChecks, SourceDocument, validateSchema } from "@quanta/core";
import { redactSecrets, resolveServerVariables, selectServer } from "@quanta/core/engines";
import { installedEngines } from "@quanta/platform/engines";
import { junitReport, type ReportFormat, textReport } from "../engines/report.js";
import { CommandError, ExitCode } from "../exit-codes.js";
import type { Io } from "../io.js";
import { printIssues } from "../output.js";

export interface TestOptions {
  server?: string;
  schema?: string;
  format: ReportFormat;
  output?: string;
  /** Profile each dataset in the same scan as its checks (`profiles` in the JSON report). */
  profile?: boolean;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads an ODCS contract, exit 2 with issues when it cannot be tested. */
async function loadContract(io: Io, file: string): Promise<Obj> {
  const src = SourceDocument.fromBytes(await readFile(file), file);
  if (hasErrors(src.issues) || !src.readable) {
    printIssues({ ...io, out: (t) => io.err(t) }, src.issues, "text");
    throw new CommandError(`${file}: cannot read the contract`);
  }
  const kind = detectKind(src.value)?.kind;
  if (kind !== "odcs") {
    throw new CommandError(
      `${file}: not an ODCS data contract (kind: DataContract)${kind ? `, found a ${kind.toUpperCase()} document` : ""}`,
    );
  }
  const issues = validateSchema(src, "odcs");
  if (hasErrors(issues)) {
    printIssues({ ...io, out: (t) => io.err(t) }, issues, "text");
    throw new CommandError(`${file}: the contract is invalid`);
  }
  return src.value as Obj;
}

function objectsOf(contract: Obj): { name: string; physicalName?: string }[] {
  return (Array.isArray(contract.schema) ? contract.schema : [])
    .filter(isObj)
    .flatMap((o) =>
      typeof o.name === "string"
        ? [{ name: o.name, ...(typeof o.physicalName === "string" ? { physicalName: o.physicalName } : {}) }]
        : [],
    );
}

/**
 * The data files of a `local` server that do not exist, as the engine would resolve them
 * (relative to the contract, `{model}`/`{object}` standing for the object's table). Without this,
 * every check of every object would report the same engine error. Globs are the engine's to match;
 * only the folder before the first wildcard is checked here.
 */
function missingDataFiles(server: Obj, objects: readonly { name: string; physicalName?: string }[], baseDir: string) {
  const path = typeof server.path === "string" ? server.path : server.location;
  if (server.type !== "local" || typeof path !== "string" || /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return [];
  const missing = new Set<string>();
  for (const o of objects) {
    const table = o.physicalName ?? o.name;
    const file = path.replaceAll("{model}", table).replaceAll("{object}", table);
    const wildcard = file.search(/[*?[{]/);
    const mustExist = wildcard < 0 ? file : dirname(file.slice(0, wildcard + 1));
    const absolute = isAbsolute(mustExist) ? mustExist : resolve(baseDir, mustExist);
    if (!existsSync(absolute)) missing.add(absolute);
  }
  return [...missing];
}

/** Shows progress on a terminal while a long run works (at most every half second). */
function progress(io: Io, total: number): ((done: number) => void) | undefined {
  if (!io.tty) return undefined;
  let last = 0;
  return (done) => {
    const now = Date.now();
    if (now - last < 500 && done < total) return;
    last = now;
    io.err(`  … ${done}/${total} checks done`);
  };
}

export async function testContract(io: Io, file: string, options: TestOptions): Promise<RunResult> {
  const path = resolve(io.cwd, file);
  if ((await stat(path).catch(() => undefined))?.isDirectory())
    throw new CommandError(`${file} is a folder; quanta test takes one contract file (*.odcs.yaml)`);
  const contract = await loadContract(io, path);
  const selected = selectServer(contract.servers, installedEngines, { name: options.server });
  const engine = selected.engine;
  // `${NAME}` references (ODCS RFC 0050) resolve from the console's environment; credentials only so.
  let server: Record<string, unknown>;
  let secrets: string[];
  try {
    ({ server, secrets } = resolveServerVariables(selected.server, (name) => process.env[name]));
  } catch (e) {
    const missing = (e as { code?: string }).code === "missing-variable";
    throw new CommandError(`${(e as Error).message}${missing ? " (set it in the environment)" : ""}`);
  }
  const objects = objectsOf(contract);
  if (
    options.schema !== undefined &&
    !objects.some((o) => o.name === options.schema || o.physicalName === options.schema)
  ) {
    throw new CommandError(
      `no schema object ${JSON.stringify(options.schema)} in the contract (objects: ${objects.map((o) => o.name).join(", ")})`,
    );
  }
  const checks: Check[] = buildChecks(contract, options.schema !== undefined ? { schema: options.schema } : {});
  const missing = missingDataFiles(server, objects, dirname(path));
  if (missing.length > 0) {
    const shown = missing.map((m) => relative(io.cwd, m) || m).join(", ");
    throw new CommandError(
      `server ${String(server.server ?? server.type)}: data file ${shown} does not exist (the contract's path ${JSON.stringify(server.path ?? server.location)})`,
    );
  }
  const open = await engine.load();
  let connection: Connection;
  try {
    connection = await open({ server, objects, baseDir: dirname(path) });
  } catch (e) {
    throw new CommandError(
      redactSecrets(
        `server ${String(server.server ?? server.type)}: ${e instanceof Error ? e.message : String(e)}`,
        secrets,
      ),
    );
  }
  if (io.tty)
    io.err(`testing ${checks.length} checks on server ${String(server.server ?? server.type)} (${engine.name})`);
  const tick = progress(io, checks.length);
  try {
    return await runChecks(checks, connection, {
      ...(tick ? { onProgress: tick } : {}),
      ...(options.profile ? { profile: true } : {}),
    });
  } finally {
    await connection.close();
  }
}

/** `quanta test CONTRACT`: runs the checks and writes the report; exit 1 when a check failed or errored. */
export async function runTest(io: Io, file: string, options: TestOptions): Promise<ExitCode> {
  const run = await testContract(io, file, options);
  const name = file;
  const report =
    options.format === "json"
      ? JSON.stringify(run, null, 2)
      : options.format === "junit"
        ? junitReport(run, name)
        : textReport(run, options.output ? { ...io, tty: false } : io);
  if (options.output !== undefined) {
    await writeFile(resolve(io.cwd, options.output), `${report}\n`);
    io.err(`${run.result}: report written to ${options.output}`);
  } else io.out(report);
  return run.result === "failed" || run.result === "error" ? ExitCode.failed : ExitCode.ok;
}
