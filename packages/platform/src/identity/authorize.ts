import { NotAllowedError } from "@quanta/core";
import { hasRole, type Principal, type TokenScope, teamRole } from "./principal.js";
import { UnauthenticatedError } from "./unauthenticated-error.js";

/*
 * Authorization seam (ADR 0013). Every decision the platform makes about "may this caller do
 * this" goes through `authorize(principal, action, resource)`:
 *
 *   - `principal` comes from the auth middleware (`c.get("principal")`, undefined = anonymous);
 *   - `action` is one key of `Resources` below, and `resource` is the typed data its rule needs
 *     (a product's owner team, the user a token belongs to...), looked up by the caller;
 *   - `policy` holds ONE rule per action (Backstage-style): it answers `true`, or the reason it
 *     refuses. A refusal becomes `UnauthenticatedError` (401) for anonymous callers and
 *     `NotAllowedError` (403) for known ones, both mapped in http/error-response.ts.
 *
 * Adding a right (e.g. data usage agreements) = add an action to `Resources` and its rule to
 * `policy`; the compiler refuses a missing rule. Rules are pure and synchronous: anything they need
 * from the store goes into the resource first. A token with scopes can only do the actions of
 * those scopes (`actionScopes`), on top of what its user may do.
 */

/** A product as authorization sees it: its id and the team that owns it (null: no team). */
export interface ProductRef {
  id: string;
  ownerTeam: string | null;
}

/** What a publish would touch, as the registry holds it (ADR 0020). */
export interface PublishTarget {
  productId: string;
  /** Whether the product is published already. */
  exists: boolean;
  /** The team owning the product now (null: new, or published without a team). */
  ownerTeam: string | null;
  /** The team the new version names (its `team.name` as the registry's team id). */
  declaredTeam: string | null;
  /** Whether that team exists: teams are created by admins, never by a publish of someone else. */
  declaredTeamExists: boolean;
}

/** An agreement as authorization sees it: the provider (owner) team and the consumer team. */
export interface AgreementRef {
  id: string;
  productId: string;
  ownerTeam: string | null;
  consumerTeam: string;
}

/** Each action and the resource its rule needs. */
export interface Resources {
  /** Registry and catalog metadata: list, search, product, contracts, discover. */
  "catalog.read": undefined;
  "product.publish": PublishTarget;
  "product.consume": ProductRef;
  "product.ingest": ProductRef;
  /** Upload a port's data as a new version of it (`PUT …/ports/{port}/data`). */
  "product.upload": ProductRef;
  "product.observe": ProductRef;
  /** Who read what: per-consumer usage and the audit trail of a product. */
  "product.usage": ProductRef;
  "product.govern": ProductRef;
  "product.state": ProductRef;
  "product.control": ProductRef;
  /** Run a product's pipeline or roll a port back to an earlier version (ADR 0029). */
  "pipeline.run": ProductRef;
  /** A product's pipeline runs, their steps and logs: whoever may see the product. */
  "pipeline.read": ProductRef;
  "me.read": undefined;
  "token.create": { userId: string };
  /** userId undefined: every user's tokens. */
  "token.list": { userId: string | undefined };
  "token.revoke": { userId: string };
  "user.list": undefined;
  "user.read": { userId: string };
  "user.manage": undefined;
  "team.list": undefined;
  "team.create": undefined;
  "team.members": { team: string };
  /** Data usage agreements (ADR 0014): a consumer team asks for one of a product's output ports. */
  "access.request": { product: ProductRef; consumerTeam: string };
  /** Approve or reject: the provider (owner team) decides, never the consumer team itself. */
  "access.decide": AgreementRef;
  /** Terminate: either side, with the contract's notice period. */
  "access.terminate": AgreementRef;
  /** Move an agreement to a new major contract version before its notice ends: the consumer's call. */
  "access.accept-version": AgreementRef;
  "access.read": AgreementRef;
  /** The audit log of one product (owner team), or of everything (product undefined). */
  "audit.read": { product: ProductRef | undefined };
  /** Apply a policy file: global rules need governance; domain rules an owner of a team in that domain. */
  "policy.apply": { global: boolean; domains: string[]; ownedDomains: string[] };
  "webhook.manage": { team: string };
  /** The platform's secrets (ADR 0026): list their names, set and delete them; never read a value. */
  "secret.manage": undefined;
  /** The lineage graph (ADR 0033): a node's upstream or downstream, for whoever is signed in. */
  "lineage.read": undefined;
  /** Send OpenLineage events (ADR 0034): the ports they name as outputs, each with its owner team. */
  "lineage.write": { outputs: ProductRef[] };
  /** The OpenLineage export: pipeline runs' events and the ones received. */
  "lineage.export": undefined;
}
export type Action = keyof Resources;

