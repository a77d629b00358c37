import type { Agreement, AgreementConnection, AgreementState, PlatformClient } from "@quanta/platform";
import type { Command } from "commander";
import { CommandError, ExitCode, fromServer } from "../exit-codes.js";
import { colors, type Io, type SetExit } from "../io.js";
import { defaultServer } from "./publish.js";

const serverOption = "the Quanta server (default: $QUANTA_SERVER or http://localhost:8080)";

interface ServerOptions {
  server?: string;
  json?: boolean;
}

async function client(server: string | undefined): Promise<PlatformClient> {
  const { PlatformClient } = await import("@quanta/platform");
  return PlatformClient.forConsole(server ?? defaultServer());
}

/** A server call as the console ends on it: a refusal (403, 409, 422) is exit 1. */
const call = <T>(answer: Promise<T>): Promise<T> =>
  answer.catch((e: unknown) => {
    throw fromServer(e);
  });

/** `a,b` → `["a", "b"]`; empty names dropped, each name once. */
function columnList(text: string): string[] {
  return [...new Set(text.split(",").map((c) => c.trim()))].filter((c) => c !== "");
}

const when = (iso: string | null) => (iso ? iso.replace(/\.\d+Z$/, "Z") : "-");
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();

/**
 * Text another party wrote (a purpose, a reason, what a server names) as the terminal shows it:
 * control characters and bidirectional overrides written out (`\u001b`), so none of it can move
 * the cursor, recolour, retitle the window or reorder the line the reader sees.
 */
const printable = (s: string) =>
  s.replace(
    /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );

type Paint = ReturnType<typeof colors>;
/** How each state reads on a terminal: open ones stand out, ended ones recede. */
const stateColor: Record<AgreementState, (c: Paint) => (s: string) => string> = {
  requested: (c) => c.yellow,
  active: (c) => c.green,
  terminating: (c) => c.magenta,
  terminated: (c) => c.dim,
  rejected: (c) => c.red,
};

/** Label-value lines, the labels padded to one width. */
function fields(io: Io, rows: readonly (readonly [string, string | undefined])[]): void {
  const shown = rows.filter((r): r is readonly [string, string] => r[1] !== undefined);
  const width = Math.max(...shown.map(([label]) => label.length));
  const c = colors(io);
  for (const [label, value] of shown) {
    const [first = "", ...rest] = value.split("\n");
    io.out(`${c.dim(label.padEnd(width))}  ${first}`);
    for (const line of rest) io.out(`${" ".repeat(width)}  ${line}`);
  }
}

const where = (a: Agreement) => `${a.productId} port ${a.port}`;

/** What an agreement's new state means for the people on either side, after a command changed it. */
function changed(io: Io, verb: string, a: Agreement): void {
  const c = colors(io);
  io.out(`${verb} ${c.bold(a.id)}: ${where(a)} for team ${a.consumerTeam} (${stateColor[a.state](c)(a.state)})`);
  const next: Partial<Record<AgreementState, string>> = {
    requested: `the owner team of ${a.productId} decides: quanta access approve ${a.id} (or reject)`,
    active: `team ${a.consumerTeam} reads it${a.grantedColumns.length > 0 ? `, unmasked: ${a.grantedColumns.join(", ")}` : "; sensitive columns masked"}`,
    terminating: `readable until the notice period ends: ${when(a.noticeEndsAt)}`,
  };
  const hint = next[a.state];
  if (hint) io.err(hint);
}

function show(io: Io, a: Agreement): void {
  const c = colors(io);
  const contract = a.contractId ? `${a.contractId} ${a.contractVersion ?? ""}`.trim() : undefined;
  fields(io, [
    ["agreement", c.bold(a.id)],
    ["state", stateColor[a.state](c)(a.state)],
    ["product", where(a)],
    ["team", a.consumerTeam],
    ["purpose", printable(a.purpose)],
    ["contract", contract],
    [
      "pending",
      a.pendingVersion
        ? `version ${a.pendingVersion}, read from ${when(a.pendingUntil)} or at once: quanta access accept-version ${a.id}`
        : undefined,
    ],
    ["unmasked", a.grantedColumns.length > 0 ? a.grantedColumns.join(", ") : "none (sensitive columns are masked)"],
    ["requested", `${when(a.requestedAt)} by ${a.requestedBy}`],
    [
      "decided",
      a.decidedAt
        ? `${when(a.decidedAt)} by ${a.decidedBy ?? "-"}${a.decisionReason ? `: ${printable(a.decisionReason)}` : ""}`
        : undefined,
    ],
    ["ended by", a.terminatedBy ?? undefined],
    ["notice", a.noticeEndsAt ? `${a.noticeDays} days, ends ${when(a.noticeEndsAt)}` : `${a.noticeDays} days`],
  ]);
}

