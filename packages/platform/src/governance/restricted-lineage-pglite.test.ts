import { openDatabase } from "../storage/open-database.js";
import { restrictedLineageConformance } from "./restricted-lineage.conformance.js";

restrictedLineageConformance("PGlite", { open: () => openDatabase({ memory: true }) });
