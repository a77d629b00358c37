import { describe, expect, it } from "vitest";
import { displayUrl, resolvePostgresConfig, serverEnvPrefix } from "./postgres-config.js";

const server = {
  server: "prod-eu",
  type: "postgres",
  host: "db.example.com",
  port: 6543,
  database: "sales",
  schema: "mart",
};
const error = (f: () => unknown) => {
  try {
    f();
    return "no error";
  } catch (e) {
    return (e as Error).message;
  }
};

describe("resolvePostgresConfig", () => {
  it("builds the URL from the contract's fields and the credentials variables", () => {
    const c = resolvePostgresConfig(server, { QUANTA_POSTGRES_USER: "reader", QUANTA_POSTGRES_PASSWORD: "p@ss:w/rd" });
    expect(c).toEqual({
      url: "postgres://reader:p%40ss%3Aw%2Frd@db.example.com:6543/sales",
      display: "postgres://reader:***@db.example.com:6543/sales",
      schema: "mart",
      connectTimeoutMs: 5000,
      statementTimeoutMs: 60000,
    });
  });

  it("prefers the server's own variables, then a whole URL", () => {
    const env = {
      QUANTA_POSTGRES_USER: "shared",
      QUANTA_SERVER_PROD_EU_USER: "eu_reader",
      QUANTA_SERVER_PROD_EU_PASSWORD: "s3cret",
    };
    expect(resolvePostgresConfig(server, env).display).toBe("postgres://eu_reader:***@db.example.com:6543/sales");
    const url = "postgresql://u:pw@other:5432/db?sslmode=require";
    const c = resolvePostgresConfig(server, { ...env, QUANTA_SERVER_PROD_EU_URL: url });
    expect([c.url, c.display, c.schema]).toEqual([url, "postgresql://u:***@other:5432/db?sslmode=require", "mart"]);
  });

  it("defaults to port 5432 and schema public, and reads the timeouts", () => {
    const c = resolvePostgresConfig(
      { type: "postgres", host: "::1", database: "d b" },
      { QUANTA_POSTGRES_CONNECT_TIMEOUT_MS: "250", QUANTA_POSTGRES_STATEMENT_TIMEOUT_MS: "1000" },
    );
    expect(c).toMatchObject({
      url: "postgres://[::1]:5432/d%20b",
      schema: "public",
      connectTimeoutMs: 250,
      statementTimeoutMs: 1000,
    });
  });

  it("explains what is missing or wrong", () => {
    expect(error(() => resolvePostgresConfig({ ...server, host: undefined }, {}))).toMatchInlineSnapshot(
      `"the prod-eu server has no host (or set QUANTA_SERVER_PROD_EU_URL)"`,
    );
    expect(error(() => resolvePostgresConfig({ type: "postgres", host: "h" }, {}))).toMatchInlineSnapshot(
      `"the postgres server has no database"`,
    );
    expect(error(() => resolvePostgresConfig({ ...server, port: "many" }, {}))).toMatchInlineSnapshot(
      `"the prod-eu server has an invalid port "many""`,
    );
    expect(
      error(() => resolvePostgresConfig(server, { QUANTA_SERVER_PROD_EU_URL: "mysql://x" })),
    ).toMatchInlineSnapshot(`"QUANTA_SERVER_PROD_EU_URL must be a postgres:// or postgresql:// URL"`);
    expect(
      error(() => resolvePostgresConfig(server, { QUANTA_POSTGRES_STATEMENT_TIMEOUT_MS: "-5" })),
    ).toMatchInlineSnapshot(
      `"QUANTA_POSTGRES_STATEMENT_TIMEOUT_MS must be a positive number of milliseconds, got "-5""`,
    );
  });

  it("takes credentials the caller resolved from ${VAR} references over the environment's", () => {
    const config = resolvePostgresConfig(
      { ...server, user: "reader", password: "p@ss word" },
      { QUANTA_POSTGRES_USER: "other", QUANTA_POSTGRES_PASSWORD: "other" },
    );
    expect(new URL(config.url).username).toBe("reader");
    expect(decodeURIComponent(new URL(config.url).password)).toBe("p@ss word");
    expect(config.display).not.toContain("p%40ss");
  });

  it("sends credentials that name no host only to the hosts QUANTA_POSTGRES_HOSTS lists, when it is set", () => {
    const env = { QUANTA_POSTGRES_USER: "reader", QUANTA_POSTGRES_PASSWORD: "pw" };
    // The console (the variable unset): as before.
    expect(new URL(resolvePostgresConfig(server, env).url).username).toBe("reader");
    // The platform (set, empty): none, and the driver may not look for libpq's either.
    const none = resolvePostgresConfig(server, { ...env, QUANTA_POSTGRES_HOSTS: "" });
    expect(new URL(none.url).username).toBe("");
    expect(none.password).toBe("");
    const listed = resolvePostgresConfig(server, { ...env, QUANTA_POSTGRES_HOSTS: `other, ${String(server.host)}` });
    expect(new URL(listed.url).password).toBe("pw");
    expect(listed.password).toBeUndefined();
    // A server's own credentials name it: they go wherever it is.
    const own = resolvePostgresConfig(server, { QUANTA_POSTGRES_HOSTS: "", QUANTA_SERVER_PROD_EU_PASSWORD: "own" });
    expect(new URL(own.url).password).toBe("own");
  });

  it("names variables after the server and never shows a password", () => {
    expect(serverEnvPrefix("prod-eu.main")).toBe("QUANTA_SERVER_PROD_EU_MAIN_");
    expect(displayUrl("postgres://a:b@h/d")).toBe("postgres://a:***@h/d");
    expect(displayUrl("not a url")).toBe("(unparsable connection URL)");
  });
});
