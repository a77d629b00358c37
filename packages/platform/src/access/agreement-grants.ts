import { createHash } from "node:crypto";
import { ConflictError, NotAllowedError, NotFoundError } from "@quanta/core";
import type { EngineManifest, ShareServer, StoreGrants } from "@quanta/core/engines";
import { AuditLog } from "../audit/audit-log.js";
import type { DataLocator } from "../harness/data-locator.js";
import { portContract, portOf } from "../harness/port-data.js";
import { portSource, resolveWrittenServer } from "../harness/port-source.js";
import { authorize } from "../identity/authorize.js";
import { type Principal, teamRole } from "../identity/principal.js";
import { ProductRepository } from "../registry/product-repository.js";
import type { Database, Queryable } from "../storage/database.js";
import { type Agreement, agreementColumns } from "./agreement.js";
import type { AgreementConnection } from "./agreement-connection-schema.js";
import { portAccess } from "./port-access.js";
import { protectDatasets } from "./read-access.js";

/** The schema every agreement's views live in, on each server that holds grants. */
export const shareSchema = "quanta_shares";

type GrantState = "none" | "granted" | "failed" | "revoked";

interface GrantRow {
  state: GrantState;
  engine: string | null;
  server: string | null;
  role: string | null;
  views: { dataset: string; view: string }[];
  contractVersion: string | null;
  fingerprint: string | null;
  error: string | null;
  loginIssuedAt: string | null;
  /** Where the grant was made: the server as the contract wrote it, and its environment. */
  target: { server: Record<string, unknown>; environment: string | undefined } | null;
}

const grantColumns = `state, engine, server, role, views, contract_version AS "contractVersion", fingerprint, error,
  login_issued_at AS "loginIssuedAt", target`;

/**
 * The agreement's role: one per agreement, so ending it ends exactly that access. Readable (the
 * id lower-cased) and unique (a hash of the id as it is: ids that differ only in case differ here).
 */
export function shareRole(agreementId: string): string {
  const readable = agreementId
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, 40);
  return `quanta_${readable}_${createHash("sha256").update(agreementId).digest("hex").slice(0, 10)}`;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Keeps the grants in the stores in line with the agreements (ADR 0027). An agreement that is
 * active (or terminating, within its notice) on a port served by a database that holds grants has
 * a role and one masking view per dataset there; one that ended has none. `sync` runs right after
 * each decision, `reconcile` on the scheduler's tick, so a store that was unreachable, an expired
 * notice or a republished product is brought in line later. Neither throws: a failure is kept on
 * the grant (`failed`, its reason redacted) and retried.
 */
