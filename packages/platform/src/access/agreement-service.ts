import { randomBytes } from "node:crypto";
import type { z } from "@hono/zod-openapi";
import { ConflictError, type DataContract, InputError, NotFoundError } from "@quanta/core";
import { contractNoticeDays } from "@quanta/core/policy";
import { AuditLog } from "../audit/audit-log.js";
import { publishEvent } from "../events/publish-event.js";
import { GovernanceService } from "../governance/governance-service.js";
import { findPort, portContract } from "../harness/port-data.js";
import { type AgreementRef, authorize } from "../identity/authorize.js";
import type { Principal } from "../identity/principal.js";
import { productRef } from "../identity/publish-target.js";
import type { Database, Queryable } from "../storage/database.js";
import { sqlState, sqlStates } from "../storage/database.js";
import { ProductRepository } from "../storage/repositories/product-repository.js";
import {
  type Agreement,
  type AgreementAction,
  type AgreementState,
  agreementColumns,
  transitions,
} from "./agreement.js";
import type { MeshEdgeSchema } from "./mesh-edge-schema.js";
import { portAccess } from "./port-access.js";

export interface AccessRequestInput {
  productId: string;
  port: string;
  consumerTeam: string;
  purpose: string;
  /** Sensitive columns the consumer asks to read unmasked (the owner may grant fewer). */
  columns?: string[] | undefined;
}

/** Without a notice period in the contract, terminations and major versions give this many days. */
export const defaultNoticeDays = 30;

const newId = () => `agr_${randomBytes(9).toString("base64url")}`;

export type MeshEdge = z.infer<typeof MeshEdgeSchema>;

/**
 * Data usage agreements (ADR 0014): a consumer team requests a port with a purpose, the owner team
 * approves or rejects (or the port approves by itself), either side terminates with the contract's
 * notice period. Every step is authorized through the one policy table, written as an event and an
 * audit entry, and a refused step changes nothing.
 */
/**
 * The consumer team's products reading the agreement's port are judged again (ADR 0033): which
 * columns their pipelines read unmasked is what the lineage-aware rule sees, and a grant or an
 * end changes it.
 */
async function reevaluateReaders(q: Queryable, agreement: Agreement): Promise<void> {
  if (!agreement.contractId) return;
  const products = new ProductRepository(q);
  const owned = new Set(await products.idsOwnedBy([agreement.consumerTeam]));
  const governance = new GovernanceService(q);
  for (const id of await products.readersOfContract(agreement.contractId))
    if (owned.has(id)) await governance.evaluate(id, "agreement");
}

export class AgreementService {
  constructor(private readonly db: Database) {}

  private async ref(q: Queryable, id: string): Promise<{ agreement: Agreement; ref: AgreementRef }> {
    const { rows } = await q.query<Agreement>(`SELECT ${agreementColumns} FROM agreements WHERE id = $1`, [id]);
    const agreement = rows[0];
    if (!agreement) throw new NotFoundError(`no access request or agreement "${id}"`);
    const product = await productRef(q, agreement.productId);
    return {
      agreement,
      ref: {
        id,
        productId: agreement.productId,
        ownerTeam: product?.ownerTeam ?? null,
        consumerTeam: agreement.consumerTeam,
      },
    };
  }

  /** Moves what time has decided: ended notices → terminated, ended version pins → the new version. */
  async settle(q: Queryable = this.db): Promise<void> {
    const { rows } = await q.query<{ id: string; product_id: string; port: string; consumer_team: string }>(
      `UPDATE agreements SET state = 'terminated', updated_at = now()
       WHERE state = 'terminating' AND notice_ends_at <= now() RETURNING id, product_id, port, consumer_team`,
    );
    for (const r of rows) {
      await publishEvent(
        q,
        {
          type: "agreement.terminated",
          subject: r.id,
          payload: {
            productId: r.product_id,
            port: r.port,
            consumerTeam: r.consumer_team,
            reason: "notice period ended",
          },
        },
        { owners: [r.product_id], teams: [r.consumer_team] },
      );
    }
    await q.query(
      `UPDATE agreements SET contract_version = pending_version, pending_version = NULL, pending_until = NULL,
         updated_at = now() WHERE pending_until <= now()`,
    );
  }

  async get(id: string, principal: Principal | undefined): Promise<Agreement> {
    const { agreement, ref } = await this.ref(this.db, id);
    authorize(principal, "access.read", ref);
    return agreement;
  }

