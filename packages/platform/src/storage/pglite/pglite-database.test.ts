import { openDatabase } from "../open-database.js";
import { storageConformance } from "../storage.conformance.js";

storageConformance("PGlite (in memory)", {
  open: () => openDatabase({ memory: true }),
  skip: {
    "replicas migrate at once": "PGlite is one process owning its data directory; replicas need PostgreSQL",
    "search sees every commit of every replica":
      "PGlite is one process with one connection: nothing commits beside the search; replicas need PostgreSQL",
  },
});
