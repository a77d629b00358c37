import { InputError } from "@quanta/core";

/**
 * Every event type Quanta writes to its log, with what it means. Subscriptions are checked against
 * it (a typo is a 400, not a subscription that never fires); docs/events.md lists the same table.
 */
export const eventTypes: Readonly<Record<string, string>> = {
  "product.published": "A product version was published (subject: the product)",
  "product.configured": "A product's runtime settings changed",
  "product.state-changed": "A product was started, stopped or retired",
  "product.end-of-support": "A product's (or port's) end of support passed: reads carry a Deprecation header",
  "product.end-of-life":
    "A product's (or port's) end of life passed: it is no longer served (410), a tombstone in the registry",
  "product.certification.changed": "A product's certification level changed after an evaluation",
  "contract.published": "A new contract version was published (subject: the contract)",
  "contract.breaking-change": "A contract's new major version reached agreements that serve an older one",
  "contract.breaking-change.downstream": "A breaking change reaches products that read this one, transitively",
  "agreement.requested": "A consumer team asked for access to an output port (subject: the agreement)",
  "agreement.approved": "An access request was approved (by the owner team, or by policy)",
  "agreement.rejected": "An access request was rejected",
  "agreement.terminating": "An agreement was terminated and runs until its notice period ends",
  "agreement.terminated": "An agreement ended",
  "agreement.version-pending": "An agreement has a new major contract version to accept before its notice ends",
  "agreement.version-accepted": "The consumer moved its agreement to the new contract version",
  "port.version.published": "New data became the current version of an output port",
  "port.version.expired": "A port version passed its retention: its files were removed, its row kept as expired",
  "port.rows.expired": "Rows older than a port's retention left its current version (a new version without them)",
  "port.version.rolled-back": "An output port was rolled back to an earlier version",
  "contract.tested": "An output port's contract was tested against its data (status, checks, run id)",
  "pipeline.requested": "A pipeline run was requested",
  "pipeline.succeeded": "A pipeline run succeeded",
  "pipeline.failed": "A pipeline run failed",
  "pipeline.cancelled": "A pipeline run was cancelled",
  "pipeline.retrying": "A pipeline run failed and will be tried again",
  "lineage.run": "A pipeline run's lineage (OpenLineage) was recorded",
  "ingest.batch": "A batch of records was ingested into a product",
  "incident.opened": "Quanta opened an incident on a product (drift, anomaly, breach, failure)",
  "incident.updated": "An open incident got more severe, or a resolved one was reopened (reopened: true)",
  "incident.acknowledged": "Someone of the owner team acknowledged an incident",
  "incident.commented": "Someone commented on an incident",
  "incident.resolved": "An incident was resolved (by a person, or by Quanta when the signal cleared)",
  "policy.applied": "A governance policy set was applied",
  "team.created": "A team was created (subject: the team)",
  "team.member.granted": "Someone was made a member or owner of a team",
  "team.member.removed": "Someone left a team",
  "team.members.changed": "A publish changed a team's declared members",
  "webhook.registered": "A webhook was registered for a team",
  "webhook.removed": "A webhook was removed",
  "subscription.created": "A team subscribed to event types",
  "subscription.removed": "A team removed a subscription",
  "user.created": "A user was created (only the user and admins see it)",
  "user.linked": "A user was linked to a sign-in identity (only the user and admins see it)",
  "role.granted": "A platform role was granted to a user (only the user and admins see it)",
  "role.revoked": "A platform role was revoked (only the user and admins see it)",
  "token.created": "An API token was created (only its user and admins see it)",
  "token.revoked": "An API token was revoked (only its user and admins see it)",
};

/** Types only the user they are about (their subject) and admins see: never someone else's. */
export const privateTypes = /^(token|user|role|secret)\./;

const patternSyntax = /^(\*|[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*(\.\*)?)$/;

/** Whether a subscription pattern (`incident.*`, `product.published`, `*`) matches a bare type. */
export function typeMatches(pattern: string, type: string): boolean {
  if (pattern === "*") return true;
  if (pattern.endsWith(".*")) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

/**
 * Checks a subscription's type pattern: its syntax, and that it names (or, with `.*`, covers) at
 * least one type Quanta writes. Accepts the CloudEvents spelling (`dev.quanta.…`) too.
 */
export function checkTypePattern(raw: string): string {
  const pattern = raw.startsWith("dev.quanta.") ? raw.slice("dev.quanta.".length) : raw;
  if (!patternSyntax.test(pattern)) {
    throw new InputError(
      `event type pattern "${raw.slice(0, 100)}" is not valid: use a type (product.published), a prefix and .* (incident.*), or *`,
    );
  }
  const known = Object.keys(eventTypes);
  if (!known.some((t) => typeMatches(pattern, t))) {
    const near = known.filter((t) => t.split(".")[0] === pattern.split(".")[0]);
    throw new InputError(
      `no event type matches "${raw.slice(0, 100)}"${near.length > 0 ? `; did you mean one of ${near.join(", ")}?` : "; see GET /api/events types in docs/events.md"}`,
    );
  }
  return pattern;
}