/** `true`, or why not (a sentence the caller reads). */
export type Decision = true | string;
type Rule<A extends Action> = (p: Principal | undefined, r: Resources[A]) => Decision;

const signIn = "sign in (an API token or an OpenID Connect bearer token)";
const signedIn = (p: Principal | undefined): Decision => (p ? true : `${signIn} first`);
const admin = (p: Principal | undefined): boolean => hasRole(p, "admin");
/** Rights on "your own" things need a caller and a named user: `undefined === undefined` is no one's. */
const isSelf = (p: Principal | undefined, userId: string | undefined): boolean =>
  p !== undefined && userId !== undefined && p.userId === userId;
const inTeam = (p: Principal | undefined, team: string | null): boolean => teamRole(p, team) !== undefined;
const ownerTeamOnly = (p: Principal | undefined, r: ProductRef, what: string): Decision =>
  admin(p) || inTeam(p, r.ownerTeam)
    ? true
    : `only the owner team of ${r.id} (${r.ownerTeam ?? "none"}) or an admin may ${what}`;

/**
 * Who may publish (ADR 0020): an admin, or an owner of the team the registry holds as the product's
 * owner; a new product, an owner of the team it names. Handing a product to another team takes an
 * owner of both. Team rights come from the identity store only: nothing in the files widens them.
 */
function publishRule(p: Principal | undefined, r: PublishTarget): Decision {
  if (admin(p)) return true;
  const owns = (team: string | null) => teamRole(p, team) === "owner";
  if (r.exists) {
    if (r.ownerTeam === null) return `${r.productId} has no owner team; only an admin may publish it`;
    if (!owns(r.ownerTeam))
      return `${r.productId} belongs to team ${r.ownerTeam}; only its owners or an admin may publish it`;
    if (r.declaredTeam === r.ownerTeam) return true;
  }
  if (r.declaredTeam === null) return `${r.productId} names no team; a product needs an owner team to publish`;
  if (!r.declaredTeamExists) {
    return `${r.productId} names team ${r.declaredTeam}, which does not exist; an admin creates teams (POST /api/teams) and grants their owners`;
  }
  if (owns(r.declaredTeam)) return true;
  return r.exists
    ? `${r.productId} would move from team ${r.ownerTeam} to team ${r.declaredTeam}; only an owner of both or an admin may hand it over`
    : `${r.productId} names team ${r.declaredTeam}; only its owners or an admin may publish a new product for it`;
}

function decideRule(p: Principal | undefined, r: AgreementRef): Decision {
  if (!p) return `${signIn} to decide on access requests`;
  // Separation of duties: being in the consumer team disqualifies, even for owners and admins.
  if (inTeam(p, r.consumerTeam))
    return `a consumer cannot approve or reject its own request (you are in team ${r.consumerTeam})`;
  if (r.ownerTeam !== null && inTeam(p, r.ownerTeam)) return true;
  return `only the owner team of ${r.productId} (${r.ownerTeam ?? "none"}) decides on its access requests`;
}

const eitherSide = (p: Principal | undefined, r: AgreementRef, what: string): Decision =>
  admin(p) || inTeam(p, r.consumerTeam) || inTeam(p, r.ownerTeam)
    ? true
    : `only the consumer team (${r.consumerTeam}), the owner team of ${r.productId} (${r.ownerTeam ?? "none"}) or an admin may ${what}`;

