// Agreement with the official schemas: every official example, and many mutated variants of
// each, must get from `validateSchema` the verdict the official schema gives. The reference is
// Ajv compiled at test time from the file in ../shared/standards (not from our vendored copy),
// cross-checked with Python `jsonschema` (an independent implementation) when it is installed.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { ValidateFunction } from "ajv";
import { beforeAll, describe, expect, test } from "vitest";
import { createAjv, validatorSources } from "../../scripts/validator-codegen.mjs";
import { hasErrors } from "../issues.js";
import { type DocumentKind, detectKind } from "./kinds.js";
import { SourceDocument } from "./source.js";
import { validateSchema } from "./validate.js";

const here = dirname(fileURLToPath(import.meta.url));
const standards = join(here, "../../../../../shared/standards");
const present = existsSync(join(standards, "README.md"));

const officialSchemaFile: Record<DocumentKind, string> = {
  odcs: "odcs/schema/odcs-json-schema-v3.1.0.json",
  odps: "odps/schema/odps-json-schema-v1.0.0.json",
  dcs: "dcs/schema/datacontract.schema.json",
  dps: "dps/schema/dataproduct.schema.json",
};

/** The verdicts listed in standards/README.md (formats not asserted), pinned by hand. */
const readmeVerdicts: Record<string, boolean> = {
  "odcs/examples/all/full-example.odcs.yaml": true,
  "odcs/examples/all/postgresql-adventureworks-contract.odcs.yaml": true,
  "odcs/examples/data-types/all-data-types.odcs.yaml": true,
  "odcs/examples/fundamentals/table-column-description.odcs.yaml": true,
  "odcs/examples/quality/column-accuracy.odcs.yaml": true,
  "odcs/examples/quality/column-completeness.odcs.yaml": true,
  "odcs/examples/quality/column-custom.odcs.yaml": true,
  "odcs/examples/quality/column-validity.odcs.yaml": true,
  "odcs/examples/roles/service-and-operational-roles.odcs.yaml": true,
  "odcs/examples/schema/all-schema-types.odcs.yaml": true,
  "odcs/examples/schema/kafka-schema.odcs.yaml": true,
  "odcs/examples/schema/kafka-schemaregistry.odcs.yaml": true,
  "odcs/examples/schema/table-column.odcs.yaml": true,
  "odcs/examples/schema/table-columns-with-partition.odcs.yaml": true,
  "odcs/examples/server/azure-server.odcs.yaml": true,
  "odcs/examples/server/kafka-server.odcs.yaml": true,
  "odcs/examples/sla/database-table-sla.odcs.yaml": true,
  "odcs/examples/stakeholders/basic-four-dpo.odcs.yaml": true,
  "odps/examples/customer-data-product.odps.yaml": true,
  "odps/examples/simple-data-product.odps.yaml": true,
  "dcs/examples/datacontract.init.yaml": true,
  "dcs/examples/covid-cases/datacontract.yaml": true,
  "dcs/examples/muellimperium/datacontract.yaml": true,
  "dcs/examples/orders-latest/datacontract.yaml": true,
  "dcs/examples/orders-latest-nested/datacontract.yaml": true,
  "dcs/examples/time-example/datacontract.yaml": true,
  "dcs/examples/variant-json-example/datacontract.yaml": true,
  "dps/examples/example.yaml": false,
  "dps/examples/readme-example.dataproduct.yaml": true,
};

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

const kindOfFolder: Record<string, DocumentKind> = { odcs: "odcs", odps: "odps", dcs: "dcs", dps: "dps" };
const examples = present
  ? Object.keys(kindOfFolder).flatMap((k) =>
      walk(join(standards, k, "examples"))
        .filter((f) => /\.ya?ml$/.test(f))
        .map((file) => ({ file, rel: relative(standards, file), kind: kindOfFolder[k] as DocumentKind })),
    )
  : [];

// --- mutations ------------------------------------------------------------------------------

type Json = unknown;
type Path = (string | number)[];

interface Variant {
  name: string;
  value: Json;
}

function nodes(value: Json, path: Path = []): { path: Path; value: Json }[] {
  const out = [{ path, value }];
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) out.push(...nodes(v, [...path, i]));
  } else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) out.push(...nodes(v, [...path, k]));
  return out;
}

function clone(value: Json): Json {
  return JSON.parse(JSON.stringify(value));
}

function setAt(
  root: Json,
  path: Path,
  fn: (parent: Record<string | number, Json>, key: string | number) => void,
): Json {
  const copy = clone(root);
  let node = copy as Record<string | number, Json>;
  for (const p of path.slice(0, -1)) node = node[p] as Record<string | number, Json>;
  const last = path[path.length - 1];
  if (last !== undefined) fn(node, last);
  return copy;
}

