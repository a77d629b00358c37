import { openDatabase } from "../open-database.js";
import { storageConformance } from "../storage.conformance.js";

storageConformance("PGlite (in memory)", {
  open: () => openDatabase({ memory: true }),
  skip: {
    "replicas migrate at once": "PGlite is one process owning its data directory; replicas need PostgreSQL",
  },
});
