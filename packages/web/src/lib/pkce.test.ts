import { describe, expect, it } from "vitest";
import { randomUrlSafe, s256Challenge, unverifiedClaims } from "./pkce.js";

describe("PKCE", () => {
  it("computes the S256 challenge of RFC 7636's example verifier", async () => {
    expect(await s256Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });

  it("makes URL-safe verifiers of 43 characters (RFC 7636: 43 to 128), never twice the same", () => {
    const values = Array.from({ length: 200 }, () => randomUrlSafe());
    for (const v of values) expect(v).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set(values).size).toBe(values.length);
  });

  it("reads a JWT's claims (base64url, UTF-8) and nothing from what is not one", () => {
    const payload = Buffer.from(JSON.stringify({ nonce: "n-1", name: "Zoë" })).toString("base64url");
    expect(unverifiedClaims(`eyJhbGciOiJSUzI1NiJ9.${payload}.sig`)).toEqual({ nonce: "n-1", name: "Zoë" });
    for (const bad of ["", "abc", "a.!!!.c", `a.${Buffer.from("[1]").toString("base64url")}.c`, "a.bnVsbA.c"]) {
      expect(unverifiedClaims(bad)).toBeUndefined();
    }
  });
});
