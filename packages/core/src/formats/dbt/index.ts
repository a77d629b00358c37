import type { Format } from "../format.js";
import { dbtDialects } from "./dialects.js";

/** The head of a file (cheap, for detection): a manifest names its schema in its first lines. */
function head(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes.subarray(0, 64 * 1024));
}

/** A dbt `manifest.json` or a properties file (`version: 2` with `models:` or `sources:`). */
function looksLikeDbt(bytes: Uint8Array): boolean {
  const text = head(bytes);
  if (/"dbt_schema_version"\s*:\s*"https:\/\/schemas\.getdbt\.com\/dbt\/manifest\//.test(text)) return true;
  return /^version:\s*2\s*(#.*)?$/m.test(text) && /^(models|sources):/m.test(text);
}

export const format: Format = {
  name: "dbt",
  title: "dbt manifest or schema.yml",
  importer: {
    description:
      "dbt manifest.json (v7–v12) or schema.yml (version 2) to ODCS v3.1.0: models and sources, column types, contracts' constraints and data tests as executable quality",
    target: "odcs",
    input: "document",
    options: [
      { name: "model", description: "The models (or source tables) to import, comma-separated; default: all" },
      {
        name: "id",
        description: "The contract's id; default: the dbt project's name, else the model's or file's name",
      },
    ],
    detect: (input) => looksLikeDbt(input.bytes),
    run: async (input, options) => {
      const { importDbt } = await import("./import.js");
      return importDbt(input, options);
    },
  },
  exporter: {
    description:
      "dbt files: models/schema.yml (enforced contracts, typed columns, constraints, data tests), models/sources.yml (a source per server) and a staging model per schema object",
    options: [
      {
        name: "dialect",
        description: "The warehouse whose column types schema.yml declares and whose quoting the SQL uses",
        choices: dbtDialects,
        default: "postgres",
      },
      { name: "schema", description: "The schema object to export (its name or physical name); default: all" },
    ],
    run: async (input) => {
      const { exportDbt } = await import("./export.js");
      return exportDbt(input);
    },
  },
};
