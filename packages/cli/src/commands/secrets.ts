import type { Command } from "commander";
import { CommandError, ExitCode, fromServer } from "../exit-codes.js";
import { colors, type Io, type SetExit } from "../io.js";
import { defaultServer } from "./publish.js";

/** The server's limit of one value, in UTF-8 bytes; more on stdin is refused before it is sent. */
const maxValueBytes = 64 * 1024;

/** Reads to the end of a pipe: at most the limit plus a line ending. */
async function readPiped(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size > maxValueBytes + 2)
      throw new CommandError("the value on stdin is longer than 64 KiB, the most a secret holds");
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** One line typed on a terminal, not echoed (a secret on screen is a secret in a screenshot). */
async function readTyped(io: Io, label: string): Promise<string> {
  const stdin = process.stdin;
  io.err(`Type the value of ${label}, then Enter (it is not shown):`);
  stdin.setRawMode(true);
  let chars: string[] = [];
  try {
    for await (const chunk of stdin) {
      for (const ch of (chunk as Buffer).toString("utf8")) {
        if (ch === "\r" || ch === "\n") return chars.join("");
        if (ch === "\u0003" || ch === "\u0004") throw new CommandError("cancelled; nothing was stored");
        if (ch === "\u007f" || ch === "\b") chars = chars.slice(0, -1);
        else chars.push(ch);
      }
    }
    return chars.join("");
  } finally {
    stdin.setRawMode(false);
    io.err("");
  }
}

/** The value from `--from-env`, else stdin (piped: everything but one trailing newline). */
async function readValue(io: Io, label: string, fromEnv: string | undefined): Promise<string> {
  if (fromEnv !== undefined) {
    const value = process.env[fromEnv];
    if (value === undefined) throw new CommandError(`--from-env ${fromEnv}: $${fromEnv} is not set`);
    return value;
  }
  const value = process.stdin.isTTY ? await readTyped(io, label) : (await readPiped()).replace(/\r?\n$/, "");
  if (value === "")
    throw new CommandError(
      `no value for ${label}: pipe it on stdin (printf %s "$VALUE" | quanta secrets set …) or pass --from-env VAR`,
    );
  return value;
}

const serverOption = "the Quanta server (default: $QUANTA_SERVER or http://localhost:8080)";

async function client(server: string | undefined) {
  const { PlatformClient } = await import("@quanta/platform");
  return PlatformClient.forConsole(server ?? defaultServer());
}

export function registerSecretsCommand(program: Command, io: Io, setExit: SetExit): void {
  const secrets = program
    .command("secrets")
    .description("the secrets a Quanta server holds per environment for ${NAME} in contract servers (admins)");

  secrets
    .command("list")
    .description("list every secret's environment, name and last change (never a value)")
    .option("--server <url>", serverOption)
    .option("--json", "print the secrets as JSON")
    .action(async (opts: { server?: string; json?: boolean }) => {
      const items = await (await client(opts.server)).listSecrets().catch((e) => {
        throw fromServer(e);
      });
      if (opts.json) io.out(JSON.stringify(items, null, 2));
      else if (items.length === 0) io.err("no secrets");
      else {
        const c = colors(io);
        const env = Math.max(11, ...items.map((s) => s.environment.length));
        const name = Math.max(4, ...items.map((s) => s.name.length));
        io.out(c.dim(`${"ENVIRONMENT".padEnd(env)}  ${"NAME".padEnd(name)}  ${"UPDATED".padEnd(20)}  BY`));
        for (const s of items)
          io.out(
            `${s.environment.padEnd(env)}  ${c.bold(s.name.padEnd(name))}  ${s.updatedAt.replace(/\.\d+Z$/, "Z").padEnd(20)}  ${s.updatedBy ?? "-"}`,
          );
      }
      setExit(ExitCode.ok);
    });

  secrets
    .command("set")
    .description("store a secret: the value is read from stdin (so it stays out of the shell history)")
    .argument("<environment>", 'the servers\' environment (prod, dev…); "any" for every environment')
    .argument("<name>", "the name contract servers reference as ${NAME}")
    .option("--from-env <var>", "take the value from this environment variable instead of stdin")
    .option("--server <url>", serverOption)
    .action(async (environment: string, name: string, opts: { server?: string; fromEnv?: string }) => {
      const label = `${environment}/${name}`;
      const value = await readValue(io, label, opts.fromEnv);
      const { created } = await (await client(opts.server)).setSecret(environment, name, value).catch((e) => {
        throw fromServer(e);
      });
      io.out(`${created ? "stored" : "replaced"} secret ${name} of environment ${environment}`);
      setExit(ExitCode.ok);
    });

  secrets
    .command("delete")
    .description("delete a secret")
    .argument("<environment>", "its environment")
    .argument("<name>", "its name")
    .option("--server <url>", serverOption)
    .action(async (environment: string, name: string, opts: { server?: string }) => {
      await (await client(opts.server)).deleteSecret(environment, name).catch((e) => {
        throw fromServer(e);
      });
      io.out(`deleted secret ${name} of environment ${environment}`);
      setExit(ExitCode.ok);
    });
  for (const cmd of secrets.commands) cmd.exitOverride().showHelpAfterError();
}
