import { openDatabase } from "../storage/open-database.js";
import { incidentsConformance } from "./incidents.conformance.js";

incidentsConformance("PGlite", { open: () => openDatabase({ memory: true }) });
