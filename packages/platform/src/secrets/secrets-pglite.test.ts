import { openDatabase } from "../storage/open-database.js";
import { secretsConformance } from "./secrets.conformance.js";

secretsConformance("PGlite", { open: () => openDatabase({ memory: true }) });