  /**
   * Agreements visible to the caller: governance and admins see all; others those where one of
   * their teams is the consumer or the owner.
   */
  async list(
    filter: { productId?: string | undefined; consumerTeam?: string | undefined; state?: string | undefined },
    principal: Principal | undefined,
  ): Promise<Agreement[]> {
    if (!principal) authorize(principal, "access.read", { id: "", productId: "", ownerTeam: null, consumerTeam: "" });
    const everything = principal?.roles.some((r) => r === "admin" || r === "governance") ?? false;
    const teams = principal?.teams.map((t) => t.team) ?? [];
    const { rows } = await this.db.query<Agreement>(
      `SELECT * FROM (SELECT ${agreementColumns}, (SELECT team_id FROM data_products p WHERE p.id = a.product_id) AS owner
         FROM agreements a) x
       WHERE ($1::text IS NULL OR "productId" = $1) AND ($2::text IS NULL OR "consumerTeam" = $2)
         AND ($3::text IS NULL OR state = $3)
         AND ($4 OR "consumerTeam" = ANY($5::text[]) OR owner = ANY($5::text[]))
       ORDER BY "requestedAt" DESC, id LIMIT 500`,
      [filter.productId ?? null, filter.consumerTeam ?? null, filter.state ?? null, everything, teams],
    );
    return rows.map(({ owner: _o, ...a }: Agreement & { owner?: unknown }) => a);
  }

