import { openDatabase } from "../storage/open-database.js";
import { identityApiConformance } from "./identity-api.conformance.js";

identityApiConformance("PGlite", { open: () => openDatabase({ memory: true }) });
