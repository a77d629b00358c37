import { readdir, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  type DataContract,
  type DataProduct,
  declaredKind,
  detectKind,
  hasErrors,
  type Issue,
  SourceDocument,
  sourceLimits,
} from "@quanta/core";
import {
  type CertificationResult,
  certify,
  composePolicySets,
  defaultPolicySet,
  evaluatePolicies,
  type PolicyDocument,
  type PolicyEvaluation,
  type PolicyRule,
  type PolicySet,
  parsePolicySet,
  policyDocument,
} from "@quanta/core/policy";
import { CommandError, ExitCode, fromServer } from "../exit-codes.js";
import { colors, type Io } from "../io.js";
import { printIssues } from "../output.js";

export type Format = "text" | "json";

async function readSource(io: Io, path: string): Promise<SourceDocument> {
  const absolute = resolve(io.cwd, path);
  const info = await stat(absolute).catch(() => {
    throw new CommandError(`no such file: ${path}`);
  });
  if (!info.isFile()) throw new CommandError(`${path}: not a file`);
  if (info.size > sourceLimits.maxBytes)
    return SourceDocument.failed(
      path,
      "file-too-large",
      `file is larger than ${sourceLimits.maxBytes / 1024 / 1024} MiB`,
    );
  return SourceDocument.fromBytes(await readFile(absolute), path);
}

/** The policy set from FILEs (composed), Quanta's defaults when none; issues when a file is invalid. */
async function loadPolicies(
  io: Io,
  files: readonly string[],
  withDefaults: boolean,
): Promise<{ policySet: PolicySet | undefined; issues: Issue[] }> {
  const sets: PolicySet[] = files.length === 0 || withDefaults ? [defaultPolicySet()] : [];
  const issues: Issue[] = [];
  for (const file of files) {
    const parsed = parsePolicySet(await readSource(io, file));
    issues.push(...parsed.issues);
    if (parsed.policySet) sets.push(parsed.policySet);
  }
  if (hasErrors(issues)) return { policySet: undefined, issues };
  const composed = composePolicySets(sets);
  issues.push(...composed.issues);
  return { policySet: hasErrors(issues) ? undefined : composed.policySet, issues };
}

/** A product folder: its `*.odps.*` file and the `*.odcs.*` contracts beside it or in `contracts/`. */
async function readProduct(
  io: Io,
  dir: string,
): Promise<{ product: PolicyDocument<DataProduct>; contracts: PolicyDocument<DataContract>[] }> {
  const absolute = resolve(io.cwd, dir);
  const info = await stat(absolute).catch(() => {
    throw new CommandError(`no such directory: ${dir}`);
  });
  if (!info.isDirectory()) throw new CommandError(`${dir}: not a directory (give the data product folder)`);
  const files: string[] = [];
  for (const sub of ["", "contracts"]) {
    const entries = await readdir(join(absolute, sub), { withFileTypes: true }).catch(() => []);
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name)))
      if (e.isFile() && declaredKind(e.name)) files.push(join(dir, sub, e.name));
  }
  const sources = await Promise.all(files.map((f) => readSource(io, f)));
  const unreadable = sources.flatMap((s) => (s.readable ? [] : s.issues));
  if (unreadable.length > 0) {
    printIssues(io, unreadable, "text");
    throw new CommandError(`${dir}: cannot read the product (fix the files above, or run quanta lint ${dir})`);
  }
  const products = sources.filter((s) => detectKind(s.value)?.kind === "odps");
  const first = products[0];
  if (!first) throw new CommandError(`${dir}: no data product file (*.odps.yaml with kind: DataProduct)`);
  if (products.length > 1)
    throw new CommandError(`${dir}: more than one data product file (${products.map((p) => p.file).join(", ")})`);
  return {
    product: policyDocument<DataProduct>(first),
    contracts: sources.filter((s) => detectKind(s.value)?.kind === "odcs").map((s) => policyDocument<DataContract>(s)),
  };
}

const scopeText = (rule: Pick<PolicyRule, "scope">) =>
  rule.scope.kind === "domain" ? `domain ${rule.scope.domain}` : "global";

