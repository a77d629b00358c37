import { openDatabase } from "../storage/open-database.js";
import { lakeConformance } from "./lake.conformance.js";

lakeConformance("PGlite", { open: () => openDatabase({ memory: true }) });