/** The one policy table: every action's rule. */
export const policy: { [A in Action]: Rule<A> } = {
  "catalog.read": () => true,
  "product.publish": (p, r) => (p ? publishRule(p, r) : `${signIn} to publish`),
  // Signed in is necessary, not sufficient: data usage agreements add their check on top.
  "product.consume": (p) => (p ? true : `${signIn} to read data`),
  "product.ingest": (p, r) => ownerTeamOnly(p, r, "ingest into it"),
  "product.upload": (p, r) => ownerTeamOnly(p, r, "publish its data"),
  "product.observe": signedIn,
  "product.usage": (p, r) => (hasRole(p, "governance") ? true : ownerTeamOnly(p, r, "see who reads it")),
  "product.govern": signedIn,
  "product.state": signedIn,
  "product.control": (p, r) =>
    admin(p) || teamRole(p, r.ownerTeam) === "owner"
      ? true
      : `only an owner of team ${r.ownerTeam ?? "(none)"} or an admin may control ${r.id}`,
  "pipeline.run": (p, r) => ownerTeamOnly(p, r, "run its pipeline or roll its ports back"),
  "pipeline.read": signedIn,
  "me.read": signedIn,
  "token.create": (p, r) => (admin(p) || isSelf(p, r.userId) ? true : "only admins create tokens for other users"),
  "token.list": (p, r) => (admin(p) || isSelf(p, r.userId) ? true : "only admins list other users' tokens"),
  "token.revoke": (p, r) => (admin(p) || isSelf(p, r.userId) ? true : "only admins revoke other users' tokens"),
  "user.list": (p) => (admin(p) || hasRole(p, "governance") ? true : "only admins and governance list users"),
  "user.read": (p, r) =>
    admin(p) || hasRole(p, "governance") || isSelf(p, r.userId) ? true : "only admins and governance see other users",
  "user.manage": (p) => (admin(p) ? true : "only admins manage users and their roles"),
  "team.list": signedIn,
  "team.create": (p) => (admin(p) ? true : "only admins create teams"),
  "team.members": (p, r) =>
    admin(p) || teamRole(p, r.team) === "owner"
      ? true
      : `only an owner of team ${r.team} or an admin manage its members`,
  "access.request": (p, r) =>
    !p
      ? `${signIn} to request access`
      : admin(p) || inTeam(p, r.consumerTeam)
        ? true
        : `you are not a member of team ${r.consumerTeam}; request access for a team you belong to`,
  "access.decide": decideRule,
  "access.terminate": (p, r) => eitherSide(p, r, "terminate this agreement"),
  "access.accept-version": (p, r) =>
    admin(p) || inTeam(p, r.consumerTeam)
      ? true
      : `only the consumer team (${r.consumerTeam}) accepts a new contract version for its agreement`,
  "access.read": (p, r) => (hasRole(p, "governance") ? true : eitherSide(p, r, "see this agreement")),
  "audit.read": (p, r) =>
    admin(p) || hasRole(p, "governance")
      ? true
      : r.product
        ? ownerTeamOnly(p, r.product, "read its audit log")
        : "only governance and admins read the whole audit log; owners filter by their productId",
  "policy.apply": (p, r) => {
    if (admin(p) || hasRole(p, "governance")) return true;
    if (!p) return `${signIn} to apply policies`;
    if (r.global) return "only governance and admins apply global rules";
    const foreign = r.domains.filter((d) => !r.ownedDomains.includes(d));
    return foreign.length === 0
      ? true
      : `only governance, admins or an owner of a team in domain ${foreign.join(", ")} apply its rules`;
  },
  "webhook.manage": (p, r) =>
    admin(p) || teamRole(p, r.team) === "owner"
      ? true
      : `only an owner of team ${r.team} or an admin manage its webhooks`,
  "secret.manage": (p) => (admin(p) ? true : "only admins manage the platform's secrets"),
  "lineage.read": signedIn,
  "lineage.write": (p, r) => {
    if (!p) return `${signIn} to send lineage`;
    if (p.via !== "token") return "lineage input needs an API token with the write scope, not a sign-in session";
    for (const out of r.outputs) {
      const d = ownerTeamOnly(p, out, "send lineage naming it as an output");
      if (d !== true) return d;
    }
    return true;
  },
  "lineage.export": signedIn,
};

/** The scope each action needs when a token is restricted to scopes. */
export const actionScopes: Record<Action, TokenScope> = {
  "catalog.read": "read",
  "product.publish": "write",
  "product.consume": "consume",
  "product.ingest": "write",
  "product.upload": "write",
  "product.observe": "read",
  "product.usage": "read",
  "product.govern": "read",
  "product.state": "read",
  "product.control": "write",
  "pipeline.run": "write",
  "pipeline.read": "read",
  "me.read": "read",
  "token.create": "admin",
  "token.list": "read",
  "token.revoke": "admin",
  "user.list": "read",
  "user.read": "read",
  "user.manage": "admin",
  "team.list": "read",
  "team.create": "admin",
  "team.members": "admin",
  "access.request": "write",
  "access.decide": "write",
  "access.terminate": "write",
  "access.accept-version": "write",
  "access.read": "read",
  "audit.read": "read",
  "policy.apply": "admin",
  "webhook.manage": "admin",
  "secret.manage": "admin",
  "lineage.read": "read",
  "lineage.write": "write",
  "lineage.export": "read",
};

/** The decision without throwing (for UIs that grey out what the caller cannot do). */
export function decide<A extends Action>(
  principal: Principal | undefined,
  action: A,
  resource: Resources[A],
): Decision {
  const scopes = principal?.scopes;
  if (scopes && !scopes.includes(actionScopes[action])) {
    return `this token is limited to ${scopes.join(", ")}; ${action} needs the ${actionScopes[action]} scope`;
  }
  return (policy[action] as Rule<A>)(principal, resource);
}

/** Throws `UnauthenticatedError` (anonymous) or `NotAllowedError` (known caller) with the reason. */
export function authorize<A extends Action>(principal: Principal | undefined, action: A, resource: Resources[A]): void {
  const decision = decide(principal, action, resource);
  if (decision === true) return;
  if (!principal) throw new UnauthenticatedError(decision.startsWith("sign in") ? decision : `${signIn}: ${decision}`);
  throw new NotAllowedError(decision);
}