  /**
   * A consumer team asks for a port. A replay (an open request or agreement for the same team and
   * port) is a 409 naming the existing id; a port with `accessApproval: auto` is approved at once.
   */
  async request(input: AccessRequestInput, principal: Principal | undefined): Promise<Agreement> {
    const product = await productRef(this.db, input.productId);
    if (!product) {
      authorize(principal, "access.request", {
        product: { id: input.productId, ownerTeam: null },
        consumerTeam: input.consumerTeam,
      });
      throw new NotFoundError(`no data product "${input.productId}"`);
    }
    authorize(principal, "access.request", { product, consumerTeam: input.consumerTeam });
    const actor = principal?.name ?? "anonymous";
    if (!(await this.teamExists(input.consumerTeam))) throw new NotFoundError(`no team "${input.consumerTeam}"`);
    if (product.ownerTeam === input.consumerTeam) {
      throw new InputError(
        `team ${input.consumerTeam} owns ${input.productId}; owners read their own products without an agreement`,
      );
    }
    const port = await findPort(this.db, input.productId, input.port, ["output"]);
    const pc = await portContract(this.db, input.productId, port);
    const document = (await new ProductRepository(this.db).get(input.productId))?.document;
    const access = portAccess(document, port.name, pc.contract);
    const sensitive = new Set(access.datasets.flatMap((d) => d.sensitive.map((c) => c.toLowerCase())));
    const unknown = (input.columns ?? []).filter((c) => !sensitive.has(c.toLowerCase()));
    if (unknown.length > 0) {
      throw new InputError(
        `columns ${unknown.join(", ")} are not sensitive columns of port ${port.name} (those are: ${[...sensitive].join(", ") || "none"}); only masked columns are granted`,
      );
    }
    const noticeDays = contractNoticeDays(pc.contract as unknown as DataContract) ?? defaultNoticeDays;
    const id = newId();
    try {
      return await this.db.transaction(async (tx) => {
        await this.settle(tx);
        const auto = access.autoApprove && (input.columns ?? []).length === 0;
        await tx.query(
          `INSERT INTO agreements (id, product_id, port, consumer_team, purpose, state, granted_columns, contract_id,
             contract_version, notice_days, requested_by, decided_by, decided_at, decision_reason)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
          [
            id,
            input.productId,
            port.name,
            input.consumerTeam,
            input.purpose,
            auto ? "active" : "requested",
            JSON.stringify(input.columns ?? []),
            pc.contractId,
            pc.contractVersion,
            noticeDays,
            actor,
            auto ? "policy:accessApproval=auto" : null,
            auto ? new Date().toISOString() : null,
            auto ? "the port approves access requests by itself (accessApproval: auto)" : null,
          ],
        );
        const agreement = (await this.ref(tx, id)).agreement;
        await this.record(tx, agreement, "agreement.requested", actor, { purpose: input.purpose });
        await new AuditLog(tx).append({
          actor,
          action: "access.request",
          productId: input.productId,
          port: port.name,
          agreementId: id,
          decision: "recorded",
          purpose: input.purpose,
          details: { consumerTeam: input.consumerTeam, columns: input.columns ?? [] },
        });
        if (auto) {
          await this.record(tx, agreement, "agreement.approved", "policy", { auto: true });
          await reevaluateReaders(tx, agreement);
          await new AuditLog(tx).append({
            actor: "policy",
            action: "access.approve",
            productId: input.productId,
            port: port.name,
            agreementId: id,
            decision: "allowed",
            reason: "accessApproval: auto",
            purpose: input.purpose,
          });
        }
        return agreement;
      });
    } catch (e) {
      if (sqlState(e) === sqlStates.uniqueViolation) {
        const { rows } = await this.db.query<{ id: string; state: AgreementState }>(
          `SELECT id, state FROM agreements WHERE product_id = $1 AND port = $2 AND consumer_team = $3
             AND state IN ('requested', 'active', 'terminating')`,
          [input.productId, port.name, input.consumerTeam],
        );
        const existing = rows[0];
        throw new ConflictError(
          `team ${input.consumerTeam} already has an open ${existing?.state === "requested" ? "request" : "agreement"} for ${input.productId} port ${port.name}: ${existing?.id ?? "(unknown)"}`,
          { details: { existingId: existing?.id ?? null, state: existing?.state ?? null } },
        );
      }
      throw e;
    }
  }

  /** Approve, reject, terminate or accept the pending contract version: one transition table, one path. */
  async act(
    id: string,
    action: AgreementAction,
    principal: Principal | undefined,
    options: { reason?: string | undefined; columns?: string[] | undefined } = {},
  ): Promise<Agreement> {
    await this.settle();
    const { agreement, ref } = await this.ref(this.db, id);
    const permission = {
      approve: "access.decide",
      reject: "access.decide",
      terminate: "access.terminate",
      "accept-version": "access.accept-version",
    } as const;
    const actor = principal?.name ?? "anonymous";
    try {
      authorize(principal, permission[action], ref);
    } catch (e) {
      await new AuditLog(this.db).append({
        actor,
        action: `access.${action}`,
        productId: agreement.productId,
        port: agreement.port,
        agreementId: id,
        decision: "denied",
        reason: (e as Error).message,
      });
      throw e;
    }
    const to = transitions[action][agreement.state];
    if (!to) {
      const allowed = (Object.keys(transitions) as AgreementAction[]).filter((a) => transitions[a][agreement.state]);
      throw new ConflictError(`cannot ${action} an agreement that is ${agreement.state}`, {
        details: { state: agreement.state, allowed },
      });
    }
    if (action === "accept-version" && !agreement.pendingVersion) {
      throw new ConflictError(
        `agreement ${id} has no new contract version to accept (it reads ${agreement.contractVersion})`,
      );
    }
    const granted = action === "approve" ? (options.columns ?? agreement.grantedColumns) : agreement.grantedColumns;
    if (action === "approve") {
      const wanted = new Set(agreement.grantedColumns.map((c) => c.toLowerCase()));
      const extra = granted.filter((c) => !wanted.has(c.toLowerCase()));
      if (extra.length > 0)
        throw new InputError(
          `columns ${extra.join(", ")} were not requested; grant a subset of ${agreement.grantedColumns.join(", ") || "none"}`,
        );
    }
    return this.db.transaction(async (tx) => {
      const sets: Record<AgreementAction, string> = {
        approve: "state = 'active', decided_by = $2, decided_at = now(), decision_reason = $3, granted_columns = $4",
        reject: "state = 'rejected', decided_by = $2, decided_at = now(), decision_reason = $3",
        terminate:
          to === "terminated"
            ? "state = 'terminated', terminated_by = $2, decision_reason = COALESCE($3, decision_reason), notice_ends_at = now()"
            : "state = 'terminating', terminated_by = $2, decision_reason = COALESCE($3, decision_reason), notice_ends_at = now() + make_interval(days => notice_days)",
        "accept-version": "contract_version = pending_version, pending_version = NULL, pending_until = NULL",
      };
      const params: unknown[] =
        action === "accept-version"
          ? [id]
          : action === "approve"
            ? [id, actor, options.reason ?? null, JSON.stringify(granted)]
            : [id, actor, options.reason ?? null];
      // Fenced on the state read: two deciders racing cannot both win.
      const { rowCount } = await tx.query(
        `UPDATE agreements SET ${sets[action]}, updated_at = now() WHERE id = $1 AND state = '${agreement.state === "terminated" ? "terminating" : agreement.state}'`,
        params,
      );
      if (rowCount !== 1) throw new ConflictError(`agreement ${id} changed meanwhile; read it again`);
      const after = (await this.ref(tx, id)).agreement;
      const type = {
        approve: "agreement.approved",
        reject: "agreement.rejected",
        terminate: after.state === "terminated" ? "agreement.terminated" : "agreement.terminating",
        "accept-version": "agreement.version-accepted",
      }[action];
      await this.record(tx, after, type, actor, {
        reason: options.reason ?? null,
        ...(action === "terminate" ? { noticeEndsAt: after.noticeEndsAt } : {}),
        ...(action === "accept-version" ? { contractVersion: after.contractVersion } : {}),
      });
      await new AuditLog(tx).append({
        actor,
        action: `access.${action}`,
        productId: after.productId,
        port: after.port,
        agreementId: id,
        decision: action === "reject" ? "denied" : "allowed",
        reason: options.reason ?? null,
        purpose: after.purpose,
        details: { from: agreement.state, to: after.state, grantedColumns: after.grantedColumns },
      });
      if (action === "approve" || action === "terminate") await reevaluateReaders(tx, after);
      return after;
    });
  }

  /**
   * The edges of the mesh: every active (or terminating) agreement, with the consumer team's
   * products, and every input port of a product reading another product's output port through
   * that port's contract. Sorted by product, port, kind and reader.
   */
  async mesh(): Promise<MeshEdge[]> {
    await this.settle();
    const [agreements, inputs] = await Promise.all([
      this.db.query<Omit<MeshEdge, "kind">>(
        `SELECT a.id AS "agreementId", a.product_id AS "productId", a.port, a.consumer_team AS "consumerTeam",
           a.purpose, a.decided_at AS since,
           COALESCE((SELECT json_agg(p.id ORDER BY p.id) FROM data_products p WHERE p.team_id = a.consumer_team), '[]')
             AS "consumerProducts"
         FROM agreements a WHERE a.state IN ('active', 'terminating')`,
      ),
      this.db.query<{ productId: string; port: string; reader: string; inputPort: string; team: string | null }>(
        `SELECT o.product_id AS "productId", o.name AS port, i.product_id AS reader, i.name AS "inputPort",
           r.team_id AS team
         FROM ports i
         JOIN ports o ON o.direction = 'output' AND o.contract_id = i.contract_id AND o.product_id <> i.product_id
         JOIN data_products r ON r.id = i.product_id
         WHERE i.direction = 'input'`,
      ),
    ]);
    const edges: MeshEdge[] = [
      ...agreements.rows.map((e) => ({ kind: "agreement" as const, ...e })),
      ...inputs.rows.map((e) => ({
        kind: "input-port" as const,
        agreementId: "",
        productId: e.productId,
        port: e.port,
        consumerTeam: e.team ?? "",
        consumerProducts: [e.reader],
        inputPort: e.inputPort,
        purpose: `input port ${e.inputPort} of ${e.reader}`,
        since: null,
      })),
    ];
    const key = (e: MeshEdge) => [e.productId, e.port, e.kind, e.consumerTeam, e.consumerProducts[0] ?? ""];
    return edges.sort((x, y) => {
      const a = key(x);
      const b = key(y);
      const at = a.findIndex((v, i) => v !== b[i]);
      return at < 0 ? 0 : (a[at] as string) < (b[at] as string) ? -1 : 1;
    });
  }

  private async teamExists(id: string): Promise<boolean> {
    const { rows } = await this.db.query("SELECT 1 FROM teams WHERE id = $1", [id]);
    return rows.length > 0;
  }

  /** An agreement's change, to both its teams: the product's owners and the consumer. */
  private record(q: Queryable, a: Agreement, type: string, actor: string, extra: Record<string, unknown>) {
    return publishEvent(
      q,
      {
        type,
        subject: a.id,
        actor,
        payload: {
          productId: a.productId,
          port: a.port,
          consumerTeam: a.consumerTeam,
          state: a.state,
          ...extra,
          agreement: a,
        },
      },
      { owners: [a.productId], teams: [a.consumerTeam] },
    );
  }
}
