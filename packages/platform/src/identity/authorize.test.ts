import { NotAllowedError } from "@quanta/core";
import { describe, expect, it } from "vitest";
import { authorize, decide, type PublishTarget } from "./authorize.js";
import type { Principal } from "./principal.js";
import { UnauthenticatedError } from "./unauthenticated-error.js";

const person = (over: Partial<Principal> = {}): Principal => ({
  userId: "u1",
  name: "ana@example.com",
  displayName: null,
  kind: "user",
  roles: ["consumer"],
  teams: [],
  via: "token",
  ...over,
});
const product = { id: "sales.orders", ownerTeam: "sales" };
const target = (over: Partial<PublishTarget> = {}): PublishTarget => ({
  productId: "sales.orders",
  exists: true,
  ownerTeam: "sales",
  declaredTeam: "sales",
  declaredTeamExists: true,
  ...over,
});

describe("authorize", () => {
  it("refuses anonymous callers with 401 and the reason, known callers with 403", () => {
    expect(() => authorize(undefined, "product.consume", product)).toThrow(UnauthenticatedError);
    expect(() => authorize(undefined, "product.consume", product)).toThrowErrorMatchingInlineSnapshot(
      `[UnauthenticatedError: sign in (an API token or an OpenID Connect bearer token) to read data]`,
    );
    expect(() => authorize(person(), "product.control", product)).toThrow(NotAllowedError);
    expect(() => authorize(person(), "product.control", product)).toThrowErrorMatchingInlineSnapshot(
      `[NotAllowedError: only an owner of team sales or an admin may control sales.orders]`,
    );
    expect(() => authorize(undefined, "catalog.read", undefined)).not.toThrow();
  });

  it("lets team owners control, team members ingest, and admins do both", () => {
    const member = person({ teams: [{ team: "sales", role: "member" }] });
    const owner = person({
      teams: [
        { team: "sales", role: "member" },
        { team: "sales", role: "owner" },
      ],
    });
    const admin = person({ roles: ["admin"] });
    expect(decide(member, "product.ingest", product)).toBe(true);
    expect(decide(member, "product.control", product)).toMatch(/only an owner/);
    expect(decide(owner, "product.control", product)).toBe(true);
    expect(decide(admin, "product.control", product)).toBe(true);
    expect(decide(person({ teams: [{ team: "other", role: "owner" }] }), "product.ingest", product)).toMatch(
      /only the owner team of sales.orders \(sales\)/,
    );
  });

  it("publishes: owners of the stored owner team and admins, never a member or someone else", () => {
    const member = person({ teams: [{ team: "sales", role: "member" }] });
    const owner = person({ teams: [{ team: "sales", role: "owner" }] });
    const admin = person({ roles: ["admin"] });
    expect(decide(owner, "product.publish", target())).toBe(true);
    expect(decide(admin, "product.publish", target())).toBe(true);
    expect(decide(member, "product.publish", target())).toMatchInlineSnapshot(
      `"sales.orders belongs to team sales; only its owners or an admin may publish it"`,
    );
    expect(decide(person(), "product.publish", target())).toMatch(/belongs to team sales/);
    // What the files name changes nothing: the stored owner team decides.
    expect(
      decide(
        person({ teams: [{ team: "marketing", role: "owner" }] }),
        "product.publish",
        target({ declaredTeam: "marketing" }),
      ),
    ).toMatch(/belongs to team sales/);
    // Handing over to another team takes an owner of both.
    expect(decide(owner, "product.publish", target({ declaredTeam: "finance" }))).toMatch(/owner of both/);
    const both = person({
      teams: [
        { team: "sales", role: "owner" },
        { team: "finance", role: "owner" },
      ],
    });
    expect(decide(both, "product.publish", target({ declaredTeam: "finance" }))).toBe(true);
    expect(decide(owner, "product.publish", target({ declaredTeam: "ghost", declaredTeamExists: false }))).toMatch(
      /does not exist/,
    );
    // A product published without a team: only an admin.
    expect(decide(owner, "product.publish", target({ ownerTeam: null }))).toMatch(/no owner team/);
  });

  it("publishes a new product: an owner of the team it names, which must exist", () => {
    const fresh = (over: Partial<PublishTarget> = {}) => target({ exists: false, ownerTeam: null, ...over });
    expect(decide(person({ teams: [{ team: "sales", role: "owner" }] }), "product.publish", fresh())).toBe(true);
    expect(decide(person({ teams: [{ team: "sales", role: "member" }] }), "product.publish", fresh())).toMatch(
      /only its owners or an admin may publish a new product/,
    );
    expect(decide(person(), "product.publish", fresh())).toMatch(/only its owners/);
    // No more founding a team by listing oneself in a document: an admin creates teams.
    expect(decide(person(), "product.publish", fresh({ declaredTeam: "new-team", declaredTeamExists: false }))).toMatch(
      /which does not exist; an admin creates teams/,
    );
    expect(decide(person({ roles: ["admin"] }), "product.publish", fresh({ declaredTeamExists: false }))).toBe(true);
    expect(decide(person(), "product.publish", fresh({ declaredTeam: null }))).toMatch(/names no team/);
  });

  it("limits a scoped token to its scopes on top of its user's rights", () => {
    const ci = person({ roles: ["admin"], scopes: ["write"] });
    expect(decide(ci, "product.publish", target())).toBe(true);
    expect(decide(ci, "product.consume", product)).toMatchInlineSnapshot(
      `"this token is limited to write; product.consume needs the consume scope"`,
    );
  });

  it("lets users manage their own tokens and only admins anyone's", () => {
    expect(decide(person(), "token.create", { userId: "u1" })).toBe(true);
    expect(decide(person(), "token.revoke", { userId: "u2" })).toMatch(/only admins/);
    expect(decide(person({ roles: ["admin"] }), "token.list", { userId: undefined })).toBe(true);
    expect(decide(person({ roles: ["governance"] }), "product.usage", product)).toBe(true);
  });
});

describe("rules on one's own things", () => {
  it("never match an anonymous caller against an unnamed user", () => {
    expect(decide(undefined, "token.list", { userId: undefined })).not.toBe(true);
    expect(decide(undefined, "user.read", { userId: "" })).not.toBe(true);
    expect(decide(person(), "token.list", { userId: undefined })).not.toBe(true);
  });
});
