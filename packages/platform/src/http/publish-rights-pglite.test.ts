import { openDatabase } from "../storage/open-database.js";
import { publishRightsConformance } from "./publish-rights.conformance.js";

publishRightsConformance("PGlite", { open: () => openDatabase({ memory: true }) });
