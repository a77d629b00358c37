#!/usr/bin/env node
// Compiles the vendored official JSON Schemas (src/spec/schemas/*.json) into standalone Ajv
// validator modules (src/spec/generated/*-validator.ts). Compiling at run time costs ~300 ms
// cold, which every CLI start and every browser page would pay; loading the generated code costs
// ~20 ms. The generated files are committed (so Vitest, bundlers and fresh clones need no build
// step); a test regenerates them in memory and fails when they are stale.
//
// Usage: node packages/core/scripts/generate-validators.mjs [--check]
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateValidatorModule, validatorSources } from "./validator-codegen.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "spec");
const check = process.argv.includes("--check");
let stale = 0;
for (const [kind, { file }] of Object.entries(validatorSources)) {
  const schemaText = readFileSync(join(root, "schemas", file), "utf8");
  const code = generateValidatorModule(kind, schemaText);
  const out = join(root, "generated", `${kind}-validator.ts`);
  let current = "";
  try {
    current = readFileSync(out, "utf8");
  } catch {}
  if (current === code) continue;
  stale++;
  if (check) console.error(`stale: ${out}`);
  else writeFileSync(out, code);
}
if (check && stale > 0) process.exit(1);
console.log(check ? "validators are up to date" : `wrote ${stale} validator module(s)`);