export class AgreementGrants {
  /** One sync per agreement at a time in this process (a decision and the tick may meet). */
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Database,
    private readonly locator: DataLocator,
    private readonly log: (line: string) => void = () => {},
  ) {}

  sync(agreementId: string): Promise<void> {
    const before = this.running.get(agreementId) ?? Promise.resolve();
    const next = before
      .then(() => this.syncNow(agreementId))
      .catch((e: unknown) => {
        this.log(`grants of agreement ${agreementId}: ${message(e)}`);
      });
    this.running.set(agreementId, next);
    void next.finally(() => {
      if (this.running.get(agreementId) === next) this.running.delete(agreementId);
    });
    return next;
  }

  /** Syncs every agreement whose grant is not in line with it; answers how many it looked at. */
  async reconcile(): Promise<number> {
    const { rows } = await this.db.query<{ id: string }>(
      `SELECT a.id FROM (SELECT ${agreementColumns} FROM agreements) a
         LEFT JOIN agreement_grants g ON g.agreement_id = a.id
       WHERE (a.state IN ('active', 'terminating')
              -- granted too: the port may have moved (new data on Quanta's storage, another server)
              AND (g.agreement_id IS NULL OR g.state IN ('failed', 'revoked', 'granted')
                   OR g.contract_version IS DISTINCT FROM a."contractVersion"))
          OR (a.state NOT IN ('active', 'terminating') AND g.state IN ('granted', 'failed'))
       ORDER BY a.id LIMIT 200`,
    );
    for (const { id } of rows) await this.sync(id);
    return rows.length;
  }

  /**
   * Where and as whom the agreement's consumer team reads its data straight from the store. Only
   * that team's members; the password only the first time (or with `newPassword`), never again.
   */
  async connection(
    agreementId: string,
    principal: Principal | undefined,
    options: { newPassword?: boolean; withoutLogin?: boolean } = {},
  ): Promise<AgreementConnection> {
    const agreement = await this.agreement(this.db, agreementId);
    if (!principal) authorize(principal, "me.read", undefined); // 401 for anonymous callers
    if (!agreement || !teamRole(principal, agreement.consumerTeam)) {
      if (!agreement) throw new NotFoundError(`no agreement "${agreementId}"`);
      throw new NotAllowedError(
        `only members of the consumer team ${agreement.consumerTeam} may fetch the agreement's connection`,
      );
    }
    if (agreement.state !== "active" && agreement.state !== "terminating") {
      throw new ConflictError(`the agreement is ${agreement.state}: it grants no access`, {
        code: "agreement-not-active",
        details: { state: agreement.state },
      });
    }
    await this.sync(agreementId);
    const grant = await this.grant(this.db, agreementId);
    if (grant?.state === "none") {
      throw new ConflictError(
        `the data of ${agreement.productId} port ${agreement.port} is not in a database that holds grants; read it through consume (POST /api/products/${agreement.productId}/consume)`,
        { code: "no-store-grants" },
      );
    }
    if (grant?.state !== "granted" || !grant.role) {
      throw new ConflictError(
        `the grant in the store is not ready${grant?.error ? `: ${grant.error}` : ""}; the platform retries`,
        { code: "grant-pending" },
      );
    }
    const { engine, share, source } = await this.share(agreement);
    if (options.withoutLogin) {
      // Where to connect, for code that shows it (snippets): never a password, nor the claim of one.
      const where = (await (engine.loadGrants as () => Promise<StoreGrants>)()).endpoint(share);
      return {
        agreementId,
        engine: engine.name,
        host: where.host,
        port: where.port,
        database: where.database,
        role: grant.role,
        passwordIssuedAt: grant.loginIssuedAt,
        views: grant.views,
      };
    }
    // Claimed in the store first, so two first fetches cannot both be shown a password.
    const claim = await this.db.query<{ loginIssuedAt: string }>(
      `UPDATE agreement_grants SET login_issued_at = now(), updated_at = now()
       WHERE agreement_id = $1 AND ($2 OR login_issued_at IS NULL) RETURNING login_issued_at AS "loginIssuedAt"`,
      [agreementId, options.newPassword === true],
    );
    const grants = await (engine.loadGrants as () => Promise<StoreGrants>)();
    const issued = claim.rows[0];
    let login: Awaited<ReturnType<StoreGrants["issueLogin"]>> | undefined;
    if (issued) {
      try {
        login = await grants.issueLogin({ ...share, role: grant.role });
      } catch (e) {
        await this.db.query("UPDATE agreement_grants SET login_issued_at = $2 WHERE agreement_id = $1", [
          agreementId,
          grant.loginIssuedAt,
        ]);
        throw new ConflictError(`the store refused a login for the agreement: ${source.redact(message(e))}`, {
          code: "grant-pending",
        });
      }
    }
    await new AuditLog(this.db).append({
      actor: principal?.name ?? "anonymous",
      action: issued ? "connection-issued" : "connection-read",
      productId: agreement.productId,
      port: agreement.port,
      agreementId,
      decision: "allowed",
      details: { role: grant.role, server: source.serverName },
    });
    const where = grants.endpoint(share);
    return {
      agreementId,
      engine: engine.name,
      host: where.host,
      port: where.port,
      database: where.database,
      role: grant.role,
      ...(login ? { password: login.password } : {}),
      passwordIssuedAt: issued?.loginIssuedAt ?? grant.loginIssuedAt,
      views: grant.views,
    };
  }

  private async syncNow(agreementId: string): Promise<void> {
    const agreement = await this.agreement(this.db, agreementId);
    if (!agreement) return;
    const grant = await this.grant(this.db, agreementId);
    const wanted = agreement.state === "active" || agreement.state === "terminating";
    if (!wanted) {
      if (grant && (grant.state === "granted" || grant.state === "failed") && grant.role)
        await this.revoke(agreement, grant);
      return;
    }
    let planned: Awaited<ReturnType<AgreementGrants["share"]>>;
    try {
      planned = await this.share(agreement);
    } catch (e) {
      await this.record(agreementId, {
        state: "failed",
        error: message(e),
        contractVersion: agreement.contractVersion,
      });
      return;
    }
    const { engine, share, source, fingerprint } = planned;
    const target = source.written;
    const moved = grant?.role && grant.target && JSON.stringify(grant.target) !== JSON.stringify(target);
    // The port now lives elsewhere: the grant made where it was is taken back there first.
    if (moved && (grant.state === "granted" || grant.state === "failed")) {
      if (!(await this.revoke(agreement, grant))) return;
    }
    if (!engine.loadGrants) {
      await this.record(agreementId, {
        state: "none",
        engine: engine.name,
        contractVersion: agreement.contractVersion,
      });
      return;
    }
    if (grant?.state === "granted" && grant.fingerprint === fingerprint && !moved) return;
    const role = shareRole(agreementId);
    try {
      const grants = await engine.loadGrants();
      const made = await grants.provision({ ...share, role, schema: shareSchema, datasets: planned.datasets });
      const row: GrantRow = {
        state: "granted",
        engine: engine.name,
        server: source.serverId,
        role: made.role,
        views: made.views,
        contractVersion: agreement.contractVersion,
        fingerprint,
        error: null,
        loginIssuedAt: grant?.loginIssuedAt ?? null,
        target,
      };
      await this.record(agreementId, row);
      // Ended meanwhile (another replica took the decision while this one provisioned): back again.
      const now = await this.agreement(this.db, agreementId);
      if (now && now.state !== "active" && now.state !== "terminating") await this.revoke(now, row);
    } catch (e) {
      const why = source.redact(message(e));
      // Said once per reason: the tick retries a refused grant every 30 s.
      if (grant?.error !== why) this.log(`agreement ${agreementId}: the store refused its grant: ${why}`);
      await this.record(agreementId, {
        state: "failed",
        engine: engine.name,
        server: source.serverId,
        role,
        contractVersion: agreement.contractVersion,
        error: why,
        target,
      });
    }
  }

  /**
   * Takes a grant back where it was made (its stored target; the port's server of today for grants
   * made before targets were kept); true when it is gone.
   */
  private async revoke(agreement: Agreement, grant: GrantRow): Promise<boolean> {
    let redact = (text: string) => text;
    try {
      const where = grant.target
        ? await resolveWrittenServer(grant.target, this.locator)
        : await this.share(agreement).then((p) => ({ ...p.share, engine: p.engine, redact: p.source.redact }));
      redact = where.redact;
      const load = where.engine?.loadGrants;
      if (!load)
        throw new Error(
          `no installed engine takes back grants on ${String(grant.target?.server.type ?? "its server")}`,
        );
      const grants = await load();
      await grants.revoke({
        server: where.server,
        env: where.env,
        role: grant.role as string,
        views: grant.views.map((v) => v.view),
      });
    } catch (e) {
      const why = redact(message(e));
      if (grant.error !== why) this.log(`agreement ${agreement.id}: its grant could not be taken back: ${why}`);
      await this.record(agreement.id, { ...grant, state: "failed", error: why });
      return false;
    }
    await this.record(agreement.id, { ...grant, state: "revoked", error: null });
    return true;
  }

  /** The agreement's datasets as its consumer reads them, on the server the port is served from. */
  private async share(agreement: Agreement) {
    const product = await new ProductRepository(this.db).get(agreement.productId);
    if (!product) throw new NotFoundError(`no data product "${agreement.productId}"`);
    const port = portOf(product, agreement.port, ["output"]);
    const pc = await portContract(this.db, agreement.productId, port, agreement.contractVersion ?? undefined);
    const source = await portSource(this.db, pc, this.locator);
    const datasets = protectDatasets(
      source.datasets,
      portAccess(product.document, port.name, pc.contract),
      agreement.grantedColumns,
    );
    const share: ShareServer = { server: source.server, env: source.env };
    const fingerprint = createHash("sha256")
      .update(JSON.stringify([source.serverId, source.server.host, source.server.database, datasets]))
      .digest("hex");
    return { engine: source.engine as EngineManifest, share, source, datasets, fingerprint };
  }

  private async record(agreementId: string, g: Partial<GrantRow> & { state: GrantState }): Promise<void> {
    await this.db.query(
      `INSERT INTO agreement_grants (agreement_id, state, engine, server, role, views, contract_version, fingerprint, error, target)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (agreement_id) DO UPDATE SET state = $2, engine = $3, server = $4, role = $5, views = $6,
         contract_version = $7, fingerprint = $8, error = $9, target = $10, updated_at = now()`,
      [
        agreementId,
        g.state,
        g.engine ?? null,
        g.server ?? null,
        g.role ?? null,
        JSON.stringify(g.views ?? []),
        g.contractVersion ?? null,
        g.fingerprint ?? null,
        g.error ?? null,
        g.target ? JSON.stringify(g.target) : null,
      ],
    );
  }

  private async agreement(q: Queryable, id: string): Promise<Agreement | undefined> {
    const { rows } = await q.query<Agreement>(`SELECT ${agreementColumns} FROM agreements WHERE id = $1`, [id]);
    return rows[0];
  }

  private async grant(q: Queryable, id: string): Promise<GrantRow | undefined> {
    const { rows } = await q.query<GrantRow>(`SELECT ${grantColumns} FROM agreement_grants WHERE agreement_id = $1`, [
      id,
    ]);
    return rows[0];
  }
}
