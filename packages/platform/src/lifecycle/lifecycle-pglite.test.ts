import { openDatabase } from "../storage/open-database.js";
import { lifecycleConformance } from "./lifecycle.conformance.js";

lifecycleConformance("PGlite", { open: () => openDatabase({ memory: true }) });
