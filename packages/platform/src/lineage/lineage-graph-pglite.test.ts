import { openDatabase } from "../storage/open-database.js";
import { lineageGraphConformance } from "./lineage-graph.conformance.js";

lineageGraphConformance("PGlite", { open: () => openDatabase({ memory: true }) });
