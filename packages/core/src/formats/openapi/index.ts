import type { Format } from "../format.js";

export const format: Format = {
  name: "openapi",
  title: "OpenAPI",
  exporter: {
    description:
      "an OpenAPI 3.1 document for reading the contract's data through the product's harness (consume route, typed rows, bearer auth, errors)",
    options: [
      { name: "baseUrl", description: "URL of the Quanta server", default: "http://localhost:8080" },
      {
        name: "product",
        description: "the data product's id (default: --product's id, else the contract's dataProduct, else its id)",
      },
      {
        name: "port",
        description: "the output port serving the contract (default: the product's port with this contractId)",
      },
      { name: "schema", description: "only this schema object (default: every one)" },
    ],
    run: async (input) => (await import("./export.js")).exportOpenApi(input),
  },
};