/** Deterministic spread of up to `max` items. */
function spread<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  const step = items.length / max;
  return Array.from({ length: max }, (_, i) => items[Math.floor(i * step)] as T);
}

function retype(v: Json): Json {
  if (typeof v === "string") return 42;
  if (typeof v === "number" || typeof v === "boolean") return "text";
  if (Array.isArray(v)) return { a: 1 };
  if (v && typeof v === "object") return ["x"];
  return "text";
}

function mutations(value: Json, perKind = 12): Variant[] {
  const all = nodes(value);
  const objects = all.filter((n) => n.value && typeof n.value === "object" && !Array.isArray(n.value));
  const keyed = all.filter((n) => n.path.length > 0);
  const strings = all.filter((n) => typeof n.value === "string" && n.path.length > 0);
  const arrays = all.filter((n) => Array.isArray(n.value) && n.path.length > 0 && (n.value as Json[]).length > 0);
  const fmt = (p: Path) => p.join(".") || "(root)";
  return [
    ...spread(keyed, perKind).map((n) => ({
      name: `delete ${fmt(n.path)}`,
      value: setAt(value, n.path, (parent, key) => {
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete parent[key];
      }),
    })),
    ...spread(keyed, perKind).map((n) => ({
      name: `retype ${fmt(n.path)}`,
      value: setAt(value, n.path, (parent, key) => {
        parent[key] = retype(n.value);
      }),
    })),
    ...spread(strings, perKind).map((n) => ({
      name: `bad value ${fmt(n.path)}`,
      value: setAt(value, n.path, (parent, key) => {
        parent[key] = "not a valid value!";
      }),
    })),
    ...spread(objects, perKind).map((n) => ({
      name: `unknown key in ${fmt(n.path)}`,
      value:
        n.path.length === 0
          ? { ...(value as object), zzUnknownKey: 1 }
          : setAt(value, n.path, (parent, key) => {
              (parent[key] as Record<string, Json>).zzUnknownKey = 1;
            }),
    })),
    ...spread(arrays, perKind).map((n) => ({
      name: `empty ${fmt(n.path)}`,
      value: setAt(value, n.path, (parent, key) => {
        parent[key] = [];
      }),
    })),
    ...spread(objects, perKind).map((n) => ({
      name: `null ${fmt(n.path)}`,
      value:
        n.path.length === 0
          ? null
          : setAt(value, n.path, (parent, key) => {
              parent[key] = null;
            }),
    })),
  ];
}

// --- reference validators -------------------------------------------------------------------

const reference = {} as Record<DocumentKind, ValidateFunction>;

beforeAll(() => {
  if (!present) return;
  for (const kind of Object.keys(officialSchemaFile) as DocumentKind[]) {
    const schema = JSON.parse(readFileSync(join(standards, officialSchemaFile[kind]), "utf8"));
    reference[kind] = createAjv(validatorSources[kind].draft).compile(schema);
  }
});

function ours(value: Json, kind: DocumentKind, name: string) {
  const src = SourceDocument.parse(JSON.stringify(value, null, 2), `${name}.json`);
  expect(src.issues).toEqual([]);
  return validateSchema(src, kind);
}

describe.skipIf(!present)("official examples (../shared/standards present)", () => {
  test("every example is listed with its README verdict", () => {
    expect(examples.map((e) => e.rel).sort()).toEqual(Object.keys(readmeVerdicts).sort());
  });

  test.each(examples)("$rel gets the official verdict", ({ file, rel, kind }) => {
    const src = SourceDocument.parse(readFileSync(file, "utf8"), rel);
    expect(src.issues).toEqual([]);
    expect(detectKind(src.value)?.kind).toBe(kind);
    const expected = reference[kind](src.value);
    expect(expected).toBe(readmeVerdicts[rel]);
    const issues = validateSchema(src, kind);
    expect(!hasErrors(issues)).toBe(expected);
    for (const i of issues) expect(i.line).toBeGreaterThan(0);
  });

  test("asserting formats (ajv-formats) would reject the three DCS examples the README names", async () => {
    // ajv-formats is CommonJS: depending on the loader its plugin is `default` or `default.default`.
    type Plugin = (ajv: unknown) => unknown;
    const formats = (await import("ajv-formats")) as unknown as { default: Plugin & { default?: Plugin } };
    const addFormats = formats.default.default ?? formats.default;
    const ajv = createAjv("07", { validateFormats: true });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(join(standards, officialSchemaFile.dcs), "utf8")));
    const failing = examples
      .filter((e) => e.kind === "dcs")
      .filter((e) => !validate(SourceDocument.parse(readFileSync(e.file, "utf8"), e.rel).value))
      .map((e) => e.rel);
    expect(failing.sort()).toEqual([
      "dcs/examples/orders-latest/datacontract.yaml",
      "dcs/examples/time-example/datacontract.yaml",
      "dcs/examples/variant-json-example/datacontract.yaml",
    ]);
  });
});

