import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { NotFoundError } from "@quanta/core";
import { AuditEntrySchema } from "../../audit/audit-entry-schema.js";
import { AuditLog } from "../../audit/audit-log.js";
import { GovernanceService } from "../../governance/governance-service.js";
import { PolicyAppliedSchema, PolicyListSchema } from "../../governance/policy-schema.js";
import { PolicyStore } from "../../governance/policy-store.js";
import { authorize, decide } from "../../identity/authorize.js";
import { productRef } from "../../identity/publish-target.js";
import { TeamRepository } from "../../identity/team-repository.js";
import { ProductRepository } from "../../registry/product-repository.js";
import type { Database } from "../../storage/database.js";
import { principalOf } from "../auth-middleware.js";
import { errorContent, RefusedSchema } from "../schemas.js";

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const guarded = {
  400: errorContent("The request is malformed"),
  401: errorContent("No credential, or one that does not hold"),
  403: errorContent("Signed in, but not allowed"),
} as const;

const listPolicies = createRoute({
  method: "get",
  path: "/api/policies",
  operationId: "listPolicies",
  tags: ["Governance"],
  summary:
    "The policies in force (Quanta's defaults + the latest version of each applied set) and every applied version",
  responses: {
    200: json(PolicyListSchema, "The active set"),
  },
});

const applyPolicy = createRoute({
  method: "post",
  path: "/api/policies",
  operationId: "applyPolicy",
  tags: ["Governance"],
  summary: "Apply a policy file (YAML or JSON text): stored as a new immutable version, every product re-evaluated",
  description:
    "Refused (422, with every issue at line:column) when the file does not parse, has unknown fields, a CEL expression that does not compile, or a domain rule loosening a blocking global rule; nothing is stored then. Global rules need the governance role; domain rules an owner of a team in that domain.",
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z
            .object({
              source: z.string().min(1).max(1_000_000).openapi({ description: "The policy file's text" }),
              file: z.string().min(1).max(300).optional().openapi({ description: "Its name, for issue positions" }),
            })
            .strict(),
        },
      },
    },
  },
  responses: {
    201: json(PolicyAppliedSchema, "Applied"),
    200: json(PolicyAppliedSchema, "This exact text is the latest version already"),
    ...guarded,
    422: { description: "Refused, with the issues", content: { "application/json": { schema: RefusedSchema } } },
  },
});

const Params = z.object({
  id: z
    .string()
    .min(1)
    .max(300)
    .openapi({ param: { name: "id", in: "path" } }),
});
const evaluations = createRoute({
  method: "get",
  path: "/api/products/{id}/evaluations",
  operationId: "productEvaluations",
  tags: ["Governance"],
  summary: "Policy evaluation history of a product (each with its policy revision and certification), newest first",
  request: {
    params: Params,
    query: z
      .object({ limit: z.coerce.number().int().min(1).max(500).default(50).openapi({ type: "integer" }) })
      .strict(),
  },
  responses: {
    200: json(z.object({ items: z.array(z.record(z.string(), z.unknown())) }), "Evaluations"),
    ...guarded,
    404: errorContent("No such product"),
  },
});

const audit = createRoute({
  method: "get",
  path: "/api/audit",
  operationId: "auditLog",
  tags: ["Governance"],
  summary: "The append-only audit log: every read and every access decision (owners: their products; governance: all)",
  request: {
    query: z
      .object({
        productId: z.string().min(1).max(300).optional(),
        actor: z.string().min(1).max(300).optional(),
        action: z.string().min(1).max(100).optional(),
        from: z.string().datetime({ offset: true }).optional().openapi({ description: "ISO 8601, inclusive" }),
        to: z.string().datetime({ offset: true }).optional().openapi({ description: "ISO 8601, exclusive" }),
        afterId: z.coerce.number().int().min(0).optional().openapi({ type: "integer" }),
        limit: z.coerce.number().int().min(1).max(1000).default(100).openapi({ type: "integer" }),
      })
      .strict(),
  },
  responses: { 200: json(z.object({ items: z.array(AuditEntrySchema) }), "Oldest first"), ...guarded },
});

/** Policies in the platform, evaluation history and the audit log (ADR 0014). */
export function registerGovernance(app: OpenAPIHono, db: Database): void {
  app.openapi(listPolicies, async (c) => {
    authorize(principalOf(c), "catalog.read", undefined);
    const store = new PolicyStore(db);
    const active = await store.active();
    return c.json(
      {
        name: active.policySet.name,
        version: active.policySet.version,
        revision: active.revision,
        rules: active.policySet.rules.map((r) => ({
          id: r.id,
          description: r.description,
          severity: r.severity,
          scope: r.scope.kind === "domain" ? { domain: r.scope.domain } : ("global" as const),
          levels: r.levels,
          implementation: { ...r.implementation },
          source: `${r.origin.file}:${r.origin.line}:${r.origin.column}`,
        })),
        versions: await store.versions(),
      },
      200,
    );
  });
  app.openapi(applyPolicy, async (c) => {
    const principal = principalOf(c);
    const { source, file = "policy.yaml" } = c.req.valid("json");
    // Who may apply depends on what the file holds: authenticate first, then parse, then decide.
    if (!principal) authorize(principal, "policy.apply", { global: true, domains: [], ownedDomains: [] });
    const set = PolicyStore.check(source, file);
    const domains = [...new Set(set.rules.flatMap((r) => (r.scope.kind === "domain" ? [r.scope.domain] : [])))];
    const owned = principal?.teams.filter((t) => t.role === "owner").map((t) => t.team) ?? [];
    authorize(principal, "policy.apply", {
      global: set.rules.some((r) => r.scope.kind === "global"),
      domains,
      ownedDomains: await new TeamRepository(db).domainsOf(owned),
    });
    const result = await db.transaction(async (tx) => {
      const applied = await new PolicyStore(tx).apply(source, file, principal?.name);
      const evaluated = applied.created ? await new GovernanceService(tx).evaluateAll("policy") : 0;
      return { version: applied.version, created: applied.created, evaluated };
    });
    return c.json({ version: result.version, evaluated: result.evaluated }, result.created ? 201 : 200);
  });
  app.openapi(evaluations, async (c) => {
    const { id } = c.req.valid("param");
    const ref = await productRef(db, id);
    authorize(principalOf(c), "product.govern", ref ?? { id, ownerTeam: null });
    if (!ref) throw new NotFoundError(`no data product "${id}"`);
    return c.json({ items: await new GovernanceService(db).history(id, c.req.valid("query").limit) }, 200);
  });
  app.openapi(audit, async (c) => {
    const principal = principalOf(c);
    const query = c.req.valid("query");
    const ref = query.productId ? await productRef(db, query.productId) : undefined;
    const product = query.productId ? (ref ?? { id: query.productId, ownerTeam: null }) : undefined;
    if (!product && principal && decide(principal, "audit.read", { product: undefined }) !== true) {
      // An owner without a productId: the audit of every product their teams own.
      const productIds = await new ProductRepository(db).idsOwnedBy(principal.teams.map((t) => t.team));
      if (productIds.length === 0) authorize(principal, "audit.read", { product: undefined });
      return c.json({ items: await new AuditLog(db).list({ ...query, productIds }) }, 200);
    }
    authorize(principal, "audit.read", { product });
    return c.json({ items: await new AuditLog(db).list(query) }, 200);
  });
}
