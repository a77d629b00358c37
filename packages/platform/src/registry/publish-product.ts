import type { z } from "@hono/zod-openapi";
import { ConflictError, type Issue, sortIssues } from "@quanta/core";
import { lintProductSources, referencedContractIds } from "@quanta/core/lint";
import type { PolicySubject } from "@quanta/core/policy";
import { noticeBreakingChanges } from "../access/breaking-change-notice.js";
import { AuditLog } from "../audit/audit-log.js";
import { publishEvent } from "../events/publish-event.js";
import type { Principal } from "../identity/principal.js";
import { authorizePublish } from "../identity/publish-target.js";
import { type MemberInput, TeamRepository } from "../identity/team-repository.js";
import { planDownstreamNotices, sendDownstreamNotices } from "../lineage/downstream-notice.js";
import { recordPublishedLineage } from "../lineage/lineage-service.js";
import { checkFolderPipeline } from "../pipelines/pipeline-declaration.js";
import { RefusedError } from "../refused-error.js";
import { type Database, type Queryable, sqlState, sqlStates } from "../storage/database.js";
import { unannouncedChanges } from "./breaking-changes.js";
import { compareVersions } from "./compare-versions.js";
import { ContractRepository } from "./contract-repository.js";
import { forgetProduct } from "./product-cache.js";
import { type PortRecord, type ProductRecord, ProductRepository, type ProductSummary } from "./product-repository.js";
import { type ProductFile, type PublishFolder, readPublishFolder } from "./publish-folder.js";
import type { PublishResultSchema } from "./publish-schema.js";
import { arr, obj, str } from "./read.js";
import { searchText, summaryOf } from "./search-text.js";

export type { ProductFile } from "./publish-folder.js";

export interface PublishInput {
  files: readonly ProductFile[];
  publishedBy?: string | undefined;
  /**
   * The current version the publisher built on (optimistic concurrency, like HTTP If-Match):
   * `null` = the product must be new. Omitted: publish on top of whatever is current.
   */
  expectedVersion?: string | null | undefined;
  /**
   * Who publishes, when a person or service asks (every API publish): their rights are decided
   * from the owner team the registry holds and their own memberships, never from the files
   * (ADR 0020). Undefined only for the platform's own publishes (the demo mesh, tests).
   */
  principal?: Principal | undefined;
}

/**
 * What publish asks of governance (ADR 0014), handed in by the registry so that publishing does
 * not depend on the governance service.
 */
export interface PublishGovernance {
  /** What the policies judge of a folder: its documents and the published version it follows. */
  subject(q: Queryable, folder: PublishFolder): Promise<PolicySubject>;
  /** Before anything is stored: throws when a blocking rule fails; the other findings are warnings. */
  gate(q: Queryable, subject: PolicySubject): Promise<Issue[]>;
  /** In the publish's transaction: stores the evaluation of the version just published. */
  record(tx: Queryable, productId: string, published: { subject: PolicySubject; version: string }): Promise<void>;
}

export type PublishResult = z.infer<typeof PublishResultSchema>;

function ports(product: unknown): PortRecord[] {
  const p = obj(product) ?? {};
  const table = { input: "inputPorts", output: "outputPorts", management: "managementPorts" } as const;
  return (Object.keys(table) as PortRecord["direction"][]).flatMap((direction) =>
    arr(p[table[direction]]).flatMap((x) => {
      const port = obj(x);
      const name = str(port?.name);
      if (!name) return [];
      return [
        {
          direction,
          name,
          type: str(port?.type) ?? str(port?.content) ?? null,
          version: str(port?.version) ?? null,
          contractId: str(port?.contractId) ?? null,
          description: str(port?.description) ?? null,
        },
      ];
    }),
  );
}

function members(team: Record<string, unknown> | undefined): MemberInput[] {
  return arr(team?.members).flatMap((x) => {
    const m = obj(x);
    const username = str(m?.username);
    if (!username) return [];
    return [
      {
        username,
        name: str(m?.name),
        role: str(m?.role) ?? "member",
        dateIn: str(m?.dateIn),
        dateOut: str(m?.dateOut),
      },
    ];
  });
}

