import { randomBytes } from "node:crypto";
import { NotFoundError, PostgresDialect } from "@quanta/core";
import type { PostgresConfig } from "../postgres-config.js";
import { grantError, inTransaction, withAdmin } from "./admin-session.js";
import { scramVerifier } from "./scram-verifier.js";
import { shareIdentifier } from "./share-identifier.js";

const dialect = new PostgresDialect();

export interface LoginOptions {
  /** The password stops working then (`VALID UNTIL`). */
  validUntil?: Date | undefined;
}

/**
 * Lets a share's role log in with a fresh random password (32 bytes, base64url), which is
 * returned once: it is not logged or stored here, and only its SCRAM verifier reaches the server.
 * Issuing again replaces the previous password. A role that was never provisioned is a NotFoundError.
 */
export async function issueLogin(admin: PostgresConfig, role: string, options: LoginOptions = {}): Promise<string> {
  const name = shareIdentifier("role", role);
  const password = randomBytes(32).toString("base64url");
  const until = options.validUntil ? ` VALID UNTIL ${dialect.stringLiteral(options.validUntil.toISOString())}` : "";
  await withAdmin(admin, (client) =>
    inTransaction(client, name, async () => {
      const exists = await client.query("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1", [name]);
      if (exists.rows.length === 0)
        throw new NotFoundError(`the share role ${name} does not exist; provision the share first`, {
          code: "share-not-found",
        });
      try {
        await client.query(
          `ALTER ROLE ${dialect.quoteIdentifier(name)} WITH LOGIN PASSWORD ${dialect.stringLiteral(scramVerifier(password))}${until}`,
        );
      } catch (e) {
        // No SQL attached: it holds the password's verifier.
        throw grantError(e, `cannot let ${name} log in`);
      }
    }),
  );
  return password;
}
