import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { IdentityStore, LineageStore, type RunningPlatform, startPlatform } from "@quanta/platform";

export const climateDir = resolve(import.meta.dirname, "../../../examples/climate");

const col = (product: string, port: string, dataset: string, column: string) =>
  `column:climate.${product}/${port}/${dataset}.${column}`;
const readings = (column: string) => col("weather-station-readings", "readings", "readings", column);
const daily = (column: string) => col("temperature", "daily-temperature", "daily_temperature", column);
const risk = (column: string) => col("physical-risk", "regional-risk-scores", "regional_risk_scores", column);
const direct = (subtype: string, masking = false) => ({ type: "DIRECT", subtype, masking });

export interface ClimatePlatform {
  platform: RunningPlatform;
  work: string;
  /** The consumer team holding an agreement on climate.temperature's daily-temperature port. */
  consumerTeam: string;
  close(): Promise<void>;
}

/**
 * A real platform with the climate mesh published (publish draws the declared column edges from
 * the pipelines' SQL), signed in through `$QUANTA_TOKEN`, with some column edges a run of the
 * temperature and physical-risk pipelines stores (seeded through the lineage store, so the tests
 * need not run the pipelines) and an agreement on the daily temperature.
 */
export async function startClimatePlatform(): Promise<ClimatePlatform> {
  const work = mkdtempSync(join(tmpdir(), "quanta-lineage-"));
  const platform = await startPlatform({
    store: { memory: true },
    dataDir: join(work, "data"),
    port: 0,
    hostname: "127.0.0.1",
    runJobs: false,
    publishFolders: ["weather-station-readings", "temperature", "precipitation", "sea-level", "physical-risk"].map(
      (p) => join(climateDir, p),
    ),
  });
  const pipeline = (product: string, run = 1) => ({ job: `quanta/climate.${product}.pipeline`, run });
  await new LineageStore(platform.db).upsert([
    ...["min_temperature_c", "mean_temperature_c", "max_temperature_c"].map((c) => ({
      from: readings("temperature_c"),
      to: daily(c),
      origin: "pipeline" as const,
      details: { ...pipeline("temperature"), transformations: [direct("AGGREGATION")] },
    })),
    {
      from: readings("station_id"),
      to: daily("station_id"),
      origin: "pipeline" as const,
      details: { ...pipeline("temperature"), transformations: [direct("IDENTITY")] },
    },
    ...["mean_temperature_c", "max_temperature_c"].map((c) => ({
      from: daily(c),
      to: risk("risk_score"),
      origin: "pipeline" as const,
      details: { ...pipeline("physical-risk"), transformations: [direct("AGGREGATION"), direct("TRANSFORMATION")] },
    })),
  ]);
  const identity = new IdentityStore(platform.db);
  const { rows } = await platform.db.query<{ team_id: string }>(
    "SELECT team_id FROM data_products WHERE id = 'climate.temperature'",
  );
  const analytics = rows[0]?.team_id as string;
  const consumerTeam = "insurance-pricing";
  const ines = await identity.users.createUser({ username: "ines@insurer.example" });
  if (!(await identity.teams.teamExists(consumerTeam)))
    await identity.teams.createTeam({ id: consumerTeam, name: "Insurance pricing" });
  await identity.teams.setTeamMember(consumerTeam, ines.id, "owner");
  const amara =
    (await identity.users.findUser({ username: "amara.okafor@climate-quantum.example" })) ??
    (await identity.users.createUser({ username: "amara.okafor@climate-quantum.example" }));
  await identity.teams.setTeamMember(analytics, amara.id, "owner");
  const token = async (userId: string) => (await identity.tokens.createToken(userId, { name: "test" })).token;
  const call = async (path: string, as: string, body: unknown) => {
    const res = await fetch(`${platform.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${as}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${text}`);
    return JSON.parse(text) as { id: string; state: string };
  };
  const request = await call("/api/access-requests", await token(ines.id), {
    productId: "climate.temperature",
    port: "daily-temperature",
    consumerTeam,
    purpose: "Price heat-stress cover",
  });
  if (request.state === "requested")
    await call(`/api/access-requests/${request.id}/approve`, await token(amara.id), {});
  process.env.QUANTA_TOKEN = await token(ines.id);
  return {
    platform,
    work,
    consumerTeam,
    async close() {
      delete process.env.QUANTA_TOKEN;
      await platform.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
