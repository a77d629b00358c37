import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TeamRepository } from "../identity/team-repository.js";
import { readProductFolder } from "../registry/product-folder.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";
import { examplesDir } from "../test-fixtures.js";
import { incidentAudience } from "./incident-audience.js";

let db: Database;
const team: Record<string, string> = {};

/** An agreement as the access service leaves it, in one state. */
async function agreement(id: string, productId: string, port: string, consumer: string, state: string) {
  await db.query(
    `INSERT INTO agreements (id, product_id, port, consumer_team, purpose, state, requested_by)
     VALUES ($1, $2, $3, $4, 'reporting', $5, 'test')`,
    [id, productId, port, consumer, state],
  );
}

beforeAll(async () => {
  db = await openDatabase({ memory: true });
  const registry = new Registry(db);
  // Readers first: their lineage edges come when what they read is published.
  for (const p of ["physical-risk", "temperature", "precipitation", "sea-level", "weather-station-readings"]) {
    const files = await readProductFolder(join(examplesDir, "climate", p));
    const published = await registry.publish({
      files: files.filter((f) => !f.path.endsWith(".parquet") && !f.path.startsWith("data/")),
      publishedBy: "quanta-demo",
    });
    expect(published).toBeDefined();
  }
  const { rows } = await db.query<{ id: string; team_id: string }>("SELECT id, team_id FROM data_products");
  for (const r of rows) team[r.id.replace(/^climate\./, "")] = r.team_id;
  const teams = new TeamRepository(db);
  for (const t of ["finance", "auditors", "former", "port-only"]) await teams.ensureTeam({ id: t, name: t });
  await agreement("agr_fin", "climate.physical-risk", "regional-risk-scores", "finance", "active");
  await agreement("agr_aud", "climate.physical-risk", "regional-risk-scores", "auditors", "requested");
  await agreement("agr_old", "climate.physical-risk", "regional-risk-scores", "former", "terminated");
  await agreement("agr_end", "climate.weather-station-readings", "stations", "port-only", "terminating");
}, 120_000);
afterAll(async () => {
  await db?.close();
});

describe("an incident's audience", () => {
  it("is the owner team, the teams downstream in lineage (transitively), and live consumers", async () => {
    expect(new Set(Object.values(team)).size).toBeGreaterThanOrEqual(3);
    // Readings feed temperature and precipitation (analytics), and through them the risk scores.
    const readings = await incidentAudience(db, "climate.weather-station-readings", "readings");
    expect(readings).toEqual(
      [
        ...new Set([team["weather-station-readings"], team.temperature, team.precipitation, team["physical-risk"]]),
      ].sort(),
    );
    // Its consumer on another port hears of product-wide incidents, not of this port's.
    expect(readings).not.toContain("port-only");
    expect(await incidentAudience(db, "climate.weather-station-readings", null)).toContain("port-only");
  });

  it("takes only active or terminating agreements, and no one upstream", async () => {
    const risk = await incidentAudience(db, "climate.physical-risk", "regional-risk-scores");
    expect(risk).toEqual([team["physical-risk"], "finance"].sort());
    expect(risk).not.toContain(team["weather-station-readings"]);
  });

  it("is just the owner for a product nobody reads, and nobody for one that does not exist", async () => {
    const seaLevel = await incidentAudience(db, "climate.sea-level", null);
    expect(seaLevel).toContain(team["sea-level"]);
    expect(await incidentAudience(db, "no.such", null)).toEqual([]);
    expect(await incidentAudience(db, "'; DROP TABLE agreements; --", "x")).toEqual([]);
  });

  it("stops on a cycle in lineage", async () => {
    // An outside job writing back into what it read (OpenLineage can say so): no endless walk.
    await db.query(
      `INSERT INTO lineage_edges (from_node, to_node, origin) VALUES
         ('port:climate.physical-risk/regional-risk-scores', 'job:ext/loop', 'openlineage'),
         ('job:ext/loop', 'port:climate.weather-station-readings/readings', 'openlineage')`,
    );
    const started = Date.now();
    const risk = await incidentAudience(db, "climate.physical-risk", "regional-risk-scores");
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(risk).toContain(team["weather-station-readings"]);
  });
});
