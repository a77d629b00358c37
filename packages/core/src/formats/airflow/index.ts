import type { Format } from "../format.js";

export const format: Format = {
  name: "airflow",
  title: "Airflow DAG",
  exporter: {
    description:
      "A Python Airflow DAG that runs the product's Quanta pipeline on its schedule and tests the contract after it (or, without a pipeline, tests the contract on its SLA frequency)",
    options: [
      {
        name: "product",
        description:
          "The data product whose pipeline the DAG runs (default: the product the contract belongs to, when known)",
      },
      { name: "server", description: "The Quanta server URL for quanta pipeline run (default: the console's login)" },
      {
        name: "contract",
        description: "The contract file as the Airflow worker sees it (default: the exported file's path)",
      },
      { name: "contract-server", description: "The contract's server quanta test reads (default: its first one)" },
      {
        name: "schedule",
        description: "A cron line or preset (@daily) instead of the declared one; none: only when triggered",
      },
      { name: "dag-id", description: "The DAG's id (default: quanta_ and the product's or contract's id)" },
      { name: "quanta", description: "The console's command on the Airflow worker", default: "quanta" },
    ],
    run: async (input) => {
      const { exportAirflow } = await import("./export.js");
      return exportAirflow(input);
    },
  },
};
