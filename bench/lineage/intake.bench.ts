// OpenLineage intake rate (issue 16, ADR 0034) on PGlite and PostgreSQL: OpenLineageIntake.receive (parse,
// schema validation, port mapping, authorization, one transaction of raw events and edges) in
// batches of 100, against bare INSERTs of the same rows (events and edges) in one transaction per
// batch, in the same run. Goal ≥ 1,000 events/s.
//   npx vite-node bench/lineage/intake.bench.ts
//   QUANTA_BENCH_EVENTS=5000 npx vite-node bench/lineage/intake.bench.ts
//   QUANTA_BENCH_STORES=postgres QUANTA_BENCH_DATABASE_URL=postgres://… (default: a throwaway server)
import { OpenLineageIntake } from "../../packages/platform/src/lineage/openlineage-intake.js";
import type { Database } from "../../packages/platform/src/storage/database.js";
import { openDatabase } from "../../packages/platform/src/storage/open-database.js";
import { findPostgresBin, startPostgres } from "../../packages/testing/src/postgres-server.js";

const total = Number(process.env.QUANTA_BENCH_EVENTS ?? 2000);
const batchSize = 100;
const principal = {
  userId: "bench",
  name: "bench@example.com",
  displayName: null,
  kind: "service" as const,
  roles: ["admin" as const],
  teams: [],
  via: "token" as const,
};
const event = (i: number) => ({
  eventType: "COMPLETE",
  eventTime: "2026-12-03T10:00:00.000Z",
  producer: "https://example.com/bench",
  schemaURL: "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
  run: { runId: `0192f0a0-0000-7000-8000-${String(i).padStart(12, "0")}` },
  job: { namespace: "airflow://bench", name: `job_${i % 500}` },
  inputs: [{ namespace: "postgres://db:5432", name: `shop.public.in_${i % 300}` }],
  outputs: [{ namespace: "postgres://db:5432", name: `shop.public.out_${i % 700}` }],
});
const batches = Array.from({ length: Math.ceil(total / batchSize) }, (_, b) =>
  Array.from({ length: batchSize }, (_, i) => event(b * batchSize + i)),
);

async function run(db: Database): Promise<string> {
  const intake = new OpenLineageIntake(db);
  await intake.receive(principal, JSON.stringify([event(999_999)])); // compile the schemas outside the clock
  let t = performance.now();
  for (const b of batches) await intake.receive(principal, JSON.stringify(b));
  const quanta = total / ((performance.now() - t) / 1000);

  t = performance.now();
  for (const b of batches) {
    await db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO lineage_events (received_by, event_type, job, run_id, event)
         SELECT 'bench', e->>'eventType', e->'job'->>'name', e->'run'->>'runId', e FROM jsonb_array_elements($1::jsonb) e`,
        [JSON.stringify(b)],
      );
      const edges = b.flatMap((e) => [
        { from: `x:${e.inputs[0]?.name}`, to: `x:${e.job.name}` },
        { from: `x:${e.job.name}`, to: `x:${e.outputs[0]?.name}` },
      ]);
      await tx.query(
        `INSERT INTO lineage_edges (from_node, to_node, origin)
         SELECT DISTINCT e."from", e."to", 'openlineage' FROM jsonb_to_recordset($1::jsonb) AS e("from" text, "to" text)
         ON CONFLICT (from_node, to_node, origin) DO UPDATE SET last_seen = now()`,
        [JSON.stringify(edges)],
      );
    });
  }
  const bare = total / ((performance.now() - t) / 1000);
  return `${total} events in batches of ${batchSize}: intake ${quanta.toFixed(0)} events/s, bare INSERTs ${bare.toFixed(0)} events/s, ratio ${(bare / quanta).toFixed(2)}× — ${quanta >= 1000 ? "PASS" : "FAIL"} (goal ≥ 1,000 events/s)`;
}

for (const store of (process.env.QUANTA_BENCH_STORES ?? "pglite,postgres").split(",")) {
  if (store === "pglite") {
    const db = await openDatabase({ memory: true });
    console.log(`PGlite, ${await run(db)}`);
    await db.close();
  } else if (store === "postgres") {
    let url = process.env.QUANTA_BENCH_DATABASE_URL;
    let stop = async () => {};
    if (!url) {
      if (!findPostgresBin()) {
        console.log("PostgreSQL: skipped, no server binaries (apt-get install postgresql)");
        continue;
      }
      const server = await startPostgres();
      url = server.url;
      stop = () => server.stop();
    }
    const db = await openDatabase({ url });
    try {
      console.log(`PostgreSQL, ${await run(db)}`);
    } finally {
      await db.close();
      await stop();
    }
  }
}
