// Benchmark: diff of a 5,000-property ODCS contract against itself with one change.
// Run after `npx tsc -b` (uses the built dist of @quanta/core): node bench/diff/run.mjs [rounds]
// Figures are ratios against baselines measured in the same run, so they compare across machines:
//   parse      = SourceDocument.parse of the two YAML texts (what any tool must pay to read them)
//   deep-compare = a plain structural deep-compare (full walk, positional, no classification) of the two parsed values (the least a diff can do)
import { performance } from "node:perf_hooks";
import { buildReport, diffDocuments, diffValues, SourceDocument } from "@quanta/core";
import { stringify } from "yaml";

const rounds = Number(process.argv[2] ?? 5);
const objects = 10;
const perObject = 500;

function contract(maxLength) {
  return {
    apiVersion: "v3.1.0",
    kind: "DataContract",
    id: "bench",
    version: maxLength === 64 ? "1.0.0" : "2.0.0",
    status: "active",
    schema: Array.from({ length: objects }, (_, o) => ({
      id: `obj_${o}`,
      name: `table_${o}`,
      physicalType: "table",
      properties: Array.from({ length: perObject }, (_, p) => ({
        id: `obj_${o}_prop_${p}`,
        name: `column_${p}`,
        logicalType: p % 3 === 0 ? "integer" : "string",
        physicalType: p % 3 === 0 ? "bigint" : "varchar(64)",
        required: p % 2 === 0,
        description: `Column ${p} of table ${o}`,
        ...(p % 3 === 0
          ? { logicalTypeOptions: { minimum: 0, maximum: 1_000_000 } }
          : { logicalTypeOptions: { maxLength: o === 7 && p === 250 ? maxLength : 64 } }),
        ...(p % 10 === 0 ? { quality: [{ metric: "nullValues", mustBe: 0 }] } : {}),
        tags: ["bench"],
      })),
    })),
  };
}

/** Walks both values completely (no early exit) and counts differing leaves, by position only. */
function countDifferences(a, b) {
  if (a === b) return 0;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return 1;
  let n = 0;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) n += countDifferences(a[k], b[k]);
  return n;
}

const oldText = stringify(contract(64));
const newText = stringify(contract(32));

function time(fn) {
  const samples = [];
  let result;
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    result = fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((x, y) => x - y);
  return { p50: samples[Math.floor(samples.length / 2)], max: samples[samples.length - 1], result };
}

// Warm up the JIT once so the first round does not dominate.
diffDocuments(SourceDocument.parse(oldText, "old.yaml"), SourceDocument.parse(newText, "new.yaml"));

const parse = time(() => [SourceDocument.parse(oldText, "old.yaml"), SourceDocument.parse(newText, "new.yaml")]);
const [before, after] = parse.result;
const equal = time(() => countDifferences(before.value, after.value));
const core = time(() => diffValues("odcs", before.value, after.value));
const report = time(() => buildReport("odcs", before.value, after.value));
const full = time(() => diffDocuments(before, after));

const properties = objects * perObject;
const changes = full.result.changes;
if (changes.length !== 1 || changes[0].kind !== "constraint-tightened") {
  console.error("unexpected diff result", changes);
  process.exit(1);
}

const row = (name, m, note) =>
  `${name.padEnd(34)} p50 ${m.p50.toFixed(1).padStart(7)} ms  max ${m.max.toFixed(1).padStart(7)} ms  ${note}`;
console.log(
  `quanta diff benchmark: ${properties} properties, ${(oldText.length / 1024 / 1024).toFixed(1)} MiB YAML per side, ${rounds} rounds`,
);
console.log(row("baseline: parse both (YAML)", parse, "= 1.00x parse"));
console.log(row("baseline: plain deep-compare", equal, `= ${(equal.p50 / parse.p50).toFixed(2)}x parse`));
console.log(
  row(
    "diffValues (classify only)",
    core,
    `= ${(core.p50 / parse.p50).toFixed(2)}x parse, ${(core.p50 / equal.p50).toFixed(1)}x deep-compare`,
  ),
);
console.log(
  row(
    "buildReport (+ versions)",
    report,
    `= ${(report.p50 / parse.p50).toFixed(2)}x parse, ${(report.p50 / equal.p50).toFixed(1)}x deep-compare`,
  ),
);
console.log(
  row(
    "diffDocuments (+ schema, normalize)",
    full,
    `= ${(full.p50 / parse.p50).toFixed(2)}x parse, ${(full.p50 / equal.p50).toFixed(1)}x deep-compare`,
  ),
);
console.log(
  `result: 1 change, ${changes[0].severity} ${changes[0].kind} at ${changes[0].path}; suggested ${full.result.suggestedVersion}`,
);
const goal = 1000;
console.log(
  full.max < goal
    ? `goal met: diffDocuments max ${full.max.toFixed(0)} ms < ${goal} ms`
    : `GOAL MISSED: diffDocuments max ${full.max.toFixed(0)} ms >= ${goal} ms`,
);
