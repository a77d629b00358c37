import type { DatasetProfile } from "@quanta/core";
import type { Queryable } from "../storage/database.js";
import type { MeasurementPoint } from "./measurements.js";

export interface RunObservation {
  runId: number;
  productId: string;
  port: string;
  at: string;
  status: string;
  portVersion: number | null;
  profiles: DatasetProfile[] | null;
}

export interface SeriesQuery {
  port?: string | undefined;
  metric?: string | undefined;
  column?: string | undefined;
  since: Date;
  /** Points per series, the newest kept (answered oldest first). */
  limit: number;
}

/** The most points of one series one read answers. */
export const maxSeriesPoints = 1000;

/** Metrics that quote the data's own values: the owner team's and admins' to see (docs/incidents.md). */
export const ownerOnlyMetrics: ReadonlySet<string> = new Set(["min", "max", "mean"]);

export interface Series {
  port: string;
  /** null: the port as a whole. */
  dataset: string | null;
  column: string | null;
  metric: string;
  points: { at: string; runId: number; value: number | null }[];
}

const observationColumns = `run_id AS "runId", product_id AS "productId", port, at, status,
  port_version AS "portVersion", profiles`;

const norm = (r: RunObservation): RunObservation => ({
  ...r,
  runId: Number(r.runId),
  portVersion: r.portVersion === null ? null : Number(r.portVersion),
});

/** Measurements and profiles of finished contract test runs, per port (migration 35). */
export class MeasurementStore {
  constructor(private readonly q: Queryable) {}