/**
 * Everything a publish checks before writing: immutability of versions, ownership, and that each
 * change since the published version is announced by its version (breaking ones refuse).
 */
async function precheck(q: Queryable, parsed: PublishFolder, input: PublishInput, authorizedRevision?: number | null) {
  const products = new ProductRepository(q);
  const contracts = new ContractRepository(q);
  const current = await products.current(parsed.id);
  // The rights were decided on the revision authorization read; another publish since then (a
  // hand-over to another team, say) must not ride on them.
  if (authorizedRevision !== undefined && (current?.revision ?? null) !== authorizedRevision) throw raced(parsed.id);
  const changes: Issue[] = [];
  if (input.expectedVersion !== undefined && (current?.version ?? null) !== input.expectedVersion) {
    throw new ConflictError(
      current
        ? `${parsed.id} is at version ${current.version}, not ${input.expectedVersion ?? "new"} as this publish expected`
        : `${parsed.id} is not published yet, but this publish expected version ${input.expectedVersion}`,
    );
  }
  if (current) {
    const stored = await products.versionFiles(parsed.id, parsed.version);
    if (stored !== undefined) {
      if (JSON.stringify(stored) === JSON.stringify(parsed.files)) return { current, unchanged: true, changes };
      throw new ConflictError(
        `version ${parsed.version} of ${parsed.id} is already published with different content; published versions are immutable, bump the version`,
      );
    }
    if ((compareVersions(parsed.version, current.version) ?? 1) < 0) {
      throw new ConflictError(
        `version ${parsed.version} of ${parsed.id} is lower than the published version ${current.version}`,
      );
    }
  }
  for (const c of parsed.contracts) {
    const owner = await contracts.owner(c.id);
    if (owner !== undefined && owner !== parsed.id) {
      throw new ConflictError(
        `contract ${c.id} belongs to data product ${owner}; contract ids are unique across the mesh`,
      );
    }
    const hash = await contracts.versionHash(c.id, c.version);
    if (hash !== undefined && hash !== c.sha256) {
      throw new ConflictError(
        `contract ${c.id} version ${c.version} is already published with different content; published versions are immutable, bump the contract version`,
      );
    }
    const latest = hash === undefined && owner !== undefined ? await contracts.current(c.id) : undefined;
    if (latest) changes.push(...unannouncedChanges("odcs", latest.document, c.source));
  }
  const breaking = changes.filter((i) => i.severity === "error");
  if (breaking.length > 0) {
    const heads = breaking.filter((i) => i.code === "version-bump-missing").map((i) => i.message);
    throw new RefusedError(heads.join("; "), sortIssues(changes));
  }
  return { current, unchanged: false, changes };
}

/** At most this many other contracts are looked up for one publish; the rest count as external. */
const maxReferencedContracts = 200;

/**
 * The registry's current documents of the other contracts the submitted contracts' relationships
 * point into (RFC 0009a `<file>#<path>`), so that lint checks those references, not only names them.
 */
async function registryContracts(db: Queryable, parsed: PublishFolder): Promise<Map<string, unknown>> {
  const own = new Set(parsed.contracts.map((c) => c.id));
  const ids = new Set(parsed.contracts.flatMap((c) => referencedContractIds(c.source.value)));
  const wanted = [...ids].filter((id) => !own.has(id)).slice(0, maxReferencedContracts);
  return new ContractRepository(db).currentDocuments(wanted);
}

/**
 * Lints a product folder and stores it as a new version in one transaction. Publishes of the same
 * product race on the product's revision: the first to commit wins, the others get a ConflictError
 * and leave nothing behind.
 */
