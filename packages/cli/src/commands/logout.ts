import type { Command } from "commander";
import { ExitCode } from "../exit-codes.js";
import type { Io, SetExit } from "../io.js";
import { defaultServer } from "./publish.js";

export function registerLogoutCommand(program: Command, io: Io, setExit: SetExit): void {
  program
    .command("logout")
    .description("Forget the token stored for a Quanta server (the token itself stays valid until revoked)")
    .option("--server <url>", "the Quanta server (default: $QUANTA_SERVER or http://localhost:8080)")
    .action(async (opts: { server?: string }) => {
      const { removeCredential, serverKey } = await import("@quanta/platform");
      const server = serverKey(opts.server ?? defaultServer());
      io.out((await removeCredential(server)) ? `signed out of ${server}` : `not signed in to ${server}`);
      setExit(ExitCode.ok);
    });
}
