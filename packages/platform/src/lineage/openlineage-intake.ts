import { InputError, TooLargeError, UnprocessableError } from "@quanta/core";
import { AuditLog } from "../audit/audit-log.js";
import { authorize, decide, type ProductRef } from "../identity/authorize.js";
import type { Principal } from "../identity/principal.js";
import type { Database } from "../storage/database.js";
import { type LineageEdge, LineageStore } from "./lineage-store.js";
import { nodeId } from "./node-id.js";
import { OpenLineagePortIndex, type PortMatch } from "./openlineage-port-index.js";
import { openLineageProblems } from "./openlineage-schema.js";

/** What one request may hold (ADR 0034). */
export interface OpenLineageLimits {
  /** Largest body, in bytes (413). */
  maxBodyBytes: number;
  /** Most events in one batch (413). */
  maxEvents: number;
  /** Deepest nesting of objects and arrays in one event, facets included (400). */
  maxDepth: number;
}

export const defaultOpenLineageLimits: OpenLineageLimits = {
  maxBodyBytes: 1024 * 1024,
  maxEvents: 500,
  maxDepth: 16,
};

export interface IntakeResult {
  accepted: number;
  edges: number;
  events: { runId: string; job: string; eventType: string | null; inputs: string[]; outputs: string[] }[];
}

interface Dataset {
  namespace: string;
  name: string;
  facets?: { columnLineage?: { fields?: Record<string, { inputFields?: InputField[] }> } };
}
interface InputField {
  namespace: string;
  name: string;
  field: string;
  transformations?: unknown[];
}
interface RunEvent {
  eventType?: string;
  eventTime: string;
  run: { runId: string };
  job: { namespace: string; name: string };
  inputs?: Dataset[];
  outputs?: Dataset[];
}

type Edge = Omit<LineageEdge, "firstSeen" | "lastSeen">;

/**
 * Namespaces hold `/` (`postgres://host:5432`), and node names split on the first one, so a job's
 * or an outside dataset's namespace is percent-encoded in its node name.
 */
const ns = (namespace: string) => encodeURIComponent(namespace);
export const jobNode = (namespace: string, name: string) => nodeId({ kind: "job", namespace: ns(namespace), name });
export const datasetNode = (namespace: string, name: string) =>
  nodeId({ kind: "dataset", namespace: ns(namespace), name });

/** How deep `value` nests, stopping as soon as it passes `limit`. */
function deeper(value: unknown, limit: number): boolean {
  let level: unknown[] = [value];
  for (let depth = 0; level.length > 0; depth++) {
    if (depth > limit) return true;
    const next: unknown[] = [];
    for (const v of level) if (typeof v === "object" && v !== null) next.push(...Object.values(v));
    level = next;
  }
  return false;
}

/**
 * OpenLineage in (issue 16, ADR 0034): run events from outside tools, validated against the
 * official schemas, their datasets mapped to Quanta ports through the contracts' servers, stored
 * as edges of origin `openlineage` with the raw events, all or nothing per request.
 */
export class OpenLineageIntake {
  private readonly index: OpenLineagePortIndex;

  constructor(
    private readonly db: Database,
    readonly limits: OpenLineageLimits = defaultOpenLineageLimits,
  ) {
    this.index = new OpenLineagePortIndex(db);
  }

  /** Parses and checks a body: one RunEvent, or a JSON array of them. */
  parse(body: string): RunEvent[] {
    const bytes = Buffer.byteLength(body);
    if (bytes > this.limits.maxBodyBytes)
      throw new TooLargeError(
        `the body is ${bytes} bytes; lineage takes at most ${this.limits.maxBodyBytes} per request`,
      );
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (e) {
      throw new InputError(`the body is not JSON: ${(e as Error).message}`, { code: "malformed-json" });
    }
    const batch = Array.isArray(parsed);
    const events = batch ? (parsed as unknown[]) : [parsed];
    if (events.length === 0) throw new InputError("the batch is empty: send one RunEvent or an array of them");
    if (events.length > this.limits.maxEvents)
      throw new TooLargeError(
        `the batch holds ${events.length} events; lineage takes at most ${this.limits.maxEvents} per request`,
      );
    events.forEach((event, index) => {
      const which = batch ? `event ${index}` : "the event";
      if (deeper(event, this.limits.maxDepth))
        throw new InputError(`${which} nests deeper than ${this.limits.maxDepth} levels (facets included)`, {
          code: "openlineage-too-deep",
          details: { index },
        });
      const problems = openLineageProblems(event);
      const first = problems[0];
      if (first)
        throw new InputError(`${which} is not an OpenLineage RunEvent: ${first.path} ${first.reason}`, {
          code: "openlineage-invalid",
          details: { index, problems: problems.slice(0, 20) },
        });
    });
    return events as RunEvent[];
  }