function list(io: Io, items: readonly Agreement[]): void {
  const c = colors(io);
  const head = { id: "ID", at: "PRODUCT/PORT", team: "TEAM", state: "STATE" };
  const w = {
    id: Math.max(head.id.length, ...items.map((a) => a.id.length)),
    at: Math.max(head.at.length, ...items.map((a) => `${a.productId}/${a.port}`.length)),
    team: Math.max(head.team.length, ...items.map((a) => a.consumerTeam.length)),
    state: Math.max(head.state.length, ...items.map((a) => a.state.length)),
  };
  io.out(
    c.dim(
      `${head.id.padEnd(w.id)}  ${head.at.padEnd(w.at)}  ${head.team.padEnd(w.team)}  ${head.state.padEnd(w.state)}  PURPOSE`,
    ),
  );
  for (const a of items) {
    io.out(
      `${c.bold(a.id.padEnd(w.id))}  ${`${a.productId}/${a.port}`.padEnd(w.at)}  ${a.consumerTeam.padEnd(w.team)}  ${stateColor[a.state](c)(a.state.padEnd(w.state))}  ${printable(clip(oneLine(a.purpose), 50))}`,
    );
  }
}

/**
 * A libpq connection string value: bare when it is a plain word, else single-quoted with `\` and
 * `'` escaped. Then the whole string goes in double quotes for the shell, `\ " $ \`` escaped.
 */
const conninfoValue = (v: string) => (/^[A-Za-z0-9._-]+$/.test(v) ? v : `'${v.replace(/[\\']/g, "\\$&")}'`);
const shellDoubleQuoted = (s: string) => `"${s.replace(/[\\"$`]/g, "\\$&")}"`;
/** A field of a `~/.pgpass` line: `:` and `\` escaped. */
const pgpassField = (v: string) => v.replace(/[\\:]/g, "\\$&");

function connection(io: Io, x: AgreementConnection, newPasswordHint: string): void {
  const c = colors(io);
  const views = x.views.map((v) => printable(`${v.dataset}: ${v.view}`)).join("\n");
  fields(io, [
    ["agreement", c.bold(x.agreementId)],
    ["engine", printable(x.engine)],
    ["host", printable(x.host)],
    ["port", String(x.port)],
    ["database", printable(x.database)],
    ["role", printable(x.role)],
    ["views", views || "none"],
    [
      "password",
      x.password !== undefined
        ? `${c.bold(printable(x.password))}\n${c.yellow(`shown only this once: Quanta keeps no copy; keep it now (lost: ${newPasswordHint})`)}`
        : `issued ${when(x.passwordIssuedAt)} and shown only then; ${newPasswordHint} issues a new one (the old one stops working)`,
    ],
  ]);
  const conninfo = [
    `host=${conninfoValue(x.host)}`,
    `port=${x.port}`,
    `dbname=${conninfoValue(x.database)}`,
    `user=${conninfoValue(x.role)}`,
  ].join(" ");
  io.out("");
  io.out(printable(`psql ${shellDoubleQuoted(conninfo)}`));
  io.out(
    c.dim(
      printable(
        `the password goes in $PGPASSWORD or ~/.pgpass (${[x.host, String(x.port), x.database, x.role].map(pgpassField).join(":")}:PASSWORD, mode 0600), never on the command line`,
      ),
    ),
  );
}