export async function publishProduct(
  db: Database,
  input: PublishInput,
  governance: PublishGovernance,
): Promise<PublishResult> {
  const parsed = readPublishFolder(input.files);
  const authorizedRevision = input.principal ? await authorize(db, parsed, input.principal) : undefined;
  const same = await alreadyPublished(db, parsed, input);
  if (same) return same;
  const issues = lintProductSources(
    [parsed.product.source, ...parsed.contracts.map((c) => c.source)],
    ".",
    undefined,
    await registryContracts(db, parsed),
  );
  // The pipeline (ADR 0029): its shape, its ports, its steps' order, no cycle through the mesh.
  issues.push(...(await checkFolderPipeline(db, parsed)));
  const errors = issues.filter((i) => i.severity === "error");
  if (errors.length > 0) {
    throw new RefusedError(
      `the data product has ${errors.length} error${errors.length === 1 ? "" : "s"}; fix them and publish again`,
      issues,
    );
  }
  const warnings = issues.filter((i) => i.severity !== "error");
  const { current, unchanged, changes } = await precheck(db, parsed, input, authorizedRevision);
  warnings.push(...changes);
  if (unchanged) {
    const product = await new ProductRepository(db).get(parsed.id);
    const contracts = parsed.contracts.map((c) => ({ id: c.id, version: c.version, created: false }));
    if (product) return { product: toSummary(product), created: false, contracts, warnings };
  }
  // Governance before anything is stored: blocking policy rules refuse the publish (ADR 0014).
  const subject = await governance.subject(db, parsed);
  warnings.push(...(await governance.gate(db, subject)));

  const p = parsed.product.document;
  const team = obj(p.team);
  const domainId = str(p.domain) ?? null;
  const teamName = str(team?.name);
  const record: ProductRecord = {
    id: parsed.id,
    name: str(p.name) ?? parsed.id,
    version: parsed.version,
    status: str(p.status) ?? "draft",
    domainId,
    teamId: parsed.declaredTeam,
    summary: summaryOf(p),
    tags: arr(p.tags).flatMap((t) => str(t) ?? []),
    search: searchText(
      p,
      parsed.contracts.map((c) => c.source.value),
    ),
  };

  try {
    return await db.transaction(async (tx) => {
      const products = new ProductRepository(tx);
      const contracts = new ContractRepository(tx);
      const teams = new TeamRepository(tx);
      const actor = input.publishedBy;
      // What a new major version breaks downstream, while the old one is still current.
      const downstream = await planDownstreamNotices(
        tx,
        parsed.id,
        record.teamId,
        parsed.contracts.map((c) => ({ id: c.id, version: c.version, document: c.source.value })),
        ports(p)
          .filter((x) => x.direction === "output")
          .map((x) => x.name),
      );
      if (domainId) await teams.ensureDomain(domainId);
      if (record.teamId && teamName) {
        await teams.ensureTeam({
          id: record.teamId,
          name: teamName,
          domainId,
          description: str(team?.description) ?? null,
        });
      }
      if (current) {
        if (!(await products.update(record, current.revision))) throw raced(parsed.id);
      } else {
        await products.insert(record);
      }
      await products.insertVersion({
        productId: parsed.id,
        version: parsed.version,
        document: p,
        files: parsed.files,
        publishedBy: actor,
      });
      await products.replacePorts(parsed.id, ports(p));
      const stored: PublishResult["contracts"] = [];
      for (const c of parsed.contracts) {
        const owner = await contracts.owner(c.id);
        if (owner !== undefined && owner !== parsed.id)
          throw new ConflictError(`contract ${c.id} belongs to data product ${owner}`);
        const doc = obj(c.source.value);
        const { created } = await contracts.publish({
          contractId: c.id,
          version: c.version,
          productId: parsed.id,
          productVersion: parsed.version,
          name: str(doc?.name) ?? null,
          status: str(doc?.status) ?? null,
          file: c.file.path,
          source: c.file.text,
          sha256: c.sha256,
          document: c.source.value,
        });
        stored.push({ id: c.id, version: c.version, created });
        if (created)
          await publishEvent(
            tx,
            { type: "contract.published", subject: c.id, actor, payload: { version: c.version, product: parsed.id } },
            { owners: [parsed.id], consumersOf: [parsed.id] },
          );
      }
      if (record.teamId) {
        const change = await teams.syncMembers(record.teamId, members(team));
        if (change.joined + change.left > 0) {
          await publishEvent(
            tx,
            { type: "team.members.changed", subject: record.teamId, actor, payload: { ...change, product: parsed.id } },
            { teams: [record.teamId] },
          );
        }
      }
      await publishEvent(
        tx,
        {
          type: "product.published",
          subject: parsed.id,
          actor,
          payload: { version: parsed.version, previousVersion: current?.version ?? null, contracts: stored },
        },
        { owners: [parsed.id], consumersOf: [parsed.id] },
      );
      // Continuous governance and consumers of a new major version, atomically with the publish.
      await governance.record(tx, parsed.id, { subject, version: parsed.version });
      const agreed = await noticeBreakingChanges(tx, parsed.id, stored, actor);
      // The declared lineage of this version (ADR 0033), atomically with it; then everyone
      // downstream of a breaking change is told, as the graph stood before it.
      await recordPublishedLineage(tx, parsed.id, {
        contracts: stored.filter((c) => c.created).map((c) => c.id),
        removedContracts: downstream.removedContracts,
      });
      await sendDownstreamNotices(tx, downstream.notices, actor, agreed);
      const product = await products.get(parsed.id);
      if (!product) throw new Error(`product ${parsed.id} vanished inside its own publish`);
      return { product: toSummary(product), created: true, contracts: stored, warnings };
    });
  } catch (e) {
    const state = sqlState(e);
    if (
      state === sqlStates.uniqueViolation ||
      state === sqlStates.serializationFailure ||
      state === sqlStates.deadlock
    ) {
      throw raced(parsed.id);
    }
    throw e;
  } finally {
    // Settled either way: cached reads of this product must not outlive the old revision.
    forgetProduct(db, parsed.id);
  }
}

