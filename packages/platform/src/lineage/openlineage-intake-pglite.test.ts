import { openDatabase } from "../storage/open-database.js";
import { openLineageIntakeConformance } from "./openlineage-intake.conformance.js";

openLineageIntakeConformance("PGlite", { open: () => openDatabase({ memory: true }) });
