import { openDatabase } from "../storage/open-database.js";
import { registryStoreConformance } from "./registry-stores.conformance.js";

registryStoreConformance("PGlite (in memory)", {
  open: () => openDatabase({ memory: true }),
  skip: {
    "search sees every commit of every replica":
      "PGlite is one process with one connection: nothing commits beside the search; replicas need PostgreSQL",
  },
});
