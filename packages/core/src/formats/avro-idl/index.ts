import { namespaceOption, schemaOption } from "../avro/index.js";
import type { Format } from "../format.js";

export const format: Format = {
  name: "avro-idl",
  title: "Avro IDL",
  exporter: {
    description: "An Avro IDL protocol (.avdl) with one record per schema object, the types of the avro export",
    options: [schemaOption, namespaceOption],
    run: async (input) => {
      const { exportAvroIdl } = await import("./export.js");
      return exportAvroIdl(input);
    },
  },
};