  /**
   * Stores a finished run's observation and its points, in the caller's transaction (the one that
   * finishes the run). Where the port's current version was ingested, the rows each dataset gained
   * since the last run are kept too, as `batchRows`: the ingest batch size.
   */
  async record(
    o: Omit<RunObservation, "at" | "portVersion"> & { at: Date; points: readonly MeasurementPoint[] },
  ): Promise<void> {
    const previous = await this.latest(o.productId, o.port);
    const current = await this.q.query<{ source: string; version: number }>(
      "SELECT source, version FROM port_versions WHERE product_id = $1 AND port = $2 AND state = 'current'",
      [o.productId, o.port],
    );
    const version = current.rows[0] ? Number(current.rows[0].version) : null;
    await this.q.query(
      `INSERT INTO run_observations (run_id, product_id, port, at, status, port_version, profiles)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        o.runId,
        o.productId,
        o.port,
        o.at.toISOString(),
        o.status,
        version,
        o.profiles ? JSON.stringify(o.profiles) : null,
      ],
    );
    const points = [...o.points];
    // A batch is what a new ingested version added: runs of the same version add none.
    if (current.rows[0]?.source === "ingest" && previous && previous.portVersion !== version) {
      const before = await this.pointsOf(previous.runId, "rowCount");
      for (const p of o.points) {
        if (p.metric !== "rowCount" || p.value === null) continue;
        const was = before.get(p.dataset);
        if (was !== undefined && was !== null && p.value >= was)
          points.push({ dataset: p.dataset, column: "", metric: "batchRows", value: p.value - was });
      }
    }
    // One statement for all points: a run of a wide dataset has hundreds.
    for (let i = 0; i < points.length; i += 500) {
      const chunk = points.slice(i, i + 500);
      await this.q.query(
        `INSERT INTO measurements (run_id, product_id, port, dataset, column_name, metric, value, at)
         SELECT $1, $2, $3, d, c, m, v, $4
         FROM unnest($5::text[], $6::text[], $7::text[], $8::float8[]) AS t(d, c, m, v)
         ON CONFLICT DO NOTHING`,
        [
          o.runId,
          o.productId,
          o.port,
          o.at.toISOString(),
          chunk.map((p) => p.dataset),
          chunk.map((p) => p.column),
          chunk.map((p) => p.metric),
          chunk.map((p) => p.value),
        ],
      );
    }
  }

  private async pointsOf(runId: number, metric: string): Promise<Map<string, number | null>> {
    const { rows } = await this.q.query<{ dataset: string; value: number | null }>(
      "SELECT dataset, value FROM measurements WHERE run_id = $1 AND metric = $2 AND column_name = ''",
      [runId, metric],
    );
    return new Map(rows.map((r) => [r.dataset, r.value === null ? null : Number(r.value)]));
  }

  /** The port's latest observation (before `beforeRun` when given). */
  async latest(productId: string, port: string, beforeRun?: number): Promise<RunObservation | undefined> {
    const { rows } = await this.q.query<RunObservation>(
      `SELECT ${observationColumns} FROM run_observations
       WHERE product_id = $1 AND port = $2 AND ($3::bigint IS NULL OR run_id < $3)
       ORDER BY at DESC, run_id DESC LIMIT 1`,
      [productId, port, beforeRun ?? null],
    );
    return rows[0] ? norm(rows[0]) : undefined;
  }

  async get(runId: number): Promise<RunObservation | undefined> {
    const { rows } = await this.q.query<RunObservation>(
      `SELECT ${observationColumns} FROM run_observations WHERE run_id = $1`,
      [runId],
    );
    return rows[0] ? norm(rows[0]) : undefined;
  }

  /** The latest observation with a profile, per port of the product. */
  async latestProfiles(productId: string, port?: string): Promise<RunObservation[]> {
    const { rows } = await this.q.query<RunObservation>(
      `SELECT DISTINCT ON (port) ${observationColumns} FROM run_observations
       WHERE product_id = $1 AND ($2::text IS NULL OR port = $2) AND profiles IS NOT NULL
       ORDER BY port, at DESC, run_id DESC`,
      [productId, port ?? null],
    );
    return rows.map(norm);
  }

  /** One metric of one dataset of a port, oldest first, runs before `beforeRun` (the history a run is judged by). */
  async history(
    productId: string,
    port: string,
    dataset: string,
    metric: string,
    since: Date,
    beforeRun: number,
  ): Promise<{ at: string; value: number }[]> {
    const { rows } = await this.q.query<{ at: string; value: number }>(
      `SELECT at, value FROM measurements
       WHERE product_id = $1 AND port = $2 AND metric = $3 AND dataset = $4 AND column_name = ''
         AND at >= $5 AND run_id < $6 AND value IS NOT NULL
       ORDER BY at`,
      [productId, port, metric, dataset, since.toISOString(), beforeRun],
    );
    return rows.map((r) => ({ at: r.at, value: Number(r.value) }));
  }

  /** The points of one run (its own measurements, for detection). */
  async ofRun(runId: number): Promise<MeasurementPoint[]> {
    const { rows } = await this.q.query<{ dataset: string; column: string; metric: string; value: number | null }>(
      `SELECT dataset, column_name AS "column", metric, value FROM measurements WHERE run_id = $1`,
      [runId],
    );
    return rows.map((r) => ({ ...r, value: r.value === null ? null : Number(r.value) }));
  }

  /** The product's series, grouped, each cut to its newest `limit` points and answered oldest first. */
  async series(productId: string, query: SeriesQuery): Promise<Series[]> {
    const { rows } = await this.q.query<{
      port: string;
      dataset: string;
      column: string;
      metric: string;
      at: string;
      runId: number;
      value: number | null;
    }>(
      `SELECT port, dataset, "column", metric, at, "runId", value FROM (
         SELECT port, dataset, column_name AS "column", metric, at, run_id AS "runId", value,
           row_number() OVER (PARTITION BY port, dataset, column_name, metric ORDER BY at DESC, run_id DESC) AS n
         FROM measurements
         WHERE product_id = $1 AND ($2::text IS NULL OR port = $2) AND ($3::text IS NULL OR metric = $3)
           AND ($4::text IS NULL OR column_name = $4) AND at >= $5) s
       WHERE n <= $6
       ORDER BY port, dataset, "column", metric, at, "runId"`,
      [
        productId,
        query.port ?? null,
        query.metric ?? null,
        query.column ?? null,
        query.since.toISOString(),
        Math.min(Math.max(1, Math.floor(query.limit)), maxSeriesPoints),
      ],
    );
    const out: Series[] = [];
    let last: Series | undefined;
    for (const r of rows) {
      const column = r.column === "" ? null : r.column;
      const dataset = r.dataset === "" ? null : r.dataset;
      if (
        !last ||
        last.port !== r.port ||
        last.dataset !== dataset ||
        last.column !== column ||
        last.metric !== r.metric
      ) {
        last = { port: r.port, dataset, column, metric: r.metric, points: [] };
        out.push(last);
      }
      last.points.push({ at: r.at, runId: Number(r.runId), value: r.value === null ? null : Number(r.value) });
    }
    return out;
  }
}
