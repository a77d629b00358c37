// What each part of the profile would cost in the bench's one scan: the checks' own aggregate
// query against it with the profile's aggregates added (nulls, min/max, mean), each computed in
// the scan (no Parquet footer statistics), and approx_count_distinct for reference. DuckDB, in
// this process, interleaved; wall and CPU time (CPU is the steadier figure on a busy machine).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { buildChecks, DuckDbDialect, planChecks } from "@quanta/core";
import { parse } from "yaml";
import { dataFile, generate } from "./generate.mjs";

const rounds = Number(process.env.QUANTA_BENCH_ROUNDS ?? 5);
await generate();
const here = import.meta.dirname;
const contract = parse(readFileSync(join(here, "orders.odcs.yaml"), "utf8"));
const dialect = new DuckDbDialect();
const relation = `read_parquet('${dataFile.replaceAll("'", "''")}')`;
const instance = await DuckDBInstance.create(":memory:");
const conn = await instance.connect();
const columns = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`))
  .getRowObjectsJson()
  .map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
const checks = buildChecks(contract).filter((c) => c.kind === "metric");
const [plan] = planChecks(checks, dialect, () => relation, new Map([["orders", columns]]));
const kinds = (...k) => plan.profile.items.filter((i) => k.includes(i.metric.kind));
const approx = columns.map((c, i) => ({
  alias: `a${i}`,
  sql: `approx_count_distinct(${dialect.quoteIdentifier(c.name)})`,
}));
const query = (extra, raw = []) =>
  `SELECT\n${[...plan.items, ...extra]
    .map((i) => `${dialect.metric(i.metric, relation)} AS ${i.alias}`)
    .concat(raw.map((r) => `${r.sql} AS ${r.alias}`))
    .join(",\n")}\nFROM ${relation}`;
const full = kinds("nullCount", "minValue", "maxValue", "meanValue", "trueCount");
const only = process.env.QUANTA_BENCH_VARIANTS?.split(",");
const all = {
  "checks alone": query([]),
  "+ nulls": query(kinds("nullCount")),
  "+ nulls as count(x)": query(
    [],
    kinds("nullCount").map((i) => ({ alias: i.alias, sql: `count(${dialect.quoteIdentifier(i.metric.property)})` })),
  ),
  "+ min, max": query(kinds("minValue", "maxValue")),
  "+ mean": query(kinds("meanValue")),
  "+ min, max of numbers and times": query(
    kinds("minValue", "maxValue").filter(
      (i) => !["VARCHAR"].includes(columns.find((c) => c.name === i.metric.property)?.type),
    ),
  ),
  "+ mean as avg(double)": query(
    [],
    kinds("meanValue").map((i) => ({
      alias: i.alias,
      sql: `avg(CAST(${dialect.quoteIdentifier(i.metric.property)} AS DOUBLE))`,
    })),
  ),
  "+ nulls, min, max, mean": query(kinds("nullCount", "minValue", "maxValue", "meanValue", "trueCount")),
  "+ … + true counts (all in the scan)": query(full),
  "+ … + approx_count_distinct": query(full, approx),
};
const variants = Object.fromEntries(
  Object.entries(all).filter((_entry, i) => i === 0 || !only || only.includes(String(i))),
);
const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
const cpu = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  const names = Object.keys(variants);
  for (const name of r % 2 === 0 ? names : names.reverse()) {
    const t = process.hrtime.bigint();
    const c = process.cpuUsage();
    await conn.runAndReadAll(variants[name]);
    times[name].push(Number(process.hrtime.bigint() - t) / 1e6);
    const used = process.cpuUsage(c);
    cpu[name].push((used.user + used.system) / 1000);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(times["checks alone"]);
const baseCpu = median(cpu["checks alone"]);
console.log(`profile aggregates in the one scan: ${dataFile} (median of ${rounds} interleaved rounds)`);
for (const [name, xs] of Object.entries(times))
  console.log(
    `${name.padEnd(30)} wall ${median(xs).toFixed(0).padStart(6)} ms ${(median(xs) / base).toFixed(2)}×   cpu ${median(cpu[name]).toFixed(0).padStart(6)} ms ${(median(cpu[name]) / baseCpu).toFixed(2)}×`,
  );
conn.closeSync();
instance.closeSync();
