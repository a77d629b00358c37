import { openDatabase } from "../storage/open-database.js";
import { observabilityConformance } from "./observability.conformance.js";

observabilityConformance("PGlite", { open: () => openDatabase({ memory: true }) });