/**
 * The folder exactly as already published (the demo mesh at every start, a CI job re-running):
 * answered from the stored version without linting again. Anything else takes the full path.
 */
async function alreadyPublished(
  db: Database,
  parsed: PublishFolder,
  input: PublishInput,
): Promise<PublishResult | undefined> {
  const products = new ProductRepository(db);
  const current = await products.current(parsed.id);
  if (current?.version !== parsed.version) return undefined;
  if (input.expectedVersion !== undefined && input.expectedVersion !== parsed.version) return undefined;
  const stored = await products.versionFiles(parsed.id, parsed.version);
  if (JSON.stringify(stored) !== JSON.stringify(parsed.files)) return undefined;
  const product = await products.get(parsed.id);
  if (!product) return undefined;
  const contracts = parsed.contracts.map((c) => ({ id: c.id, version: c.version, created: false }));
  return { product: toSummary(product), created: false, contracts, warnings: [] };
}

/**
 * Decides the publisher's rights from what the registry holds (ADR 0020) and audits a refusal with
 * who tried and why. Answers the product's revision the decision was made on (null: new product).
 */
async function authorize(db: Database, parsed: PublishFolder, principal: Principal): Promise<number | null> {
  try {
    return await authorizePublish(db, parsed, principal);
  } catch (e) {
    if (e instanceof Error && e.name === "NotAllowedError") {
      await new AuditLog(db).append({
        actor: principal.name,
        action: "publish",
        productId: parsed.id,
        decision: "denied",
        reason: e.message,
        details: { version: parsed.version, declaredTeam: parsed.declaredTeam, files: parsed.files.map((f) => f.path) },
      });
    }
    throw e;
  }
}

function raced(id: string): ConflictError {
  return new ConflictError(
    `another publish of ${id} landed first; nothing of this one was stored, check the current version and publish again`,
  );
}

function toSummary(p: ProductSummary & { document?: unknown; ports?: unknown }): ProductSummary {
  const { document: _d, ports: _p, ...summary } = p;
  return summary;
}
