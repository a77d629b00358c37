import { openDatabase } from "../../storage/open-database.js";
import { ingestConformance } from "./ingest.conformance.js";

ingestConformance("PGlite", { open: () => openDatabase({ memory: true }) });