  /** Takes the events in: all of them in one transaction, or none with the reason. */
  async receive(principal: Principal | undefined, body: string): Promise<IntakeResult> {
    const events = this.parse(body);
    const lookup = await this.index.lookup();
    const portNode = (m: PortMatch) => nodeId({ kind: "port", product: m.productId, port: m.port });
    const owners = new Map<string, ProductRef>();
    for (const e of events)
      for (const o of e.outputs ?? []) {
        const m = lookup(o.namespace, o.name);
        if (m) owners.set(m.productId, { id: m.productId, ownerTeam: m.ownerTeam });
      }
    const outputs = [...owners.values()];
    const decision = decide(principal, "lineage.write", { outputs });
    if (decision !== true) {
      await new AuditLog(this.db).append({
        actor: principal?.name ?? "anonymous",
        action: "lineage.write",
        productId: outputs.length === 1 ? outputs[0]?.id : null,
        decision: "denied",
        reason: decision,
        details: { outputs: outputs.map((o) => o.id), events: events.length },
      });
      authorize(principal, "lineage.write", { outputs });
    }

    const edges = new Map<string, Edge>();
    const add = (
      from: string,
      to: string,
      details: Record<string, unknown>,
      column?: { from?: string; to?: string },
    ) => {
      const key = `${from}\u0000${to}`;
      const had = edges.get(key);
      const edge = had ?? { from, to, origin: "openlineage" as const, details: { ...details } };
      if (column) edge.details.columns = [...((edge.details.columns as unknown[] | undefined) ?? []), column];
      edges.set(key, edge);
    };
    const summary: IntakeResult["events"] = [];
    events.forEach((e, index) => {
      const which = events.length > 1 ? `event ${index}` : "the event";
      const job = jobNode(e.job.namespace, e.job.name);
      const at = (d: { namespace: string; name: string }) => {
        const m = lookup(d.namespace, d.name);
        return { match: m, node: m ? portNode(m) : datasetNode(d.namespace, d.name) };
      };
      const ins = (e.inputs ?? []).map(at);
      const outs = (e.outputs ?? []).map(at);
      summary.push({
        runId: e.run.runId,
        job,
        eventType: e.eventType ?? null,
        inputs: ins.map((i) => i.node),
        outputs: outs.map((o) => o.node),
      });
      // A failed or aborted run wrote nothing: its event is kept, its datasets draw no edge.
      if (e.eventType === "FAIL" || e.eventType === "ABORT") return;
      const cycle = outs.find((o) => ins.some((i) => i.node === o.node));
      if (cycle)
        throw new UnprocessableError(
          `${which}: job ${e.job.namespace}/${e.job.name} names ${cycle.node} as both input and output; lineage refuses a cycle`,
          { code: "lineage-cycle", details: { index, node: cycle.node } },
        );
      const details = { job, runId: e.run.runId, eventTime: e.eventTime };
      for (const i of ins) add(i.node, job, details);
      for (const o of outs) add(job, o.node, details);
      (e.outputs ?? []).forEach((o, oi) => {
        const out = outs[oi];
        const fields = o.facets?.columnLineage?.fields;
        if (!out || !fields) return;
        for (const [field, { inputFields = [] }] of Object.entries(fields)) {
          const to = this.columnNode(out.match, out.node, field, which, index);
          for (const f of inputFields) {
            const source = lookup(f.namespace, f.name);
            const from = this.columnNode(
              source,
              source ? portNode(source) : datasetNode(f.namespace, f.name),
              f.field,
              which,
              index,
            );
            add(
              from.node,
              to.node,
              { job, transformations: f.transformations ?? [] },
              from.column || to.column ? { from: from.column, to: to.column } : undefined,
            );
          }
        }
      });
    });

    const received = principal?.name ?? "anonymous";
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO lineage_events (received_by, event_type, job, run_id, event)
         SELECT $1, e->>'eventType', (e->'job'->>'namespace') || '/' || (e->'job'->>'name'), e->'run'->>'runId', e
         FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS t(e, n) ORDER BY n`,
        [received, JSON.stringify(events)],
      );
      await new LineageStore(tx).upsert([...edges.values()]);
    });
    return { accepted: events.length, edges: edges.size, events: summary };
  }

  /**
   * A column's node: of a port, `column:` after checking the contract declares it (refused
   * otherwise); of an outside dataset, the dataset's node with the column kept in the edge.
   */
  private columnNode(
    match: PortMatch | undefined,
    node: string,
    column: string,
    which: string,
    index: number,
  ): { node: string; column?: string } {
    if (!match) return { node, column };
    if (!match.columns.has(column))
      throw new UnprocessableError(
        `${which}: column ${column} is not in dataset ${match.dataset} of port ${match.productId}/${match.port} (its contract declares ${[...match.columns].join(", ") || "no columns"})`,
        { code: "lineage-unknown-column", details: { index, port: node, column } },
      );
    return {
      node: nodeId({ kind: "column", product: match.productId, port: match.port, dataset: match.dataset, column }),
    };
  }
}
