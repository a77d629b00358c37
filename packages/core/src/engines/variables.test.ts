import { describe, expect, it } from "vitest";
import { redactSecrets, resolveServerVariables } from "./variables.js";

const values: Record<string, string> = { HOST: "db.internal", PASS: "s3cret", EMPTY: "", BUCKET: "lake" };
const lookup = (name: string) => values[name];

describe("resolveServerVariables (ODCS RFC 0050)", () => {
  it("resolves whole and embedded references at any depth, with POSIX :- defaults", () => {
    const { server, secrets, variables } = resolveServerVariables(
      {
        server: "prod",
        type: "postgres",
        host: "${HOST}",
        port: "${PORT:-5432}",
        database: "orders_${EMPTY:-main}",
        location: "s3://${BUCKET}/orders/",
        password: "${PASS}",
        roles: [{ name: "${HOST}" }],
        count: 3,
      },
      lookup,
    );
    expect(server).toEqual({
      server: "prod",
      type: "postgres",
      host: "db.internal",
      port: "5432",
      database: "orders_main",
      location: "s3://lake/orders/",
      password: "s3cret",
      roles: [{ name: "db.internal" }],
      count: 3,
    });
    expect(secrets).toEqual(["s3cret"]);
    expect(variables).toEqual(["HOST", "PORT", "EMPTY", "BUCKET", "PASS"]);
  });

  it("names every variable with no value, never substituting an empty string", () => {
    expect(() => resolveServerVariables({ server: "p", host: "${A}", database: "${B}-${A}" }, lookup)).toThrow(
      "server p references variables with no value: A, B",
    );
    expect(() => resolveServerVariables({ server: "p", host: "${EMPTY}" }, lookup)).toThrow("no value: EMPTY");
    expect(() => resolveServerVariables({ server: "p", host: "${}" }, lookup)).toThrow("empty variable reference");
  });

  it("refuses a literal credential, and counts names the source calls secret as secrets", () => {
    for (const field of ["password", "token", "secretKey"]) {
      expect(() => resolveServerVariables({ server: "p", [field]: "hunter2" }, lookup)).toThrow(
        `server p has a literal "${field}"`,
      );
    }
    expect(() => resolveServerVariables({ server: "p", password: "x${PASS}" }, lookup)).toThrow("literal");
    const { secrets } = resolveServerVariables({ host: "${HOST}" }, lookup, (n) => n === "HOST");
    expect(secrets).toEqual(["db.internal"]);
  });

  it("redacts secrets from messages, longest first", () => {
    expect(redactSecrets("login s3cret failed; s3cret-2 too", ["s3cret", "s3cret-2"])).toBe(
      "login *** failed; *** too",
    );
    expect(redactSecrets("a b", ["a"])).toBe("a b"); // too short to be told from text
  });
});