const python = present ? spawnSync("python3", ["-c", "import jsonschema"], { encoding: "utf8" }).status === 0 : false;

/** Verdicts from Python `jsonschema` for many documents in one process. */
function pythonVerdicts(kind: DocumentKind, values: Json[]): Promise<boolean[]> {
  const cls = validatorSources[kind].draft === "2019-09" ? "Draft201909Validator" : "Draft7Validator";
  const script = `
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
v = jsonschema.${cls}(schema)
print(json.dumps([v.is_valid(d) for d in json.load(sys.stdin)]))`;
  return new Promise((resolve, reject) => {
    const child = spawn("python3", ["-c", script, join(standards, officialSchemaFile[kind])]);
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(err))));
    child.stdin.end(JSON.stringify(values));
  });
}

/**
 * Where Ajv and Python `jsonschema` read the official schema differently. DCS puts `allOf` (the
 * per-server-type `if`/`then` rules) beside `$ref` in `servers.additionalProperties`; draft-07
 * says keywords beside `$ref` are ignored (Python does so), Ajv 8 applies them. Quanta follows
 * Ajv, the validator upstream CI uses, which also enforces what the schema's authors wrote.
 */
function knownDivergence(kind: DocumentKind, name: string): boolean {
  return kind === "dcs" && / servers\./.test(name);
}

describe.skipIf(!present)("mutated variants of every example", () => {
  const cases = examples.map((e) => ({
    ...e,
    variants: mutations(SourceDocument.parse(readFileSync(e.file, "utf8"), e.rel).value),
  }));

  test("enough variants, and both valid and invalid ones", () => {
    const all = cases.flatMap((c) => c.variants.map((v) => reference[c.kind](v.value)));
    expect(all.length).toBeGreaterThan(1500);
    expect(all.filter(Boolean).length).toBeGreaterThan(200);
    expect(all.filter((v) => !v).length).toBeGreaterThan(800);
  });

  test.each(cases)("$rel: every variant gets the official verdict, with positioned issues", ({ kind, variants }) => {
    const mismatches: string[] = [];
    for (const v of variants) {
      const expected = reference[kind](v.value);
      const issues = ours(v.value, kind, v.name);
      if (!hasErrors(issues) !== expected) mismatches.push(`${v.name}: official ${expected}`);
      for (const i of issues) {
        expect(i.line, `${v.name}: ${i.message}`).toBeGreaterThan(0);
        expect(i.code).toMatch(/^schema-[a-z-]+$/);
      }
    }
    expect(mismatches).toEqual([]);
  });

  test.skipIf(!python)(
    "Python jsonschema (independent implementation) agrees, but for one named divergence",
    async () => {
      // Python needs ~150 ms per ODCS document (unevaluatedProperties); check a spread of them.
      const budget: Record<DocumentKind, number> = { odcs: 30, odps: 400, dcs: 400, dps: 400 };
      const results = await Promise.all(
        (Object.keys(officialSchemaFile) as DocumentKind[]).map(async (kind) => {
          const docs = spread(
            cases
              .filter((c) => c.kind === kind)
              .flatMap((c) => [
                { name: c.rel, value: SourceDocument.parse(readFileSync(c.file, "utf8"), c.rel).value },
                ...c.variants.map((v) => ({ name: `${c.rel}: ${v.name}`, value: v.value })),
              ]),
            budget[kind],
          );
          const theirs = await pythonVerdicts(
            kind,
            docs.map((d) => d.value),
          );
          return docs.map((d, i) => ({ kind, name: d.name, ajv: reference[kind](d.value), python: theirs[i] }));
        }),
      );
      const all = results.flat();
      expect(all.length).toBeGreaterThan(500);
      const disagreements = all.filter((d) => d.ajv !== d.python);
      expect(disagreements.filter((d) => !knownDivergence(d.kind, d.name))).toEqual([]);
      // The divergence only ever makes Ajv stricter.
      expect(disagreements.every((d) => d.python && !d.ajv)).toBe(true);
    },
    120_000,
  );
});
