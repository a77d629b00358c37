import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";

/** PostgreSQL's own default (scram_iterations, PostgreSQL 16). */
const iterations = 4096;

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802 / 7677, the format of
 * `pg_authid.rolpassword`). Sent in `ALTER ROLE … PASSWORD`, it is stored as it is: the password
 * itself never reaches the server, its statement log or pg_stat_activity (what psql's
 * `\password` does). `password` is ASCII here, so SASLprep leaves it unchanged.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16)): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}
