import type { Command } from "commander";
import { CommandError, ExitCode } from "../exit-codes.js";
import type { Io, SetExit } from "../io.js";
import { defaultServer } from "./publish.js";

interface LoginOptions {
  server?: string;
  token?: string;
}

/**
 * What the user may do, team rights first: they decide publishing and controlling products, while
 * the platform role of most people is plain `consumer` (a team's owner is a consumer platform-wide).
 */
export function describeAccess(me: {
  roles: readonly string[];
  teams: readonly { team: string; role: string }[];
}): string {
  const byRole = new Map<string, string[]>();
  for (const role of ["owner", "member"]) byRole.set(role, []);
  for (const t of me.teams) byRole.set(t.role, [...(byRole.get(t.role) ?? []), t.team]);
  const teams = [...byRole]
    .filter(([, ids]) => ids.length > 0)
    .map(([role, ids]) => `${role} of team${ids.length > 1 ? "s" : ""} ${ids.join(", ")}`);
  return `${teams.join("; ") || "in no team"}; platform roles: ${me.roles.join(", ") || "none"}`;
}

/** The token piped in (`echo $TOKEN | quanta login`), or typed after a prompt on a terminal. */
async function readToken(io: Io): Promise<string> {
  if (process.stdin.isTTY) io.err("Paste an API token (qnt_…) or an OpenID Connect token, then Enter:");
  let text = "";
  for await (const chunk of process.stdin) {
    text += chunk.toString();
    if (process.stdin.isTTY && text.includes("\n")) break;
    if (text.length > 64 * 1024) throw new CommandError("the token on stdin is longer than 64 KiB");
  }
  return text.trim();
}

export function registerLoginCommand(program: Command, io: Io, setExit: SetExit): void {
  program
    .command("login")
    .description("Sign the console in to a Quanta server with an API token (kept in ~/.config/quanta/credentials.json)")
    .option("--server <url>", "the Quanta server (default: $QUANTA_SERVER or http://localhost:8080)")
    .option("--token <token>", "the token (default: read from stdin, so it stays out of the shell history)")
    .action(async (opts: LoginOptions) => {
      const { PlatformClient, storeCredential, serverKey, UnauthenticatedError } = await import("@quanta/platform");
      const server = serverKey(opts.server ?? defaultServer());
      const token = (opts.token ?? (await readToken(io))).trim();
      if (!token) throw new CommandError("no token given: pass --token or pipe it on stdin");
      if (/\s/.test(token)) throw new CommandError("the token contains whitespace; pass exactly one token");
      let me: Awaited<ReturnType<InstanceType<typeof PlatformClient>["me"]>>;
      try {
        me = await new PlatformClient(server, { token }).me();
      } catch (e) {
        if (e instanceof UnauthenticatedError) {
          io.err(`quanta: ${server} refused the token: ${e.message}`);
          setExit(ExitCode.failed);
          return;
        }
        throw e;
      }
      const file = await storeCredential(server, { token, user: me.name, savedAt: new Date().toISOString() });
      io.out(`signed in to ${server} as ${me.name}`);
      io.err(`${describeAccess(me)}; token kept in ${file}`);
      if (process.env.QUANTA_TOKEN) io.err("note: $QUANTA_TOKEN is set and overrides the stored token");
      setExit(ExitCode.ok);
    });
}
