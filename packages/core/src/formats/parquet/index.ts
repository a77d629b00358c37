import type { Format } from "../format.js";
import { fileOptions } from "../infer/options.js";

export const format: Format = {
  name: "parquet",
  title: "Parquet files",
  importer: {
    description:
      "Infers a contract from Parquet files where they lie (a path or glob): types, nulls, ranges, lengths and value sets, observed facts marked as suggestions.",
    target: "odcs",
    input: "data",
    options: fileOptions,
    run: async (input, options, env) =>
      (await import("../infer/import-data.js")).importData("parquet", input, options, env),
  },
};
