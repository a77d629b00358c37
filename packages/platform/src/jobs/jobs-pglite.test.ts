import { openDatabase } from "../storage/open-database.js";
import { jobsConformance } from "./jobs.conformance.js";

jobsConformance("PGlite", { open: () => openDatabase({ memory: true }) });