export function registerAccessCommand(program: Command, io: Io, setExit: SetExit): void {
  const access = program
    .command("access")
    .description("data usage agreements: request a port for your team, decide on requests, connect, end them");

  /** Prints an agreement a command answered with: as JSON, or a line saying what happened. */
  const answered = (verb: string, a: Agreement, json: boolean | undefined) => {
    if (json) io.out(JSON.stringify(a, null, 2));
    else changed(io, verb, a);
    setExit(ExitCode.ok);
  };

  access
    .command("request")
    .description("ask for an output port of a data product for your team, with the purpose of the reading")
    .argument("<product>", "the data product's id, e.g. sales.orders")
    .argument("<port>", "its output port")
    .option("--team <team>", "the consumer team that will read (you must be a member)")
    .option("--purpose <text>", "what the data is for: the owner team decides on it")
    .option("--columns <a,b>", "sensitive columns asked for unmasked (otherwise they are masked)")
    .option("--server <url>", serverOption)
    .option("--json", "print the agreement as JSON")
    .action(
      async (
        productId: string,
        port: string,
        opts: ServerOptions & { team?: string; purpose?: string; columns?: string },
      ) => {
        const team = opts.team?.trim();
        const purpose = opts.purpose?.trim();
        const missing = [
          team ? undefined : "--team TEAM (the consumer team that will read; you must be a member)",
          purpose ? undefined : "--purpose TEXT (what the data is for; the owner team decides on it)",
        ].filter((m) => m !== undefined);
        if (missing.length > 0) throw new CommandError(`access request needs ${missing.join(" and ")}`);
        const columns = opts.columns === undefined ? undefined : columnList(opts.columns);
        if (columns?.length === 0)
          throw new CommandError(
            "--columns needs the sensitive columns' names, separated by commas (e.g. --columns customer_email,customer_id)",
          );
        const a = await call(
          (await client(opts.server)).requestAccess({
            productId,
            port,
            consumerTeam: team as string,
            purpose: purpose as string,
            columns,
          }),
        );
        if (a.state === "active" && !opts.json)
          io.err(`approved at once: the port approves by itself (${a.decidedBy})`);
        answered(a.state === "active" ? "approved" : "requested", a, opts.json);
      },
    );

  access
    .command("list")
    .description("the agreements and requests you may see (where one of your teams is a side), newest first")
    .option("--product <id>", "only this data product's")
    .option("--team <team>", "only this consumer team's")
    .option("--state <state>", "only in this state: requested, active, terminating, terminated, rejected")
    .option("--server <url>", serverOption)
    .option("--json", "print the agreements as JSON")
    .action(async (opts: ServerOptions & { product?: string; team?: string; state?: string }) => {
      const { agreementStates } = await import("@quanta/platform");
      const state = opts.state as AgreementState | undefined;
      if (state !== undefined && !agreementStates.includes(state))
        throw new CommandError(`--state must be one of ${agreementStates.join(", ")} (got "${opts.state}")`);
      const items = await call(
        (await client(opts.server)).agreements({ productId: opts.product, consumerTeam: opts.team, state }),
      );
      if (opts.json) io.out(JSON.stringify(items, null, 2));
      else if (items.length === 0) io.err("no agreements");
      else {
        list(io, items);
        io.err(`${items.length} agreement(s)`);
      }
      setExit(ExitCode.ok);
    });

  access
    .command("show")
    .description("one agreement: its state, purpose, contract version, unmasked columns and decisions")
    .argument("<id>", "the agreement's id (agr_…)")
    .option("--server <url>", serverOption)
    .option("--json", "print the agreement as JSON")
    .action(async (id: string, opts: ServerOptions) => {
      const a = await call((await client(opts.server)).agreement(id));
      if (opts.json) io.out(JSON.stringify(a, null, 2));
      else show(io, a);
      setExit(ExitCode.ok);
    });

  access
    .command("approve")
    .description("approve a request (the product's owner team; never the consumer team itself)")
    .argument("<id>", "the request's id (agr_…)")
    .option("--reason <text>", "why: kept with the decision and in the audit log")
    .option("--columns <a,b>", 'grant only these of the requested columns unmasked ("" for none)')
    .option("--server <url>", serverOption)
    .option("--json", "print the agreement as JSON")
    .action(async (id: string, opts: ServerOptions & { reason?: string; columns?: string }) => {
      const columns = opts.columns === undefined ? undefined : columnList(opts.columns);
      const a = await call((await client(opts.server)).decideAccess(id, "approve", { reason: opts.reason, columns }));
      answered("approved", a, opts.json);
    });

  access
    .command("reject")
    .description("reject a request (the product's owner team)")
    .argument("<id>", "the request's id (agr_…)")
    .option("--reason <text>", "why: the consumer team reads it")
    .option("--server <url>", serverOption)
    .option("--json", "print the agreement as JSON")
    .action(async (id: string, opts: ServerOptions & { reason?: string }) => {
      const a = await call((await client(opts.server)).decideAccess(id, "reject", { reason: opts.reason }));
      answered("rejected", a, opts.json);
    });

  access
    .command("terminate")
    .description("end an agreement (either side): readable until the contract's notice period ends")
    .argument("<id>", "the agreement's id (agr_…)")
    .option("--reason <text>", "why: the other side reads it")
    .option("--server <url>", serverOption)
    .option("--json", "print the agreement as JSON")
    .action(async (id: string, opts: ServerOptions & { reason?: string }) => {
      const a = await call((await client(opts.server)).terminateAgreement(id, opts.reason));
      answered(a.state === "terminated" ? "terminated" : "terminating", a, opts.json);
    });

  access
    .command("accept-version")
    .description("read the new major contract version now, before the notice period ends (the consumer team)")
    .argument("<id>", "the agreement's id (agr_…)")
    .option("--server <url>", serverOption)
    .option("--json", "print the agreement as JSON")
    .action(async (id: string, opts: ServerOptions) => {
      const a = await call((await client(opts.server)).acceptAgreementVersion(id));
      if (opts.json) io.out(JSON.stringify(a, null, 2));
      else
        io.out(`${colors(io).bold(a.id)} reads ${a.contractId ?? "its contract"} version ${a.contractVersion ?? "-"}`);
      setExit(ExitCode.ok);
    });

  access
    .command("snippet")
    .description(
      "code that reads a port: curl, Python, TypeScript, DuckDB, SQL, and psql for a database grant (the token comes from $QUANTA_TOKEN)",
    )
    .argument("<product>", "the data product's id")
    .requiredOption("--port <port>", "the output port")
    .option("--language <language>", "only this one: curl, python, typescript, duckdb, sql, psql")
    .option("--server <url>", serverOption)
    .option("--json", "print the API's answer as JSON")
    .action(async (product: string, opts: ServerOptions & { port: string; language?: string }) => {
      const x = await call((await client(opts.server)).snippets(product, opts.port));
      if (opts.json) {
        io.out(JSON.stringify(x, null, 2));
        setExit(ExitCode.ok);
        return;
      }
      const chosen = opts.language === undefined ? x.snippets : x.snippets.filter((s) => s.language === opts.language);
      if (chosen.length === 0) {
        throw new CommandError(
          `no ${opts.language} snippet for ${product} port ${opts.port}; there are: ${x.snippets.map((s) => s.language).join(", ")}`,
        );
      }
      const c = colors(io);
      if (opts.language !== undefined) {
        // Alone, the code is printed bare so it can be piped: `quanta access snippet … --language curl | sh`.
        io.out(chosen[0]?.code ?? "");
        io.err(c.dim(chosen[0]?.note ?? ""));
      } else {
        for (const s of chosen) {
          io.out(c.bold(`# ${s.label}`));
          io.out(c.dim(`# ${s.note}`));
          io.out(`${s.code}\n`);
        }
      }
      setExit(ExitCode.ok);
    });

  access
    .command("connection")
    .description("connect to the store directly: host, database, the agreement's role, its views (PostgreSQL ports)")
    .argument("<id>", "the agreement's id (agr_…)")
    .option("--new-password", "issue a new password for the role (the old one stops working), shown once")
    .option("--server <url>", serverOption)
    .option("--json", "print the API's answer as JSON")
    .action(async (id: string, opts: ServerOptions & { newPassword?: boolean }) => {
      const x = await call((await client(opts.server)).agreementConnection(id, { newPassword: opts.newPassword }));
      const hint = `quanta access connection ${x.agreementId} --new-password`;
      if (opts.json) {
        io.out(JSON.stringify(x, null, 2));
        if (x.password !== undefined) io.err("the password is shown only this once: Quanta keeps no copy");
      } else connection(io, x, hint);
      setExit(ExitCode.ok);
    });

  for (const cmd of access.commands) cmd.exitOverride().showHelpAfterError();
}
