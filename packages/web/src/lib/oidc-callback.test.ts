import { describe, expect, it } from "vitest";
import { checkCallback, nonceProblem, type PendingSignIn } from "./oidc-callback.js";

const pending: PendingSignIn = {
  issuer: "https://id.example",
  clientId: "quanta",
  tokenEndpoint: "https://id.example/token",
  redirectUri: "https://quanta.example/auth/callback",
  state: "state-1",
  nonce: "nonce-1",
  verifier: "v".repeat(43),
  bearer: "id_token",
  next: "/owner",
};
const q = (query: string) => new URLSearchParams(query);
const jwt = (claims: object) => `h.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.s`;

describe("the issuer's answer on /auth/callback", () => {
  it("gives the code when the state is this tab's", () => {
    expect(checkCallback(q("code=abc&state=state-1"), pending)).toEqual({ ok: true, code: "abc" });
  });

  it("refuses a state mismatch, a missing state, an answer with no sign-in started, and no code", () => {
    expect(checkCallback(q("code=abc&state=other"), pending)).toMatchObject({ ok: false, code: "state-mismatch" });
    expect(checkCallback(q("code=abc"), pending)).toMatchObject({ ok: false, code: "state-mismatch" });
    expect(checkCallback(q("code=abc&state=state-1"), undefined)).toMatchObject({ ok: false, code: "no-sign-in" });
    expect(checkCallback(q("state=state-1"), pending)).toMatchObject({ ok: false, code: "no-code" });
  });

  it("shows the error the issuer returned, with its description", () => {
    expect(
      checkCallback(q("error=access_denied&error_description=The+user+said+no&state=state-1"), pending),
    ).toMatchInlineSnapshot(`
        {
          "code": "issuer-error",
          "message": "access_denied: The user said no",
          "ok": false,
          "title": "The identity provider did not sign you in",
        }
      `);
  });

  it("accepts an ID token only with this sign-in's nonce", () => {
    expect(nonceProblem(jwt({ nonce: "nonce-1" }), "nonce-1")).toBeUndefined();
    expect(nonceProblem(jwt({ nonce: "nonce-2" }), "nonce-1")).toMatch(/nonce is not this sign-in's/);
    expect(nonceProblem(jwt({}), "nonce-1")).toMatch(/nonce is not this sign-in's/);
    expect(nonceProblem(undefined, "nonce-1")).toBe("the identity provider returned no ID token");
    expect(nonceProblem("garbage", "nonce-1")).toBe("the ID token is not a readable JWT");
  });
});