function printRules(io: Io, set: PolicySet, format: Format): void {
  if (format === "json") {
    io.out(
      JSON.stringify(
        {
          policy: set.name,
          version: set.version,
          rules: set.rules.map((r) => ({
            id: r.id,
            description: r.description,
            severity: r.severity,
            scope: r.scope.kind === "domain" ? { domain: r.scope.domain } : "global",
            levels: r.levels,
            ...(r.implementation.kind === "builtin"
              ? { builtin: r.implementation.builtin, params: r.implementation.params }
              : { cel: r.implementation.expression, message: r.implementation.message }),
            source: `${r.origin.file}:${r.origin.line}:${r.origin.column}`,
          })),
        },
        null,
        2,
      ),
    );
    return;
  }
  const c = colors(io);
  io.out(`${c.bold(set.name)} ${set.version} (${set.rules.length} rules)`);
  const width = Math.max(...set.rules.map((r) => r.id.length), 4);
  for (const r of set.rules) {
    const how = r.implementation.kind === "builtin" ? `builtin ${r.implementation.builtin}` : "cel";
    const levels = r.levels.length > 0 ? r.levels.join(",") : "-";
    io.out(`  ${r.id.padEnd(width)}  ${r.severity.padEnd(8)}  ${levels.padEnd(13)}  ${scopeText(r).padEnd(6)}  ${how}`);
    io.out(`  ${" ".repeat(width)}  ${c.dim(r.description)}`);
  }
}

function printEvaluation(io: Io, e: PolicyEvaluation, cert: CertificationResult, format: Format): void {
  if (format === "json") {
    io.out(JSON.stringify({ ...e, certification: cert }, null, 2));
    return;
  }
  const c = colors(io);
  io.out(
    `policy ${e.policy} ${e.policyVersion} on ${e.productId ?? "(no id)"}${e.domain ? ` (domain ${e.domain})` : ""}`,
  );
  for (const r of e.results) {
    const mark = r.passed ? c.green("pass") : r.severity === "blocking" ? c.red("FAIL") : c.yellow("fail");
    io.out(`${mark}  ${r.severity.padEnd(8)}  ${r.ruleId}  ${c.dim(r.description)}`);
    for (const f of r.findings) {
      const where = f.line > 0 ? `${f.file}:${f.line}:${f.column}` : f.file;
      io.out(`      ${where} ${f.message}`);
    }
  }
  const failed = e.results.filter((r) => !r.passed);
  const blocking = failed.filter((r) => r.severity === "blocking").length;
  io.out(
    `${e.results.length - failed.length} passed, ${failed.length} failed (${blocking} blocking)${blocking > 0 ? ": a publish would be refused" : ""}`,
  );
  io.out(`certification: ${cert.level}${cert.reasons.length > 0 ? ` (${cert.reasons.join("; ")})` : ""}`);
}

/** `quanta policy list [FILES]`: the rules of the composed set; exit 1 when a file is invalid. */
export async function runPolicyList(
  io: Io,
  files: readonly string[],
  options: { format: Format; withDefaults?: boolean },
): Promise<ExitCode> {
  const { policySet, issues } = await loadPolicies(io, files, options.withDefaults === true);
  if (!policySet) {
    printIssues(io, issues, options.format);
    return ExitCode.failed;
  }
  printRules(io, policySet, options.format);
  return ExitCode.ok;
}

export interface PolicyTestOptions {
  product: string;
  previous?: string;
  domain?: string;
  withDefaults?: boolean;
  format: Format;
}

/** `quanta policy test [FILES] --product DIR`: exit 1 when a blocking rule fails. */
export async function runPolicyTest(io: Io, files: readonly string[], options: PolicyTestOptions): Promise<ExitCode> {
  const { policySet, issues } = await loadPolicies(io, files, options.withDefaults === true);
  if (!policySet) {
    printIssues(io, issues, "text");
    throw new CommandError("the policy files are invalid (see above)");
  }
  const subject = await readProduct(io, options.product);
  const previous = options.previous ? await readProduct(io, options.previous) : undefined;
  const evaluation = evaluatePolicies(policySet, {
    ...subject,
    ...(previous ? { previous } : {}),
    ...(options.domain ? { domain: options.domain } : {}),
  });
  printEvaluation(io, evaluation, certify(evaluation, "not-considered"), options.format);
  return evaluation.blocking ? ExitCode.failed : ExitCode.ok;
}

/** `quanta policy apply FILE --server URL`: exit 1 when the server refuses the set. */
export async function runPolicyApply(
  io: Io,
  file: string,
  options: { server?: string; format: Format },
): Promise<ExitCode> {
  const source = await readSource(io, file);
  const { PlatformClient, RefusedError } = await import("@quanta/platform");
  const client = await PlatformClient.forConsole(
    options.server ?? process.env.QUANTA_SERVER ?? "http://localhost:8080",
  );
  try {
    const result = await client.applyPolicy(source.text, file);
    if (options.format === "json") io.out(JSON.stringify(result, null, 2));
    else
      io.out(
        `${result.created ? "applied" : "unchanged"} ${result.version.name} ${result.version.version} (policy revision ${result.version.revision}; ${result.evaluated} products re-evaluated)`,
      );
    return ExitCode.ok;
  } catch (e) {
    if (e instanceof RefusedError) printIssues(io, [...e.issues], options.format);
    throw fromServer(e);
  }
}
